"""/jobs/: full-text search, every filter, sorting, pagination, counts and filter links (PostgreSQL)."""

import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from jobs.models import Job
from tests.factories import make_job

pytestmark = pytest.mark.django_db


def titles(client, query: str = "") -> list[str]:
    response = client.get(f"/jobs/?{query}")
    assert response.status_code == 200
    return sorted(job.title for job in response.context["page"])


@pytest.fixture
def jobs(employer):
    now = timezone.now()
    make_job(
        employer,
        title="Inpatient DRG Coder",
        work_setting="inpatient",
        required_credentials=["CCS"],
        specialties=["inpatient"],
        salary_min=70000,
        salary_max=80000,
        city="Houston",
        state="TX",
        description="Assign ICD-10-PCS procedure codes and MS-DRGs for hospital stays. Epic experience.",
        published_at=now - datetime.timedelta(days=20),
    )
    make_job(
        employer,
        title="Remote HCC Coder",
        workplace="remote",
        city="",
        state="",
        work_setting="risk_adjustment",
        required_credentials=["CRC"],
        specialties=["risk_adjustment"],
        salary_min=28,
        salary_max=32,
        salary_period="hour",
        description="Review charts for hierarchical condition categories, fully remote.",
        published_at=now - datetime.timedelta(hours=3),
    )
    make_job(
        employer,
        title="Remote Texas Auditor",
        workplace="remote",
        remote_states=["TX", "OK"],
        city="",
        state="",
        work_setting="auditing",
        employment_type="contract",
        required_credentials=["CPMA"],
        preferred_credentials=["CPC"],
        salary_min=None,
        salary_max=None,
        description="Audit E/M documentation for physician practices across Texas.",
        published_at=now - datetime.timedelta(days=5),
    )
    make_job(
        employer,
        title="Apprentice Pro-fee Coder",
        work_setting="outpatient",
        cpc_a_welcome=True,
        required_credentials=["CPC"],
        specialties=["orthopedics"],
        employment_type="part_time",
        salary_min=38000,
        salary_max=42000,
        city="Atlanta",
        state="GA",
        description="Orthopedic surgery coding; CPC-A welcome, we train.",
        published_at=now - datetime.timedelta(days=2),
    )
    make_job(
        employer,
        title="Hybrid CDI Specialist",
        workplace="hybrid",
        work_setting="cdi",
        required_credentials=["CCDS"],
        preferred_credentials=["CDIP"],
        city="Dallas",
        state="TX",
        salary_min=85000,
        salary_max=95000,
        description="Query physicians to improve clinical documentation integrity.",
        published_at=now - datetime.timedelta(days=10),
    )
    # Never listed: closed, expired, pending.
    make_job(employer, title="Closed Coder", status=Job.Status.CLOSED)
    make_job(employer, title="Expired Coder", expires_on=timezone.localdate() - datetime.timedelta(days=1))
    make_job(employer, title="Pending Coder", status=Job.Status.PENDING)


ALL = [
    "Apprentice Pro-fee Coder",
    "Hybrid CDI Specialist",
    "Inpatient DRG Coder",
    "Remote HCC Coder",
    "Remote Texas Auditor",
]


@pytest.mark.sqlite_smoke
def test_it_lists_open_jobs_only(client, jobs):
    response = client.get("/jobs/")
    assert sorted(j.title for j in response.context["page"]) == ALL
    assert "5 jobs" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=hospital+DRG", ["Inpatient DRG Coder"]),
        ("q=charts", ["Remote HCC Coder"]),  # stemming: "charts" finds "charts" and "chart"
        ("q=auditing", ["Remote Texas Auditor"]),  # "audit" in the description, via the stem
        ("q=coder+-remote", ["Apprentice Pro-fee Coder", "Inpatient DRG Coder"]),  # websearch syntax
        ("q=Dallas", ["Hybrid CDI Specialist"]),
        ("q=orthopedics", ["Apprentice Pro-fee Coder"]),  # specialty labels are searchable
        ("credential=CRC", ["Remote HCC Coder"]),
        ("credential=CPC", ["Apprentice Pro-fee Coder", "Remote Texas Auditor"]),  # required or preferred
        ("credential=CCS&credential=CDIP", ["Hybrid CDI Specialist", "Inpatient DRG Coder"]),
        ("credential=CPC-A", ["Apprentice Pro-fee Coder"]),
        ("cpc_a=1", ["Apprentice Pro-fee Coder"]),
        ("workplace=remote", ["Remote HCC Coder", "Remote Texas Auditor"]),
        ("workplace=hybrid", ["Hybrid CDI Specialist"]),
        ("workplace=onsite", ["Apprentice Pro-fee Coder", "Inpatient DRG Coder"]),
        # Texas: on-site/hybrid jobs there, remote jobs open to Texans (anywhere in the US or TX listed).
        ("state=TX", ["Hybrid CDI Specialist", "Inpatient DRG Coder", "Remote HCC Coder", "Remote Texas Auditor"]),
        ("state=GA", ["Apprentice Pro-fee Coder", "Remote HCC Coder"]),
        ("state=OK&workplace=remote", ["Remote HCC Coder", "Remote Texas Auditor"]),
        ("setting=cdi", ["Hybrid CDI Specialist"]),
        ("setting=risk_adjustment", ["Remote HCC Coder"]),
        ("type=contract", ["Remote Texas Auditor"]),
        ("type=part_time", ["Apprentice Pro-fee Coder"]),
        ("min_salary=67000", ["Hybrid CDI Specialist", "Inpatient DRG Coder"]),  # $32/h = $66,560 a year
        ("min_salary=66000", ["Hybrid CDI Specialist", "Inpatient DRG Coder", "Remote HCC Coder"]),
        ("min_salary=90000", ["Hybrid CDI Specialist"]),
        ("specialty=risk_adjustment", ["Remote HCC Coder"]),
        ("specialty=orthopedics", ["Apprentice Pro-fee Coder"]),
        ("posted=1", ["Remote HCC Coder"]),
        ("posted=7", ["Apprentice Pro-fee Coder", "Remote HCC Coder", "Remote Texas Auditor"]),
        (
            "posted=14",
            ["Apprentice Pro-fee Coder", "Hybrid CDI Specialist", "Remote HCC Coder", "Remote Texas Auditor"],
        ),
        ("state=TX&setting=cdi&credential=CCDS&min_salary=80000", ["Hybrid CDI Specialist"]),
        ("q=nothing+like+this", []),
    ],
)
@pytest.mark.sqlite_smoke  # the filters, "-word" included, hold on the embedded default too
def test_each_filter(client, jobs, query, expected):
    assert titles(client, query) == sorted(expected)


