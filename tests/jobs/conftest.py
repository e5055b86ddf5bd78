import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from jobs.models import Job
from tests.factories import make_job


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    """Tasks run at once in tests; test_alerts.py also runs the real database worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def employer(db):
    return get_user_model().objects.create_user("employer", "hr@acmehealth.example", "pw")


@pytest.fixture
def job_factory(employer):
    def factory(**fields) -> Job:
        return make_job(fields.pop("owner", employer), **fields)

    return factory


def form_data(**changes) -> dict:
    """A valid job form submission."""
    data = {
        "title": "Remote Risk Adjustment Coder",
        "employer_name": "Acme Health",
        "employer_website": "https://acmehealth.example",
        "workplace": "remote",
        "city": "",
        "state": "",
        "zip_code": "",
        "work_setting": "risk_adjustment",
        "employment_type": "full_time",
        "salary_min": "55000",
        "salary_max": "65000",
        "salary_period": "year",
        "required_credentials": ["CRC"],
        "preferred_credentials": ["CPC"],
        "specialties": ["risk_adjustment"],
        "years_experience": "2",
        "productivity": "25 charts an hour",
        "description": "## About us\n\nWe review **HCC** charts for Medicare Advantage plans. Apply with your resume.",
        "apply_to": "https://acmehealth.example/careers/42",
        "expires_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
