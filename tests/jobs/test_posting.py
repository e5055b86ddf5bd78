import datetime

import pytest
from django.utils import timezone

from jobs.models import Job
from jobs.text import render_markdown
from tests.factories import make_job

from .conftest import form_data

pytestmark = pytest.mark.django_db


def test_it_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/jobs/new/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.sqlite_smoke
def test_it_posts_a_job_with_every_field(client, employer):
    client.force_login(employer)
    response = client.post("/jobs/new/", form_data())
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.owner == employer
    assert job.workplace == "remote"
    assert job.remote_states == []
    assert job.required_credentials == ["CRC"]
    assert job.preferred_credentials == ["CPC"]
    assert job.specialties == ["risk_adjustment"]
    assert job.years_experience == 2
    assert job.productivity == "25 charts an hour"
    assert job.annual_pay == 65000
    assert "<h3>About us</h3>" in job.description_html
    assert "<strong>HCC</strong>" in job.description_html


def test_the_expiry_defaults_to_30_days(client, employer):
    client.force_login(employer)
    response = client.get("/jobs/new/")
    expected = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    assert f'value="{expected}"' in response.content.decode()


def test_it_saves_a_draft_without_publishing(client, employer):
    client.force_login(employer)
    client.post("/jobs/new/", form_data(save_draft="1"))
    assert Job.objects.get().status == Job.Status.DRAFT


def test_it_strips_script_injection_from_the_description(client, employer):
    client.force_login(employer)
    evil = (
        "Great job for a coder with experience!\n\n<script>alert('x')</script>\n\n"
        '<img src=x onerror="alert(1)"> [click](javascript:alert(2)) <a href="https://evil.example" onclick="steal()">site</a>'
    )
    client.post("/jobs/new/", form_data(description=evil))
    html = Job.objects.get().description_html
    assert "<script" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "javascript:" not in html
    assert "<img" not in html
    assert 'rel="nofollow noopener ugc"' in html


def test_it_renders_broken_markdown_into_balanced_html():
    html = render_markdown("**unclosed bold and <div><em>open tags\n\n* list\n\n[link](")
    assert html.count("<em>") == html.count("</em>")
    assert "<div" not in html


def test_links_in_descriptions_are_nofollow():
    html = render_markdown("See [our site](https://acme.example) and <a href='https://x.example' rel='follow'>x</a>")
    assert html.count('rel="nofollow noopener ugc"') == 2


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"salary_min": "1", "salary_max": "2"}, "salary_min", "not a believable salary"),
        ({"salary_min": "55000", "salary_max": "9000000"}, "salary_max", "not a believable salary"),
        ({"salary_period": "hour", "salary_min": "55000", "salary_max": "65000"}, "salary_min", "hourly/yearly"),
        ({"salary_min": "70000", "salary_max": "60000"}, "salary_max", "below the bottom"),
        ({"expires_on": "2001-01-01"}, "expires_on", "in the past"),
        ({"expires_on": "2999-01-01"}, "expires_on", "at most 90 days"),
        ({"apply_to": "not a link"}, "apply_to", "web address"),
        ({"apply_to": "javascript:alert(1)"}, "apply_to", "web address"),
        ({"apply_to": "jobs@@acme"}, "apply_to", "valid email"),
        ({"workplace": "onsite"}, "city", "city of an on-site"),
        ({"zip_code": "ABCDE"}, "zip_code", "ZIP code"),
        ({"description": "Too short"}, "description", "at least 50"),
        ({"years_experience": "99"}, "years_experience", "at most 40"),
        ({"salary_min": "-5"}, "salary_min", "not a believable salary"),
    ],
)
def test_it_rejects_bad_input_with_a_clear_message(client, employer, changes, field, message):
    client.force_login(employer)
    response = client.post("/jobs/new/", form_data(**changes))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message.split("/")[0] in response.content.decode()
    assert not Job.objects.exists()


def test_it_accepts_an_email_address_to_apply(client, employer):
    client.force_login(employer)
    client.post("/jobs/new/", form_data(apply_to="jobs@acmehealth.example"))
    job = Job.objects.get()
    assert job.apply_is_email
    assert job.apply_target == "mailto:jobs@acmehealth.example"


def test_it_keeps_remote_states(client, employer):
    client.force_login(employer)
    client.post("/jobs/new/", form_data(remote_states=["TX", "GA"]))
    assert sorted(Job.objects.get().remote_states) == ["GA", "TX"]


def test_it_limits_how_many_jobs_one_employer_posts(client, employer, settings):
    client.force_login(employer)
    for _ in range(10):
        assert client.post("/jobs/new/", form_data()).status_code == 302
    response = client.post("/jobs/new/", form_data())
    assert response.status_code == 429
    assert Job.objects.count() == 10


def test_an_employer_edits_only_their_own_jobs(client, employer, coder):
    job = make_job(employer)
    client.force_login(coder)
    assert client.get(f"/jobs/{job.pk}/edit/").status_code == 404
    assert client.post(f"/jobs/{job.pk}/close/").status_code == 404


def test_an_edit_is_saved(client, employer):
    job = make_job(employer)
    client.force_login(employer)
    data = form_data(title="Senior Outpatient Coder")
    response = client.post(f"/jobs/{job.pk}/edit/", data)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.title == "Senior Outpatient Coder"
    assert job.status == Job.Status.LIVE


def test_forms_with_mistakes_do_not_count_towards_the_limit(client, employer):
    client.force_login(employer)
    for _ in range(12):
        assert client.post("/jobs/new/", form_data(salary_min="1")).status_code == 400
    assert client.post("/jobs/new/", form_data()).status_code == 302
