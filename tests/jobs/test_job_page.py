"""The job page: content, state notices and schema.org JobPosting JSON-LD; the open-jobs sitemap."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from jobs.models import Job
from tests.factories import make_job

pytestmark = pytest.mark.django_db

GOOGLE_REQUIRED = {"datePosted", "description", "hiringOrganization", "title"}
GOOGLE_RECOMMENDED = {"validThrough", "employmentType", "baseSalary", "identifier", "directApply"}


def json_ld(html: str) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


@pytest.mark.sqlite_smoke
def test_the_page_shows_everything_about_the_job(client, employer):
    job = make_job(
        employer,
        preferred_credentials=["CCS"],
        specialties=["cardiology"],
        years_experience=3,
        productivity="20 charts an hour",
        cpc_a_welcome=True,
    )
    body = client.get(job.get_absolute_url()).content.decode()
    for text in ["Outpatient Coder", "Acme Health", "Atlanta, GA", "$50,000 to $60,000 per year", "Outpatient / pro-fee",
                 "Full time", "CPC", "(CPC-A welcome)", "CCS", "Cardiology", "3 years", "20 charts an hour",
                 f"/jobs/{job.pk}/apply/", "Report this job"]:  # fmt: skip
        assert text in body


def test_a_wrong_slug_redirects_to_the_canonical_address(client, employer):
    job = make_job(employer)
    response = client.get(f"/jobs/{job.pk}/old-title/")
    assert response.status_code == 301
    assert response["Location"] == job.get_absolute_url()
    assert client.get(f"/jobs/{job.pk}/")["Location"] == job.get_absolute_url()


def test_json_ld_has_googles_required_and_recommended_fields(client, employer):
    job = make_job(employer, required_credentials=["CPC", "CRC"], years_experience=2)
    data = json_ld(client.get(job.get_absolute_url()).content.decode())
    assert data["@context"] == "https://schema.org/"
    assert data["@type"] == "JobPosting"
    assert not GOOGLE_REQUIRED - data.keys()
    assert not GOOGLE_RECOMMENDED - data.keys()
    assert data["title"] == "Outpatient Coder"
    assert data["hiringOrganization"] == {
        "@type": "Organization",
        "name": "Acme Health",
        "sameAs": "https://acmehealth.example",
    }
    assert data["jobLocation"]["address"] == {
        "@type": "PostalAddress", "addressCountry": "US", "addressLocality": "Atlanta", "addressRegion": "GA", "postalCode": "30301",
    }  # fmt: skip
    assert "jobLocationType" not in data
    assert data["validThrough"].startswith(job.expires_on.isoformat())
    assert datetime.date.fromisoformat(data["datePosted"]) == timezone.localdate()
    assert data["employmentType"] == "FULL_TIME"
    assert data["baseSalary"] == {
        "@type": "MonetaryAmount", "currency": "USD",
        "value": {"@type": "QuantitativeValue", "minValue": 50000.0, "maxValue": 60000.0, "unitText": "YEAR"},
    }  # fmt: skip
    credentials = data["educationRequirements"]
    assert [c["@type"] for c in credentials] == ["EducationalOccupationalCredential"] * 2
    assert credentials[0]["credentialCategory"] == "professional certificate"
    assert credentials[0]["name"].startswith("CPC")
    assert data["experienceRequirements"] == {"@type": "OccupationalExperienceRequirements", "monthsOfExperience": 24}


def test_remote_jobs_are_telecommute_with_applicant_locations(client, employer):
    anywhere = make_job(employer, workplace="remote", city="", state="", zip_code="")
    data = json_ld(client.get(anywhere.get_absolute_url()).content.decode())
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert data["applicantLocationRequirements"] == {"@type": "Country", "name": "USA"}
    assert "jobLocation" not in data

    some_states = make_job(employer, workplace="remote", remote_states=["TX", "FL"], city="", state="", zip_code="")
    data = json_ld(client.get(some_states.get_absolute_url()).content.decode())
    assert data["applicantLocationRequirements"] == [
        {"@type": "State", "name": "Texas"},
        {"@type": "State", "name": "Florida"},
    ]


def test_hourly_pay_is_marked_hourly(client, employer):
    job = make_job(employer, salary_min=25, salary_max=25, salary_period="hour")
    data = json_ld(client.get(job.get_absolute_url()).content.decode())
    assert data["baseSalary"]["value"] == {"@type": "QuantitativeValue", "value": 25.0, "unitText": "HOUR"}


def test_json_ld_cannot_break_out_of_its_script_element(client, employer):
    job = make_job(employer, title="Coder </script><script>alert(1)</script>", employer_name="A & B <!-- Health")
    html = client.get(job.get_absolute_url()).content.decode()
    data = json_ld(html)
    assert data["title"] == "Coder </script><script>alert(1)</script>"
    assert data["hiringOrganization"]["name"] == "A & B <!-- Health"
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize(
    ("fields", "notice"),
    [
        ({"status": Job.Status.CLOSED}, "This job is closed"),
        ({"expires_on": datetime.date(2020, 1, 31)}, "This job expired on Jan 31, 2020"),
    ],
)
def test_closed_and_expired_jobs_stay_reachable_but_stop_taking_applications(client, employer, fields, notice):
    job = make_job(employer, **fields)
    response = client.get(job.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert notice in body
    assert "no longer accepts applications" in body
    assert f"/jobs/{job.pk}/apply/" not in body
    assert "application/ld+json" not in body
    assert '<meta name="robots" content="noindex">' in body


def test_drafts_and_pending_jobs_are_private(client, employer, coder):
    draft = make_job(employer, status=Job.Status.DRAFT)
    client.force_login(coder)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(employer)
    assert "Only you and our staff can see this posting" in client.get(draft.get_absolute_url()).content.decode()


def test_the_sitemap_lists_open_jobs_only(client, employer):
    live = make_job(employer, title="Open job")
    closed = make_job(employer, title="Closed job", status=Job.Status.CLOSED)
    expired = make_job(employer, title="Expired job", expires_on=timezone.localdate() - datetime.timedelta(days=1))
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-jobs.xml" in index
    body = client.get("/sitemap-jobs.xml").content.decode()
    assert live.get_absolute_url() in body
    assert closed.get_absolute_url() not in body
    assert expired.get_absolute_url() not in body


def test_a_job_expires_on_its_date(employer):
    job = make_job(employer, expires_on=timezone.localdate())
    assert job.is_open
    assert Job.objects.open().filter(pk=job.pk).exists()
    Job.objects.filter(pk=job.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    job.refresh_from_db()
    assert job.is_expired
    assert not job.is_open
    assert not Job.objects.open().filter(pk=job.pk).exists()
    assert job.dashboard_state == "expired"
