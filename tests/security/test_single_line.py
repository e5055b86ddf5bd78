"""One-line text fields refuse control characters (CR, LF, tab, escape...) with a clear message,
on every form of the site; a CR/LF in a consultation subject once broke its mail for good."""

import inspect

import pytest
from django import forms

import accounts.forms
import casepilot.forms
import codes.forms
import jobs.forms
from codingahead.lib.forms import SingleLineFieldsMixin

MESSAGE = "Use a single line of text: line breaks, tabs and other control characters are not allowed here."
# Search boxes read GET: they drop control characters instead of refusing the search (test_fuzz.py).
CLEANED_NOT_REFUSED = {"SearchForm", "JobSearchForm", "QuestionForm"}


def _site_forms():
    for module in (accounts.forms, casepilot.forms, codes.forms, jobs.forms):
        for name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                yield name, value


@pytest.mark.parametrize(("name", "form"), list(_site_forms()))
def test_every_form_with_a_one_line_field_refuses_control_characters(name, form):
    one_line = [
        field
        for field, f in form.base_fields.items()
        if isinstance(f, forms.CharField) and not isinstance(f.widget, forms.Textarea)
    ]
    if not one_line or name in CLEANED_NOT_REFUSED:
        return
    assert issubclass(form, SingleLineFieldsMixin), f"{name} ({', '.join(one_line)}): add SingleLineFieldsMixin"


@pytest.mark.django_db
def test_a_profile_name_with_a_line_break_is_refused(client, alice):
    client.force_login(alice)
    response = client.post("/accounts/profile/", {"name": "Alice\nBob", "employer": ""})
    assert MESSAGE in response.content.decode()


def test_text_areas_keep_their_line_breaks():
    form = casepilot.forms.ConsultationForm({"subject": "Modifier 25", "codes": "", "question": "Line one\r\nLine two"})
    assert form.is_valid(), form.errors
    assert "\n" in form.cleaned_data["question"]
