import datetime

import pytest
from django.utils import timezone

from jobs.models import Job
from tests.factories import make_job

pytestmark = pytest.mark.django_db


def test_the_dashboard_groups_postings_by_state(client, employer, coder):
    make_job(employer, title="Draft one", status=Job.Status.DRAFT)
    make_job(employer, title="Pending one", status=Job.Status.PENDING)
    make_job(employer, title="Live one")
    make_job(employer, title="Expired one", expires_on=timezone.localdate() - datetime.timedelta(days=1))
    make_job(employer, title="Closed one", status=Job.Status.CLOSED)
    make_job(coder, title="Someone else's")
    client.force_login(employer)
    response = client.get("/jobs/mine/")
    sections = {s["key"]: [j.title for j in s["jobs"]] for s in response.context["sections"]}
    assert sections["draft"] == ["Draft one"]
    assert sections["pending"] == ["Pending one"]
    assert sections["live"] == ["Live one"]
    assert sections["expired"] == ["Expired one"]
    assert sections["closed"] == ["Closed one"]
    assert "Someone else" not in response.content.decode()


def test_views_and_apply_clicks_are_counted(client, employer, coder):
    job = make_job(employer, apply_to="https://acmehealth.example/apply")
    client.force_login(coder)
    client.get(job.get_absolute_url())
    client.get(job.get_absolute_url())
    response = client.get(f"/jobs/{job.pk}/apply/")
    assert response.status_code == 302
    assert response["Location"] == "https://acmehealth.example/apply"
    job.refresh_from_db()
    assert (job.view_count, job.apply_count) == (2, 1)
    client.force_login(employer)
    client.get(job.get_absolute_url())  # the owner's own visits do not count
    page = client.get("/jobs/mine/").content.decode()
    job.refresh_from_db()
    assert job.view_count == 2
    assert '<td class="num">2</td>' in page
    assert '<td class="num">1</td>' in page


def test_an_email_apply_link_opens_the_mail_program(client, employer):
    job = make_job(employer, apply_to="jobs@acmehealth.example")
    assert client.get(f"/jobs/{job.pk}/apply/")["Location"] == "mailto:jobs@acmehealth.example"


def test_a_closed_job_does_not_forward_applicants(client, employer):
    job = make_job(employer, status=Job.Status.CLOSED)
    response = client.get(f"/jobs/{job.pk}/apply/")
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.apply_count == 0


def test_close_renew_and_duplicate(client, employer):
    job = make_job(employer, expires_on=timezone.localdate() + datetime.timedelta(days=3))
    client.force_login(employer)
    client.post(f"/jobs/{job.pk}/close/")
    job.refresh_from_db()
    assert job.status == Job.Status.CLOSED

    client.post(f"/jobs/{job.pk}/renew/")
    job.refresh_from_db()
    assert job.status == Job.Status.LIVE
    assert job.expires_on == timezone.localdate() + datetime.timedelta(days=30)

    response = client.post(f"/jobs/{job.pk}/duplicate/")
    copy = Job.objects.exclude(pk=job.pk).get()
    assert response["Location"] == f"/jobs/{copy.pk}/edit/"
    assert copy.status == Job.Status.DRAFT
    assert copy.title == "Outpatient Coder (copy)"
    assert copy.view_count == 0
    assert copy.required_credentials == job.required_credentials


def test_a_draft_is_submitted_from_the_dashboard(client, employer):
    make_job(employer)  # approved before, so this one goes live at once
    draft = make_job(employer, status=Job.Status.DRAFT, reviewed_at=None, published_at=None)
    client.force_login(employer)
    client.post(f"/jobs/{draft.pk}/submit/")
    draft.refresh_from_db()
    assert draft.status == Job.Status.LIVE
    assert draft.published_at is not None


def test_an_action_that_does_not_apply_is_refused(client, employer):
    job = make_job(employer, status=Job.Status.DRAFT)
    client.force_login(employer)
    assert client.post(f"/jobs/{job.pk}/close/").status_code == 400
    assert client.get(f"/jobs/{job.pk}/close/").status_code == 405
