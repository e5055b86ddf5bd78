"""?date=YYYY-MM-DD: a code as it stood on a date of service, on the page and in the API."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from codes import asof
from codes.models import Code

SAMPLES = Path(__file__).parent / "samples"
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]
Q2_2026 = ["--version", "2026Q2", "--effective", "2026-04-01", "--end", "2026-06-30"]


def _run(*args):
    call_command("import_codes", *[str(a) for a in args], stdout=StringIO())


@pytest.fixture
def procedures():
    _run("pfs", SAMPLES / "pfs_pprrvu.csv")  # CY2024
    _run("pfs", SAMPLES / "pprrvu26_apr_nonqpp_rvu26b.csv")
    _run("ncci-ptp", SAMPLES / "ncci_ptp.tsv", "--setting", "practitioner")
    _run("ncci-mue", SAMPLES / "ncci_mue_cms.csv", "--setting", "practitioner", *Q2_2026)
    _run("ncci-aoc", SAMPLES / "ncci_aoc_cms.xlsx", *Q2_2026)
    _run("cpt-codes")


def test_a_code_deleted_since_is_valid_on_a_date_before_its_deletion(procedures, client):
    answer = client.get("/api/v1/codes/cpt/22521?date=2014-06-01").json()["as_of"]
    assert answer["validity"]["valid"] is True
    assert answer["validity"]["termination_date"] == "2014-12-31"
    assert answer["validity"]["replaced_by"] == ["22511"]
    later = client.get("/api/v1/codes/cpt/22521?date=2016-01-01").json()["as_of"]["validity"]
    assert (later["valid"], later["status"]) == (False, "no longer valid: deleted, last valid on 2014-12-31")


def test_the_page_says_valid_and_what_replaced_it(procedures, client):
    response = client.get("/cpt/22521/?date=2014-06-01")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Yes</strong>: valid on that date (deleted later: last valid on 2014-12-31)" in html
    assert 'href="/cpt/22511/?date=2014-06-01"' in html
    assert "No fee schedule for CY2014 is loaded here (loaded: CY2024, CY2026)" in html
    html = client.get("/cpt/22521/?date=2016-01-01").content.decode()
    assert "<strong>No</strong>: no longer valid" in html


def test_fee_schedule_year_and_edits_in_force_follow_the_date(procedures):
    code = Code.objects.get(system="cpt", code="99213")
    in_2024 = asof.as_of(code, datetime.date(2024, 8, 1))
    assert in_2024["fee_schedule"]["year"] == "CY2024"
    assert in_2024["fee_schedule"]["rows"][0]["conversion_factor"] == "33.2875"
    [practitioner, *_] = in_2024["mues"]
    assert practitioner["units"] is None
    assert (
        "No MUE release loaded here covers 2024-08-01 (loaded: 2026Q2 (2026-04-01 to 2026-06-30))"
        in (practitioner["limit"])
    )
    in_2026 = asof.as_of(code, datetime.date(2026, 5, 1))
    assert in_2026["fee_schedule"]["year"] == "CY2026"
    assert in_2026["fee_schedule"]["rows"][0]["conversion_factor"] == "33.4009"
    assert (in_2026["mues"][0]["units"], in_2026["mues"][0]["release"]["version"]) == (2, "2026Q2")


def test_add_on_edits_in_force_follow_their_periods(procedures):
    Code.objects.get_or_create(system="cpt", code="96376", defaults={"compact": "96376"})
    code = Code.objects.get(system="cpt", code="96376")
    assert asof.as_of(code, datetime.date(2015, 6, 1))["addons"]["primary_codes"] == ["96360"]
    assert asof.as_of(code, datetime.date(2017, 1, 1))["addons"]["primary_codes"] == []


def test_ptp_edits_say_where_the_loaded_quarter_does_not_reach(procedures):
    code = Code.objects.get(system="cpt", code="43239")
    [practitioner] = asof.as_of(code, datetime.date(2020, 1, 1))["ptp"]
    assert practitioner["as_column1"] >= 1
    assert "the file gives no start dates" in practitioner["limit"]
    [later] = asof.as_of(code, datetime.date(2026, 1, 1))["ptp"]
    assert "edits added or deleted after that are not known here" in later["limit"]


def test_an_icd10cm_code_deleted_later_and_a_code_not_yet_valid():
    _run("icd10cm-codes", SAMPLES / "icd10cm-codes-sample.txt", "--version", "2024")
    _run("icd10cm-tabular", SAMPLES / "icd10cm_tabular_sample.xml", "--version", "2026-04", "--effective", "2026-04-01")
    gone = Code.objects.get(system="icd-10-cm", code="M48.59XA")
    assert asof.as_of(gone, datetime.date(2024, 1, 1))["validity"]["valid"] is True
    assert asof.as_of(gone, datetime.date(2026, 5, 1))["validity"]["valid"] is False
    old = asof.as_of(gone, datetime.date(2015, 1, 1))["validity"]
    assert "releases loaded here begin 2023-10-01" in old["limits"][0]


@pytest.mark.parametrize("value", ["2014-13-01", "yesterday", "1850-01-01", ""])
def test_a_bad_date_is_a_400_on_the_page_and_in_the_api(procedures, client, value):
    page = client.get(f"/cpt/99213/?date={value}")
    assert page.status_code == 400
    assert "YYYY-MM-DD" in page.content.decode()
    api = client.get(f"/api/v1/codes/cpt/99213?date={value}")
    assert api.status_code == 400
    assert "date" in api.json()["error"]


def test_the_as_of_answer_takes_a_fixed_number_of_queries(procedures, django_assert_max_num_queries):
    code = Code.objects.get(system="cpt", code="99213")
    with django_assert_max_num_queries(14):
        asof.as_of(code, datetime.date(2026, 5, 1))
