"""Forms of the code pages: Case2Code search and batch lookup."""

import re

from django import forms

from codingahead.lib.forms import SingleLineFieldsMixin

from .models import System

BATCH_LIMIT = 1000


class SearchForm(forms.Form):
    q = forms.CharField(label="Search codes", max_length=200, required=False, strip=True)
    system = forms.ChoiceField(label="Code system", choices=[("", "All code systems"), *System.choices], required=False)
    billable = forms.BooleanField(label="Billable codes only", required=False)
    deleted = forms.BooleanField(label="Include deleted codes", required=False)
    as_of = forms.DateField(
        label="Valid on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Only codes valid on this date",
    )
    page = forms.IntegerField(min_value=1, max_value=500, required=False)


class BatchForm(SingleLineFieldsMixin, forms.Form):
    codes = forms.CharField(
        label="Codes to check",
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "autocapitalize": "characters"}),
        max_length=40000,
        help_text=f"Up to {BATCH_LIMIT:,} codes, separated by spaces, commas, semicolons or new lines. "
        "Any form works: M48.56XA, m4856xa, M4856XA.",
    )

    def clean_codes(self) -> list[str]:
        tokens = [t for t in re.split(r"[\s,;|]+", self.cleaned_data["codes"]) if t]
        if not tokens:
            raise forms.ValidationError("Paste at least one code.")
        if len(tokens) > BATCH_LIMIT:
            raise forms.ValidationError(f"That is {len(tokens):,} codes; check at most {BATCH_LIMIT:,} at a time.")
        return tokens


NOTE_MAX_LENGTH = 5000


class NoteForm(forms.Form):
    text = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        strip=True,
        label="Your private note",
        help_text="Only you can see it. Save an empty note to delete it.",
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": NOTE_MAX_LENGTH}),
    )
