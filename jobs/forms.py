import datetime
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, MaxValueValidator, URLValidator
from django.utils import timezone

from accounts.credentials import Credential, Specialty
from codingahead.lib.forms import SingleLineFieldsMixin

from .models import (
    MAX_DURATION_DAYS,
    US_STATES,
    EmploymentType,
    Job,
    JobReport,
    SalaryPeriod,
    SavedSearch,
    Workplace,
    WorkSetting,
)

# What real coding jobs pay: outside these bounds a figure is a typo (or bait), not a salary.
SALARY_BOUNDS = {
    SalaryPeriod.HOUR: (Decimal("7.25"), Decimal("250")),
    SalaryPeriod.YEAR: (Decimal("15000"), Decimal("500000")),
}
ZIP_RE = re.compile(r"^\d{5}(-\d{4})?$")


class JobForm(SingleLineFieldsMixin, forms.ModelForm):
    required_credentials = forms.MultipleChoiceField(
        choices=Credential.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    preferred_credentials = forms.MultipleChoiceField(
        choices=Credential.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    specialties = forms.MultipleChoiceField(
        choices=Specialty.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    employer_website = forms.URLField(label="Employer website", required=False, max_length=300, assume_scheme="https")
    remote_states = forms.MultipleChoiceField(
        choices=US_STATES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Remote: applicants must live in",
        help_text="Leave all unticked for anywhere in the US.",
    )

    class Meta:
        model = Job
        fields = [
            "title",
            "employer_name",
            "employer_website",
            "workplace",
            "city",
            "state",
            "zip_code",
            "remote_states",
            "work_setting",
            "employment_type",
            "salary_min",
            "salary_max",
            "salary_period",
            "required_credentials",
            "cpc_a_welcome",
            "preferred_credentials",
            "specialties",
            "years_experience",
            "productivity",
            "description",
            "apply_to",
            "expires_on",
        ]
        widgets = {
            "workplace": forms.RadioSelect,
            "salary_period": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 14}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"salary_min": "Salary from", "salary_max": "Salary to", "years_experience": "Years of experience"}
        help_texts = {
            "description": "Markdown: **bold**, *italic*, lists, links. HTML is removed.",
            "apply_to": "A web address (https://…) or an email address.",
            "expires_on": f"At most {MAX_DURATION_DAYS} days from today.",
            "productivity": "Optional, e.g. 25 charts an hour, 95% accuracy.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].max_length = 20000
        self.fields["years_experience"].validators.append(MaxValueValidator(40, "Ask for at most 40 years."))
        self.fields["years_experience"].widget.attrs["max"] = 40

    def clean_description(self) -> str:
        text = self.cleaned_data["description"].strip()
        if len(text) < 50:
            raise ValidationError("Describe the job in at least 50 characters.")
        if len(text) > 20000:
            raise ValidationError("Keep the description under 20,000 characters.")
        return text

    def clean_zip_code(self) -> str:
        value = self.cleaned_data["zip_code"].strip()
        if value and not ZIP_RE.match(value):
            raise ValidationError("Enter a ZIP code like 30301 or 30301-1234.")
        return value

    def clean_apply_to(self) -> str:
        value = self.cleaned_data["apply_to"].strip()
        if "@" in value and not value.lower().startswith(("http://", "https://")):
            value = value.removeprefix("mailto:")
            try:
                EmailValidator()(value)
            except ValidationError:
                raise ValidationError("Enter a valid email address or a web address starting with https://.") from None
            return value
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ValidationError("Enter a web address starting with https:// or an email address.") from None
        return value

    def clean_expires_on(self) -> datetime.date:
        value = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if value < today:
            raise ValidationError("The expiry date is in the past: pick a date from today on.")
        if value > today + datetime.timedelta(days=MAX_DURATION_DAYS):
            raise ValidationError(
                f"A posting runs at most {MAX_DURATION_DAYS} days: pick a date before "
                f"{(today + datetime.timedelta(days=MAX_DURATION_DAYS + 1)):%B %-d, %Y}."
            )
        return value

    def clean(self) -> dict:
        data = super().clean()
        workplace = data.get("workplace")
        if workplace in (Workplace.ONSITE, Workplace.HYBRID):
            if not data.get("city"):
                self.add_error("city", "Give the city of an on-site or hybrid job.")
            if not data.get("state"):
                self.add_error("state", "Give the state of an on-site or hybrid job.")
            data["remote_states"] = []

        period = data.get("salary_period")
        low, high = data.get("salary_min"), data.get("salary_max")
        if period in SALARY_BOUNDS:
            floor, ceiling = SALARY_BOUNDS[period]
            unit = "an hour" if period == SalaryPeriod.HOUR else "a year"
            for name, value in (("salary_min", low), ("salary_max", high)):
                if value is not None and not floor <= value <= ceiling:
                    self.add_error(
                        name,
                        f"${value:,} {unit} is not a believable salary: enter between ${floor:,} and ${ceiling:,} "
                        f"{unit} (check the hourly/yearly choice).",
                    )
        if low is not None and high is not None and low > high:
            self.add_error("salary_max", "The top of the range is below the bottom.")

        required, preferred = data.get("required_credentials") or [], data.get("preferred_credentials") or []
        data["preferred_credentials"] = [c for c in preferred if c not in required]
        return data


class ReportForm(SingleLineFieldsMixin, forms.ModelForm):
    class Meta:
        model = JobReport
        fields = ["reason", "details"]
        widgets = {"reason": forms.RadioSelect, "details": forms.Textarea(attrs={"rows": 4})}
        labels = {"reason": "What is wrong with this posting?", "details": "Details (optional)"}


POSTED_CHOICES = [
    ("", "Any time"),
    ("1", "Past 24 hours"),
    ("7", "Past week"),
    ("14", "Past 2 weeks"),
    ("30", "Past month"),
]
SORT_CHOICES = [("newest", "Newest"), ("salary", "Highest salary"), ("relevance", "Best match")]
WORKPLACE_CHOICES = [("", "Any"), *Workplace.choices]


class JobSearchForm(forms.Form):
    """The /jobs/ filters. Every field is optional; invalid values are dropped, not errors."""

    q = forms.CharField(label="Keywords", required=False, max_length=200)
    credential = forms.MultipleChoiceField(
        label="Credential", choices=Credential.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    cpc_a = forms.BooleanField(label="CPC-A welcome", required=False)
    workplace = forms.ChoiceField(label="Remote or on site", choices=WORKPLACE_CHOICES, required=False)
    state = forms.ChoiceField(label="State", choices=[("", "Any state"), *US_STATES], required=False)
    setting = forms.ChoiceField(label="Setting", choices=[("", "Any setting"), *WorkSetting.choices], required=False)
    type = forms.ChoiceField(
        label="Employment type", choices=[("", "Any type"), *EmploymentType.choices], required=False
    )
    min_salary = forms.IntegerField(label="Minimum yearly salary", required=False, min_value=0, max_value=1_000_000)
    specialty = forms.ChoiceField(
        label="Specialty", choices=[("", "Any specialty"), *Specialty.choices], required=False
    )
    posted = forms.ChoiceField(label="Posted", choices=POSTED_CHOICES, required=False)
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)

    FILTERS = ("q", "credential", "cpc_a", "workplace", "state", "setting", "type", "min_salary", "specialty", "posted")

    def filters(self) -> dict:
        """The valid filters given, each field checked on its own so one bad value drops only itself."""
        out = {}
        for name in self.FILTERS:
            field = self.fields[name]
            raw = field.widget.value_from_datadict(self.data, self.files, name)
            if name == "credential":
                raw = [v for v in raw or [] if v in Credential.values]
            try:
                value = field.clean(raw)
            except ValidationError:
                continue
            if value not in (None, "", [], False):
                out[name] = value.strip() if isinstance(value, str) else value
        return out

    def sort_order(self) -> str:
        value = self.data.get("sort", "")
        return value if value in dict(SORT_CHOICES) else ""


class SaveSearchForm(SingleLineFieldsMixin, forms.Form):
    frequency = forms.ChoiceField(label="Email me new matches", choices=SavedSearch.Frequency.choices)


class DeleteSearchForm(SingleLineFieldsMixin, forms.Form):
    """Which of the user's saved searches to delete: the id comes from a form, so anything may arrive."""

    delete = forms.ModelChoiceField(
        queryset=SavedSearch.objects.none(), error_messages={"invalid_choice": "Choose a saved search to delete."}
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["delete"].queryset = SavedSearch.objects.filter(user=user)
        self.fields["delete"].error_messages["required"] = "Choose a saved search to delete."
