"""{% consultations_panel user %}: the user's consultations and their status, for the account page."""

from django import template

from casepilot.consult import my_consultations

register = template.Library()


@register.inclusion_tag("casepilot/_consultations_panel.html")
def consultations_panel(user) -> dict:
    return {"consultations": my_consultations(user, limit=10)}
