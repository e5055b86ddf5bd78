from django import template

from codes.models import Code

from .. import personal

register = template.Library()


@register.simple_tag
def code_state(code: Code, user) -> dict:
    """The user's favourite flag and note for a code page's tools (one query; none for visitors)."""
    return personal.code_state(user=user, code=code)
