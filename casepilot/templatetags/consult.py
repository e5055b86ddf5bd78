"""{% consultations_panel user %}: the user's consultations and their status, for the account page."""

from django import template

from casepilot.consult import my_consultations
from casepilot.phi import RedactionResult

register = template.Library()


@register.inclusion_tag("casepilot/_consultations_panel.html")
def consultations_panel(user) -> dict:
    return {"consultations": my_consultations(user, limit=10)}


@register.filter
def phi_summary(counts: dict) -> str:
    """{"name": 2, "dob": 1} -> "2 names and 1 date of birth"."""
    return RedactionResult(text="", counts=counts or {}).summary()
