"""One rule for every one-line text field of the site's forms: no control characters.

A CR or LF in a field that ends up in an email header (a consultation's subject) makes Django
refuse to send the mail (BadHeaderError); a tab or an escape sequence in a name or a title is
never meant. Refused at the form, with a message saying why, not cleaned silently.
"""

import re

from django import forms
from django.core.validators import RegexValidator

# C0 and C1 control characters and DEL, plus the Unicode line and paragraph separators.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

single_line = RegexValidator(
    CONTROL_CHARACTERS,
    inverse_match=True,
    message="Use a single line of text: line breaks, tabs and other control characters are not allowed here.",
    code="control_characters",
)


class SingleLineFieldsMixin:
    """Put first in a form's bases: each CharField (URL and email fields too) whose widget is not
    a Textarea refuses control characters."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.Textarea):
                field.validators.append(single_line)
