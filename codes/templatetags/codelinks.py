"""Links for the code references in ICD-10-CM note texts: "(M48.0-)", "(F70-F79)",
"(C00-C96, D00-D09)", "category S06". Everything else is escaped.

Only codes in parentheses that hold nothing but codes, or named after "category" /
"subcategory", are linked, so words such as "vitamin B12" stay plain text.
"""

import re

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# A trailing "-" means "more characters follow"; a dash before a code is a range.
CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?(?:-(?![A-Z]))?"
CODE_RE = re.compile(CODE)
GROUP_RE = re.compile(
    rf"\((?P<group>{CODE}(?:\s*(?:,|-|\u2013|and|or)?\s*{CODE})*)\)"
    rf"|\b(?P<word>(?:sub)?categor(?:y|ies)) (?P<named>{CODE})"
)


def _link(code: str, system: str) -> str:
    target = code.rstrip(".-")
    url = reverse("codes:code", args=[system, target])
    return f'<a href="{escape(url)}">{escape(code)}</a>'


def _link_all(text: str, system: str) -> str:
    out, last = [], 0
    for found in CODE_RE.finditer(text):
        out.append(escape(text[last : found.start()]))
        out.append(_link(found.group(), system))
        last = found.end()
    out.append(escape(text[last:]))
    return "".join(out)


@register.filter
def codelinks(text: str, system: str = "icd-10-cm") -> SafeString:
    """Escape a note text and link the codes it refers to."""
    text = str(text or "")
    out, last = [], 0
    for found in GROUP_RE.finditer(text):
        out.append(escape(text[last : found.start()]))
        if found["group"] is not None:
            out.append(f"({_link_all(found['group'], system)})")
        else:
            out.append(f"{escape(found['word'])} {_link(found['named'], system)}")
        last = found.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))
