"""Objects with many required fields, made the same way by every test folder (the shared users
are fixtures in tests/conftest.py, built with make_user)."""

import datetime

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from codes.models import IndexTerm
from jobs.models import Job

PASSWORD = "correct horse battery staple"
DESCRIPTION = "We are hiring an experienced coder for our busy outpatient clinic. Full benefits and training."


def make_user(email: str, *, verified: bool = True, **fields):
    """A user named for the part of `email` before the @, with PASSWORD and a primary address."""
    user = get_user_model().objects.create_user(username=email.split("@")[0], email=email, password=PASSWORD, **fields)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def make_job(owner, **fields) -> Job:
    """A live, approved posting unless `fields` say otherwise."""
    values = {
        "title": "Outpatient Coder",
        "employer_name": "Acme Health",
        "employer_website": "https://acmehealth.example",
        "workplace": "onsite",
        "city": "Atlanta",
        "state": "GA",
        "zip_code": "30301",
        "work_setting": "outpatient",
        "employment_type": "full_time",
        "salary_min": 50000,
        "salary_max": 60000,
        "salary_period": "year",
        "required_credentials": ["CPC"],
        "description": DESCRIPTION,
        "apply_to": "https://acmehealth.example/careers/1",
        "status": Job.Status.LIVE,
        "published_at": timezone.now(),
        "reviewed_at": timezone.now(),
        "expires_on": timezone.localdate() + datetime.timedelta(days=30),
    }
    values.update(fields)
    return Job.objects.create(owner=owner, **values)


def make_index_entry(release, path: str, code: str = "", *, position: int, parent=None, main=None) -> IndexTerm:
    """An Alphabetic Index entry as the importer stores it (search_text: the lower-case path)."""
    title = path.split(" > ")[-1]
    words = " ".join(path.lower().replace(">", " ").replace(",", " ").split())
    return IndexTerm.objects.create(
        index="main", release=release, level=path.count(" > "), position=position, letter=path[0], title=title,
        parent=parent, main=main, path=path, search_text=words, search_key=" ".join(title.lower().split()),
        code=code, code_compact=code.replace(".", ""), code_status="valid" if code else "",
    )  # fmt: skip
