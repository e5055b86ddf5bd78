"""CareerCenter in a real browser: post a job, approve it as staff, find it with filters, save the search."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from jobs.models import Job, SavedSearch

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page: Page, live_server, user) -> None:
    """Sign in by handing the browser a session cookie (allauth's email verification is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


def test_post_approve_find_and_save_a_search(page: Page, live_server):
    users = get_user_model().objects
    employer = users.create_user("employer", "hr@acmehealth.example", "pw")
    staff = users.create_user("staff", "staff@example.com", "pw", is_staff=True)
    coder = users.create_user("coder", "coder@example.com", "pw")

    # The employer posts a remote risk adjustment job.
    log_in(page, live_server, employer)
    page.goto(f"{live_server.url}/jobs/new/")
    page.get_by_label("Title").fill("Remote HCC Coder")
    page.get_by_label("Employer name").fill("Acme Health")
    page.get_by_label("Employer website").fill("https://acmehealth.example")
    page.get_by_label("Work setting").select_option("risk_adjustment")
    page.get_by_label("Employment type").select_option("full_time")
    page.get_by_role("radio", name="Remote").check()
    page.get_by_label("Salary from").fill("60000")
    page.get_by_label("Salary to").fill("70000")
    page.get_by_role("group", name="Required credentials").get_by_label("CRC", exact=False).check()
    page.get_by_label("Description").fill(
        "Review **Medicare Advantage** charts for HCC capture. Fully remote, paid CEUs."
    )
    page.get_by_label("How to apply").fill("https://acmehealth.example/careers/7")
    page.get_by_role("button", name="Submit the job").click()
    expect(page.get_by_text("will go live once our staff have reviewed it")).to_be_visible()
    expect(page.get_by_role("heading", name="Waiting for review (1)")).to_be_visible()
    job = Job.objects.get()
    assert job.status == Job.Status.PENDING

    # Staff approve it from the review queue.
    log_in(page, live_server, staff)
    page.goto(f"{live_server.url}/jobs/review/")
    page.get_by_role("button", name="Approve “Remote HCC Coder”").click()
    expect(page.get_by_text("Approved: Remote HCC Coder")).to_be_visible()
    job.refresh_from_db()
    assert job.status == Job.Status.LIVE

    # Another employer's on-site job that the filters must leave out.
    Job.objects.create(
        owner=employer, title="Onsite Inpatient Coder", employer_name="Big Hospital", workplace="onsite", city="Austin",
        state="TX", work_setting="inpatient", employment_type="full_time", description="Inpatient coding " * 5,
        apply_to="https://bighospital.example/jobs", status=Job.Status.LIVE, published_at=timezone.now(),
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )  # fmt: skip

    # A coder finds it with filters and saves the search.
    log_in(page, live_server, coder)
    page.goto(f"{live_server.url}/jobs/")
    expect(page.get_by_role("heading", name="2 jobs")).to_be_visible()
    page.get_by_role("group", name="Credential").get_by_label("CRC", exact=False).check()
    page.get_by_role("combobox", name="Remote or on site").select_option("remote")
    page.get_by_label("Minimum yearly salary ($)").fill("65000")
    page.get_by_role("button", name="Show jobs").click()
    expect(page.get_by_role("heading", name="1 job matching")).to_be_visible()
    expect(page.get_by_role("link", name="Remote HCC Coder")).to_be_visible()
    expect(page.get_by_role("link", name="Onsite Inpatient Coder")).to_have_count(0)

    page.get_by_label("Email me new matches").select_option("weekly")
    page.get_by_role("button", name="Save this search").click()
    expect(page.get_by_role("heading", name="Saved searches")).to_be_visible()
    expect(page.get_by_role("link", name="CRC; Remote; $65,000+ a year")).to_be_visible()
    search = SavedSearch.objects.get(user=coder)
    assert search.frequency == "weekly"

    # The job page links to the employer through the counted apply link.
    page.goto(f"{live_server.url}/jobs/?{search.query}")
    page.get_by_role("link", name="Remote HCC Coder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remote HCC Coder")
    expect(page.get_by_role("link", name="Apply on the employer's site")).to_have_attribute(
        "href", f"/jobs/{job.pk}/apply/"
    )
