from django import forms

from codingahead.lib.forms import SingleLineFieldsMixin

from .credentials import Credential, Specialty
from .models import Profile


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
