"""CasePilot's forms. (The consultation forms join this module too; each form keeps its own class.)"""

from __future__ import annotations

import re
import unicodedata

from django import forms

from codes.models import BROWSE_KINDS, Code, System

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

    # A code page's box asks with its code as context: "system:code", e.g. "icd-10-cm:E11.9".
    about = forms.CharField(required=False, max_length=40)

    def clean_about(self) -> Code | None:
        value = self.cleaned_data.get("about") or ""
        if not value:
            return None
        system, _, code = value.partition(":")
        found = None
        if system in System.values and re.fullmatch(r"[0-9A-Za-z.]{1,16}", code):
            found = Code.objects.filter(system=system, code=code).exclude(kind__in=BROWSE_KINDS).first()
        if found is None:
            raise forms.ValidationError("That code is not on this site.")
        return found

    def question_text(self) -> str:
        """The question as the engines read it: with the code of the page it was asked on."""
        text, about = self.cleaned_data["question"], self.cleaned_data.get("about")
        if about is None or re.search(rf"(?<![\w.]){re.escape(about.code)}(?![\w.])", text, re.I):
            return text
        return f"{text} ({about.get_system_display()} {about.code})"

    def first_error(self) -> str:
        for field in ("question", "about"):
            if self.errors.get(field):
                return self.errors[field][0]
        return "Type a question first."
