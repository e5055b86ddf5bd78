import pytest

from jobs.models import Job, JobReport
from jobs.scams import scam_flags
from tests.factories import make_job

from .conftest import form_data

pytestmark = pytest.mark.django_db


@pytest.mark.sqlite_smoke
def test_a_first_posting_waits_for_review_and_later_ones_go_live(client, employer, staff):
    client.force_login(employer)
    client.post("/jobs/new/", form_data(title="First job"))
    first = Job.objects.get()
    assert first.status == Job.Status.PENDING
    assert client.get("/jobs/").context["page"].paginator.count == 0

    client.force_login(staff)
    queue = client.get("/jobs/review/")
    assert "First job" in queue.content.decode()
    client.post(f"/jobs/review/{first.pk}/", {"action": "approve"})
    first.refresh_from_db()
    assert first.status == Job.Status.LIVE
    assert first.reviewed_by == staff

    client.force_login(employer)
    client.post("/jobs/new/", form_data(title="Second job"))
    assert Job.objects.get(title="Second job").status == Job.Status.LIVE


def test_the_review_queue_is_for_staff_only(client, coder):
    client.force_login(coder)
    response = client.get("/jobs/review/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_reject_a_posting(client, employer, staff):
    job = make_job(employer, status=Job.Status.PENDING, reviewed_at=None)
    client.force_login(staff)
    client.post(f"/jobs/review/{job.pk}/", {"action": "reject"})
    job.refresh_from_db()
    assert job.status == Job.Status.REJECTED
    assert client.get(job.get_absolute_url()).status_code == 200  # staff still see it
    client.logout()
    assert client.get(job.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Successful applicants pay a $150 training fee before starting.", "asks applicants to pay"),
        ("There is a small registration fee to process your application.", "asks applicants to pay"),
        ("You will buy a laptop and software from our approved vendor.", "asks applicants to buy equipment"),
        ("We will mail you a check to deposit for your home office equipment.", "asks applicants to buy equipment"),
        ("Interviews are held on Telegram, add @hr_recruiter.", "moves applicants to a chat app"),
        ("Text our HR manager on WhatsApp to set up the interview.", "moves applicants to a chat app"),
        ("Contact the recruiter on Signal for an interview.", "moves applicants to a chat app"),
    ],
)
def test_scam_phrases_hold_a_posting_for_review(client, employer, staff, text, reason):
    make_job(employer)  # an approved earlier posting: only the flag can hold the new one
    client.force_login(employer)
    description = f"Remote coder needed for our growing team of certified professionals. {text}"
    client.post("/jobs/new/", form_data(description=description))
    job = Job.objects.latest("pk")
    assert job.status == Job.Status.PENDING
    assert reason in job.flag_reasons
    client.force_login(staff)
    assert reason in client.get("/jobs/review/").content.decode()


def test_a_free_mail_employer_offering_high_pay_is_flagged(employer):
    job = make_job(employer, apply_to="recruiter.acme@gmail.com", salary_min=95000, salary_max=120000)
    assert any("free-mail" in r for r in scam_flags(job))
    modest = make_job(employer, apply_to="smallclinic@gmail.com", salary_min=40000, salary_max=45000)
    assert scam_flags(modest) == []


def test_an_ordinary_posting_is_not_flagged(employer):
    job = make_job(
        employer,
        description="Code E/M and procedures for our signal-processing lab clients. We pay for your CEUs and AAPC dues.",
    )
    assert scam_flags(job) == []


def test_an_edit_that_adds_a_scam_phrase_takes_the_job_down_for_review(client, employer):
    job = make_job(employer)
    client.force_login(employer)
    client.post(
        f"/jobs/{job.pk}/edit/", form_data(description="Coders wanted for our clinic. Message us on Telegram to apply.")
    )
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING


@pytest.mark.sqlite_smoke
def test_anyone_can_report_a_job_and_it_reaches_the_queue(client, employer, staff):
    job = make_job(employer, title="Suspicious job")
    response = client.post(f"/jobs/{job.pk}/report/", {"reason": "scam", "details": "They asked me for $200"})
    assert response.status_code == 302
    report = JobReport.objects.get()
    assert report.job == job
    assert report.reporter is None
    client.force_login(staff)
    page = client.get("/jobs/review/").content.decode()
    assert "Suspicious job" in page
    assert "They asked me for $200" in page
    client.post(f"/jobs/review/{job.pk}/", {"action": "dismiss"})
    assert list(client.get("/jobs/review/").context["jobs"]) == []
    job.refresh_from_db()
    assert job.status == Job.Status.LIVE


def test_a_report_needs_a_reason(client, employer):
    job = make_job(employer)
    response = client.post(f"/jobs/{job.pk}/report/", {"details": "bad"})
    assert response.status_code == 400
    assert not JobReport.objects.exists()


def test_reporting_is_rate_limited(client, employer):
    job = make_job(employer)
    for _ in range(10):
        assert client.post(f"/jobs/{job.pk}/report/", {"reason": "other"}).status_code == 302
    response = client.post(f"/jobs/{job.pk}/report/", {"reason": "other"})
    assert response.status_code == 429
    assert JobReport.objects.count() == 10


def test_an_employer_with_a_rejected_posting_stays_under_review(client, employer, staff):
    make_job(employer, title="Approved long ago")
    make_job(employer, title="Rejected", status=Job.Status.REJECTED, reviewed_by=staff)
    client.force_login(employer)
    client.post("/jobs/new/", form_data(title="Next one"))
    assert Job.objects.get(title="Next one").status == Job.Status.PENDING


def test_a_rejected_first_posting_does_not_unlock_the_next(client, employer, staff):
    client.force_login(employer)
    client.post("/jobs/new/", form_data(title="First"))
    client.force_login(staff)
    client.post(f"/jobs/review/{Job.objects.get().pk}/", {"action": "reject"})
    client.force_login(employer)
    client.post("/jobs/new/", form_data(title="Second"))
    assert Job.objects.get(title="Second").status == Job.Status.PENDING
