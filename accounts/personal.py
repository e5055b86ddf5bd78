"""A signed-in user's own code data: favourites, private notes and recently viewed codes."""

import csv
import io
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from codes.models import Code

from .models import CodeNote, CodeView, FavouriteCode

# Past this many starred or noted codes a user's code ids are not cached with them: each page asks.
PERSONAL_CODES_LIMIT = 1000


def personal_codes(user) -> tuple[frozenset[int], frozenset[int]] | None:
    """(ids of the codes `user` starred, ids of those they keep a note on), or None past
    PERSONAL_CODES_LIMIT. accounts/backends.py caches this with the user, so a code page knows
    whether to show a star, and whether there is a note to read, without asking the database."""
    favourites = list(
        FavouriteCode.objects.filter(user=user).values_list("code_id", flat=True)[: PERSONAL_CODES_LIMIT + 1]
    )
    noted = list(CodeNote.objects.filter(user=user).values_list("code_id", flat=True)[: PERSONAL_CODES_LIMIT + 1])
    if len(favourites) > PERSONAL_CODES_LIMIT or len(noted) > PERSONAL_CODES_LIMIT:
        return None
    return frozenset(favourites), frozenset(noted)


def code_state(*, user, code: Code) -> dict:
    """Whether `user` starred `code` and their note on it (none for a visitor).

    From the ids cached with the user when they are there and no note needs reading; else one
    raw query (the ORM's query building cost more than the query)."""
    if not user.is_authenticated:
        return {"favourite": False, "note": ""}
    known = getattr(user, "_personal_codes", None)
    if known is not None:
        favourites, noted = known
        if code.pk not in noted:
            return {"favourite": code.pk in favourites, "note": ""}
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM {FavouriteCode._meta.db_table} WHERE user_id = %s AND code_id = %s),"
        f" (SELECT text FROM {CodeNote._meta.db_table} WHERE user_id = %s AND code_id = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, code.pk, user.pk, code.pk])
        favourite, note = cursor.fetchone()
    return {"favourite": bool(favourite), "note": note or ""}


def set_favourite(*, user, code: Code, on: bool) -> bool:
    if on:
        FavouriteCode.objects.get_or_create(user=user, code=code)
    else:
        FavouriteCode.objects.filter(user=user, code=code).delete()
    return on


def save_note(*, user, code: Code, text: str) -> CodeNote | None:
    """Save the user's note on a code; an empty note deletes it."""
    text = text.strip()
    if not text:
        CodeNote.objects.filter(user=user, code=code).delete()
        return None
    note, _ = CodeNote.objects.update_or_create(
        user=user, code=code, defaults={"text": text, "updated": timezone.now()}
    )
    return note


def recently_viewed(user, limit: int = 20) -> list[dict]:
    """The codes the user opened most recently, newest first: [{"code": Code, "viewed_at": datetime}].

    Read from the metering records (accounts.models.CodeView: one row per code and metering period).
    """
    if not user.is_authenticated:
        return []
    rows = CodeView.objects.filter(user=user).select_related("code").order_by("-viewed")[: limit * 3]
    seen: set[int] = set()
    recent = []
    for row in rows:  # a code opened in several months has a row per month: keep the newest
        if row.code_id not in seen:
            seen.add(row.code_id)
            recent.append({"code": row.code, "viewed_at": row.viewed})
    return recent[:limit]


def _cell(text: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def export_csv(user) -> str:
    """Favourites, notes and recently viewed codes as one CSV table (one row per item)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["type", "system", "code", "title", "note", "date", "url"])

    def row(kind: str, code: Code, note: str, when) -> list[str]:
        title = code.title or code.short_title
        url = settings.SITE_ROOT + code.get_absolute_url()
        return [kind, code.system, code.code, _cell(title), _cell(note), _iso(when), url]

    for fav in FavouriteCode.objects.filter(user=user).select_related("code"):
        writer.writerow(row("favourite", fav.code, "", fav.created))
    for note in CodeNote.objects.filter(user=user).select_related("code"):
        writer.writerow(row("note", note.code, note.text, note.updated))
    for item in recently_viewed(user, limit=1000):
        writer.writerow(row("viewed", item["code"], "", item["viewed_at"]))
    return out.getvalue()
