"""CasePilot's forms: a question to CasePilot, and the consultation forms (CaseConsultant)."""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.conf import settings

from codes.models import BROWSE_KINDS, Code, System
from codingahead.lib.forms import SingleLineFieldsMixin

from . import mail

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


# --- Consultations ---


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(mail.ALLOWED_TYPES)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        if len(files) > settings.CONSULT_ATTACHMENT_MAX_COUNT:
            raise forms.ValidationError(f"At most {settings.CONSULT_ATTACHMENT_MAX_COUNT} attachments.")
        cleaned = [super(MultipleFileField, self).clean(f, initial) for f in files]
        for f in cleaned:
            if f.content_type not in mail.ALLOWED_TYPES:
                raise forms.ValidationError(f"{f.name}: {mail.REFUSED_TYPES}.")
            if f.size > settings.CONSULT_ATTACHMENT_MAX_BYTES:
                limit = settings.CONSULT_ATTACHMENT_MAX_BYTES // (1024 * 1024)
                raise forms.ValidationError(f"{f.name}: attachments may be up to {limit} MB.")
        return cleaned


class ConsultationForm(SingleLineFieldsMixin, forms.Form):
    subject = forms.CharField(max_length=200, help_text="One line: what the question is about.")
    codes = forms.CharField(
        max_length=300, required=False, label="Codes involved", help_text="For example: 99214, 25, E11.65"
    )
    question = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
        help_text="The case details and your question. Patient identifiers are removed before anything is stored.",
    )
    attachments = MultipleFileField(
        required=False,
        help_text="Optional: PDF or text files. Their text is kept, with patient identifiers removed; the files are not.",
    )


class ReplyForm(SingleLineFieldsMixin, forms.Form):
    text = forms.CharField(label="Your reply", widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)
    attachments = MultipleFileField(
        required=False,
        help_text="Optional: PDF or text files. Their text is kept, with patient identifiers removed; the files are not.",
    )


class AnswerForm(SingleLineFieldsMixin, forms.Form):
    text = forms.CharField(label="Your answer", widget=forms.Textarea(attrs={"rows": 12}), max_length=20000)
