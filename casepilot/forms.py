"""CasePilot's forms. (The consultation forms join this module too; each form keeps its own class.)"""

from __future__ import annotations

import unicodedata

from django import forms

MAX_QUESTION = 1000
_REPLACEMENT = "\ufffd"


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs") and not ch.isspace()


class QuestionField(forms.CharField):
    def to_python(self, value: object) -> str:
        # Before the validators (CharField refuses NUL): PostgreSQL refuses NUL in text and UTF-8 has
        # no lone surrogates, so such characters (and the other non-space control characters) are
        # kept as U+FFFD, the replacement character; runs of white space become one space.
        text = super().to_python(value)
        return " ".join("".join(_REPLACEMENT if _is_control(ch) else ch for ch in text).split())


class QuestionForm(forms.Form):
    """A question to CasePilot, from the CasePilot page, a code page's box or the JSON API."""

    question = QuestionField(
        strip=False,
        max_length=MAX_QUESTION,
        error_messages={
            "required": "Type a question first.",
            "max_length": f"Keep the question under {MAX_QUESTION} characters.",
        },
    )

    def first_error(self) -> str:
        return next(iter(self.errors.get("question", [])), "Type a question first.")
