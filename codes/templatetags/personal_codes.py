"""The account page's favourites, notes and recently viewed codes: codes owns them, the account
page (accounts/home.html) only places this panel."""

from django import template

from ..personal import CodeNote, CodeView, FavouriteCode

register = template.Library()

# The account page lists the newest favourites and notes; the CSV export has them all.
LIST_LIMIT = 100


@register.inclusion_tag("codes/_personal_codes.html")
def personal_codes_panel(user) -> dict:
    return {
        "favourites": FavouriteCode.objects.filter(user=user).select_related("code")[:LIST_LIMIT],
        "favourites_total": FavouriteCode.objects.filter(user=user).count(),
        "notes": CodeNote.objects.filter(user=user).select_related("code")[:LIST_LIMIT],
        "notes_total": CodeNote.objects.filter(user=user).count(),
        "list_limit": LIST_LIMIT,
        "recent": CodeView.objects.recently_viewed(user, limit=20),
    }
