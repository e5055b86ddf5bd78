"""The JSON export holds everything about the user and nothing about others; deleting the account
leaves no row that refers to the user."""

import datetime
import json
import os

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import ApiToken, Plan, Profile, QuotaCounter
from casepilot.models import (
    Consultation,
    ConsultAttachment,
    ConsultMessage,
    InboundEmail,
    OutboundEmail,
    Question,
)
from codes.models import CodeNote, CodeView, FavouriteCode
from jobs.models import Job, JobReport, SavedJob, SavedSearch
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def _job(owner, title: str) -> Job:
    return Job.objects.create(
        owner=owner,
        title=title,
        employer_name=f"{title} Employer",
        work_setting="outpatient",
        employment_type="full_time",
        description="A coding job with enough words to pass.",
        apply_to="https://example.com/apply",
        status=Job.Status.LIVE,
        published_at=timezone.now(),
    )


def _give_data(user, codes, *, tag: str, other_job: Job) -> dict:
    """One row of every kind of personal data, each marked with `tag` where it has text."""
    email = user.emailaddress_set.get().email
    Profile.objects.update_or_create(user=user, defaults={"name": f"{tag} name", "employer": f"{tag} employer"})
    Plan.objects.create(user=user, ends=datetime.date.today() + datetime.timedelta(days=30), note="trial")
    token, secret = ApiToken.issue(user=user, name=f"{tag} token")
    FavouriteCode.objects.create(user=user, code=codes["E11.9"])
    CodeNote.objects.create(user=user, code=codes["E11.9"], text=f"{tag} note")
    CodeView.objects.create(subject=f"u:{user.pk}", period="2026-01", code=codes["M48.5"], user=user)
    QuotaCounter.objects.create(subject=f"u:{user.pk}", period="2026-01", used=1, allowance=10)
    QuotaCounter.objects.create(meter="casepilot_questions", subject=f"u:{user.pk}", period="2026-01-02", used=3)
    Question.objects.create(user=user, text=f"{tag} question", answer=f"{tag} answer", rating=1)
    consultation = Consultation.objects.create(user=user, subject=f"{tag} consultation")
    message = ConsultMessage.objects.create(
        consultation=consultation, author_kind="user", author=user, body=f"{tag} message"
    )
    ConsultAttachment.objects.create(
        message=message,
        file=ContentFile(b"x", name="a.txt"),
        filename=f"{tag}-op-note.txt",
        content_type="text/plain",
        size=1,
    )
    InboundEmail.objects.create(message_id=f"<{tag}@mail>", sha256="0" * 64, sender=email, consultation=consultation)
    OutboundEmail.objects.create(consultation=None, to=email, subject="Notice", body="b", message_id=f"<{tag}-out@x>")
    job = _job(user, f"{tag} posting")
    SavedJob.objects.create(user=user, job=other_job)
    SavedSearch.objects.create(user=user, query=f"q={tag}", name=f"{tag} search")
    JobReport.objects.create(job=other_job, reporter=user, reason="scam", details=f"{tag} report")
    return {"secret": secret, "digest": token.digest, "job": job}


