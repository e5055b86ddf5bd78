from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms

from codingahead.lib.forms import SingleLineFieldsMixin

from .credentials import Credential, Specialty
from .models import Profile, ProRequest


class LoginForm(SingleLineFieldsMixin, AllauthLoginForm):
    """allauth's login form in the site's words (ACCOUNT_FORMS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remember"].label = "Keep me logged in on this device"


class ProfileForm(SingleLineFieldsMixin, forms.ModelForm):
    credentials = forms.MultipleChoiceField(
        choices=Credential.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Credentials held",
    )
    specialties = forms.MultipleChoiceField(
        choices=Specialty.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Specialties",
    )

    class Meta:
        model = Profile
        fields = ["name", "credentials", "specialties", "employer"]
        labels = {"name": "Name (optional)", "employer": "Employer (optional)"}
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "employer": forms.TextInput(attrs={"autocomplete": "organization"}),
        }

    def clean_credentials(self) -> list[str]:
        # Keep the choices' order, so the profile reads the same however the boxes were ticked.
        chosen = set(self.cleaned_data["credentials"])
        return [value for value in Credential.values if value in chosen]

    def clean_specialties(self) -> list[str]:
        chosen = set(self.cleaned_data["specialties"])
        return [value for value in Specialty.values if value in chosen]


class TokenForm(SingleLineFieldsMixin, forms.Form):
    name = forms.CharField(
        max_length=80,
        label="Token name",
        help_text="What the token is for, e.g. “billing scrubber”.",
    )

    def __init__(self, *args, **kwargs):
        # The account page also shows the profile form, whose name field is id_name.
        kwargs.setdefault("auto_id", "id_token_%s")
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


class DeleteAccountForm(SingleLineFieldsMixin, forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="I understand that my account, profile, API tokens, favourites and notes are deleted for good."
    )

    def __init__(self, *args, user, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.")
        return password


class ProRequestForm(SingleLineFieldsMixin, forms.ModelForm):
    class Meta:
        model = ProRequest
        fields = ["name", "email", "organisation", "seats", "message"]
        labels = {
            "email": "Email address",
            "organisation": "Organisation (optional)",
            "message": "Anything we should know (optional)",
        }
        widgets = {
            "message": forms.Textarea(attrs={"rows": 4}),
            "seats": forms.NumberInput(attrs={"min": 1, "max": 500}),
        }

    def clean_seats(self) -> int:
        seats = self.cleaned_data["seats"]
        if not 1 <= seats <= 500:
            raise forms.ValidationError("Ask for between 1 and 500 seats; for more, say so in the message.")
        return seats