def test_min_salary_filter_counts_hourly_pay_as_yearly(client, jobs):
    assert "Remote HCC Coder" in titles(client, "min_salary=66000")
    assert "Remote HCC Coder" not in titles(client, "min_salary=67000")


def test_bad_filter_values_are_ignored_not_errors(client, jobs):
    response = client.get(
        "/jobs/?state=XX&min_salary=lots&posted=999&setting=<script>&credential=NOPE&page=abc&sort=evil"
    )
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 5
    assert "<script>" not in response.content.decode()


def test_sort_by_salary_puts_the_best_paid_first_and_unknown_pay_last(client, jobs):
    response = client.get("/jobs/?sort=salary")
    order = [j.title for j in response.context["page"]]
    assert order == [
        "Hybrid CDI Specialist",
        "Inpatient DRG Coder",
        "Remote HCC Coder",
        "Apprentice Pro-fee Coder",
        "Remote Texas Auditor",
    ]


def test_newest_first_by_default(client, jobs):
    order = [j.title for j in client.get("/jobs/").context["page"]]
    assert order == [
        "Remote HCC Coder",
        "Apprentice Pro-fee Coder",
        "Remote Texas Auditor",
        "Hybrid CDI Specialist",
        "Inpatient DRG Coder",
    ]


def test_pagination_keeps_the_filters(client, employer):
    for n in range(25):
        make_job(employer, title=f"Remote coder {n:02}", workplace="remote", city="", state="")
    make_job(employer, title="Onsite coder")
    response = client.get("/jobs/?workplace=remote&sort=salary")
    body = response.content.decode()
    assert response.context["page"].paginator.count == 25
    assert "25 jobs" in body
    assert "Page 1 of 2" in body
    assert "?workplace=remote&amp;sort=salary&amp;page=2" in body
    second = client.get("/jobs/?workplace=remote&sort=salary&page=2")
    assert len(second.context["page"]) == 5


def test_filter_links_keep_the_other_filters_and_show_counts(client, jobs):
    response = client.get("/jobs/?state=TX&q=coder")
    setting_group = next(g for g in response.context["facets"] if g["title"] == "Setting")
    options = {o["label"]: o for o in setting_group["options"]}
    assert options["Inpatient"]["count"] == 1
    assert options["Risk adjustment"]["count"] == 1
    link = parse_qs(urlparse(options["Inpatient"]["url"]).query)
    assert link == {"q": ["coder"], "state": ["TX"], "setting": ["inpatient"]}
    # Following it narrows the list; the active option's link removes it again.
    assert titles(client, urlparse(options["Inpatient"]["url"]).query) == ["Inpatient DRG Coder"]
    narrowed = client.get(options["Inpatient"]["url"])
    group = next(g for g in narrowed.context["facets"] if g["title"] == "Setting")
    active = next(o for o in group["options"] if o["active"])
    assert parse_qs(urlparse(active["url"]).query) == {"q": ["coder"], "state": ["TX"]}


def test_active_filters_can_be_removed_one_by_one(client, jobs):
    response = client.get("/jobs/?state=TX&setting=cdi")
    chips = {c["label"]: c["url"] for c in response.context["chips"]}
    assert chips["Texas"] == "/jobs/?setting=cdi"
    assert chips["Clinical documentation integrity"] == "/jobs/?state=TX"


def test_jobs_for_my_credentials_prefills_the_filters(client, coder, jobs):
    coder.profile.credentials = ["CRC", "CPC-A"]
    coder.profile.save()
    client.force_login(coder)
    response = client.get("/jobs/for-me/")
    assert response.status_code == 302
    assert parse_qs(urlparse(response["Location"]).query) == {"credential": ["CRC", "CPC-A"]}
    assert titles(client, urlparse(response["Location"]).query) == ["Apprentice Pro-fee Coder", "Remote HCC Coder"]


def test_jobs_for_my_credentials_without_credentials_says_what_to_do(client, coder):
    client.force_login(coder)
    response = client.get("/jobs/for-me/", follow=True)
    assert "Add your credentials to your profile" in response.content.decode()


@pytest.mark.sqlite_smoke
def test_keyword_search_works_on_either_database(client, jobs):
    assert titles(client, "q=Dallas") == ["Hybrid CDI Specialist"]
    assert titles(client, "q=hospital+DRG&state=TX") == ["Inpatient DRG Coder"]


def test_the_credential_filter_is_a_set_of_checkboxes(client):
    html = client.get("/jobs/").content.decode()
    assert 'type="checkbox" name="credential" value="CPC"' in html
    assert "Hold Ctrl" not in html


def test_an_empty_board_does_not_blame_filters_nobody_set(client):
    html = client.get("/jobs/").content.decode()
    assert "There are no open jobs right now" in html
    assert "match these filters" not in html
