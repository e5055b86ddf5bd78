from django import template
from django.urls import reverse

from codes import browse_tree

register = template.Library()


@register.simple_tag
def code_url(system: str, code: str) -> str:
    """URL of a code's page from its system slug and code (the page redirects sloppy forms)."""
    return reverse("codes:code", args=[system, code])


@register.filter
def split_codes(value: str) -> list[str]:
    return value.replace(",", " ").split() if value else []


@register.filter
def code_label(node) -> str:
    return browse_tree.code_label(node)


@register.filter
def title_label(node) -> str:
    return browse_tree.title_label(node)