@pytest.fixture
def data(alice, bob, codes, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bobs_job = _job(bob, "Bob's job")
    alices_job = _job(alice, "Alice's job")
    return {
        "alice": _give_data(alice, codes, tag="alice-data", other_job=bobs_job),
        "bob": _give_data(bob, codes, tag="bob-data", other_job=alices_job),
    }


def test_the_json_export_holds_each_kind_of_data(client, alice, data):
    client.force_login(alice)
    response = client.get("/accounts/export.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    export = json.loads(body)

    assert export["account"]["email_addresses"] == [{"email": "alice@example.com", "primary": True, "verified": True}]
    assert export["account"]["date_joined"]
    assert export["account"]["last_login"]
    assert export["profile"]["name"] == "alice-data name"
    assert export["plans"][0]["name"] == "pro"
    assert export["api_tokens"][0]["name"] == "alice-data token"
    assert export["favourites"][0]["code"] == "E11.9"
    assert export["notes"][0]["text"] == "alice-data note"
    assert export["code_views"][0]["code"] == "M48.5"
    assert {c["kind"] for c in export["usage_counters"]} == {"code views", "CasePilot questions"}
    assert export["casepilot_questions"][0]["question"] == "alice-data question"
    assert export["casepilot_questions"][0]["rating"] == "Helpful"
    consultation = export["consultations"][0]
    assert consultation["subject"] == "alice-data consultation"
    assert consultation["messages"][0]["body"] == "alice-data message"
    assert consultation["messages"][0]["attachments"] == ["alice-data-op-note.txt"]
    assert export["saved_jobs"][0]["job"] == "Bob's job"
    assert export["saved_searches"][0]["name"] == "alice-data search"
    assert {j["title"] for j in export["job_postings"]} == {"Alice's job", "alice-data posting"}
    assert export["job_reports"][0]["details"] == "alice-data report"

    # Never a token's secret or hash, never another user's data.
    assert data["alice"]["secret"] not in body
    assert data["alice"]["digest"] not in body
    assert "bob-data" not in body
    assert "bob@example.com" not in body


def test_the_export_keeps_its_sections_in_order(client, alice, data):
    """Each app adds its own sections (accounts/privacy.py PERSONAL_DATA); the document reads as before."""
    client.force_login(alice)
    export = json.loads(client.get("/accounts/export.json").content)
    assert list(export) == [
        "format",
        "exported_at",
        "site",
        "favourites",  # codes' sections: codes is ready before accounts (INSTALLED_APPS)
        "notes",
        "code_views",
        "saved_claims",
        "account",
        "profile",
        "plans",
        "api_tokens",
        "usage_counters",
        "casepilot_questions",
        "consultations",
        "saved_jobs",
        "saved_searches",
        "job_postings",
        "job_reports",
    ]
    assert [c["kind"] for c in export["usage_counters"]] == ["code views", "CasePilot questions"]


def test_the_export_needs_a_login(client, data):
    response = client.get("/accounts/export.json")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_account_page_links_to_it(client, alice):
    client.force_login(alice)
    assert 'href="/accounts/export.json"' in client.get("/accounts/profile/").content.decode()


def _rows_about(user_id: int, emails: list[str]) -> dict[str, int]:
    """Rows in any model that point at the user: every foreign key to the user model, the counters
    keyed by "u:<id>", mail to or from the user's addresses, and sessions signed in as them."""
    user_model = get_user_model()
    found = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is user_model:
                n = model._default_manager.filter(**{field.name: user_id}).count()
                if n:
                    found[f"{model._meta.label}.{field.name}"] = n
    subject = f"u:{user_id}"
    for model in (QuotaCounter, CodeView):
        if n := model.objects.filter(subject=subject).count():
            found[f"{model._meta.label}.subject"] = n
    for email in emails:
        if n := InboundEmail.objects.filter(sender__iexact=email).count():
            found["InboundEmail.sender"] = n
        if n := OutboundEmail.objects.filter(to__iexact=email).count():
            found["OutboundEmail.to"] = n
    if n := sum(s.get_decoded().get("_auth_user_id") == str(user_id) for s in Session.objects.all()):
        found["Session"] = n
    return found


def test_deleting_the_account_leaves_no_row_about_the_user(
    client, alice, bob, data, django_capture_on_commit_callbacks
):
    other_device = client.__class__()
    other_device.force_login(alice)
    client.force_login(alice)
    emails = ["alice@example.com"]
    assert _rows_about(alice.pk, emails)  # the check sees the data before deletion
    bob_before = _rows_about(bob.pk, ["bob@example.com"])
    attachment = ConsultAttachment.objects.get(filename="alice-data-op-note.txt").file.path

    with django_capture_on_commit_callbacks(execute=True):  # the attachment files go after the commit
        response = client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302

    assert _rows_about(alice.pk, emails) == {}
    assert not get_user_model().objects.filter(pk=alice.pk).exists()
    assert not Job.objects.filter(title__startswith="alice-data").exists()
    assert not os.path.exists(attachment)
    # The report on Bob's posting stays for the moderators, without its author.
    report = JobReport.objects.get(details="alice-data report")
    assert report.reporter is None
    # Bob keeps his data, except what hung off Alice's postings (his saved job and report on them).
    bob_after = _rows_about(bob.pk, ["bob@example.com"])
    for key in ("jobs.SavedJob.user", "jobs.JobReport.reporter"):
        assert bob_after.pop(key, 0) == bob_before.pop(key) - 1
    assert bob_after == bob_before
    assert other_device.get("/accounts/profile/").status_code == 302  # signed out there too
