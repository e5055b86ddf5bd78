from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from codes.page_boxes import CODE_PAGE_BOXES

register = template.Library()


@register.simple_tag(takes_context=True)
def page_boxes(context, code) -> SafeString:
    """Every registered code-page box for `code` ({% page_boxes code %} in codes/code.html)."""
    token = context.get("csrf_token")
    parts = [render_to_string(name, {"code": code, "csrf_token": token}) for name in CODE_PAGE_BOXES.values()]
    return mark_safe("".join(parts))  # each part is a rendered (auto-escaped) template
