"""Validity on the date of service: each rule on both sides of its boundary."""

import pytest

from tests.claims.conftest import claim, line, run

pytestmark = pytest.mark.django_db


def test_an_unknown_code_is_invalid_and_a_known_one_is_not(claim_data):
    found = run(
        claim(diagnoses=["E11.99", "E11.9"], lines=[line("99999", pointers=(2,)), line("99214")]), "invalid_code"
    )
    by_code = {f["codes"][0]: f for f in found}
    assert set(by_code) == {"E11.99", "99999"}
    assert by_code["99999"]["lines"] == [1]
    assert by_code["E11.99"]["lines"] == [2]  # the lines pointing to it
    assert "not a CPT or HCPCS code" in by_code["99999"]["message"]


def test_a_code_deleted_before_the_date_names_its_replacement(claim_data):
    found = run(claim(diagnoses=["E11.8"], lines=[line("22521")]), "deleted_code")
    assert {f["codes"][0] for f in found} == {"E11.8", "22521"}
    e118 = next(f for f in found if f["codes"][0] == "E11.8")
    assert e118["severity"] == "error"
    assert "last valid day was 2025-09-30" in e118["message"]
    assert "Report E11.9 instead" in e118["message"]
    assert e118["source"]["release"] == "FY2026"


def test_a_code_is_valid_on_its_last_day(claim_data):
    assert run(claim(date_of_service="2025-09-30", diagnoses=["E11.8"], lines=[line("99214")]), "deleted_code") == []
    assert run(claim(date_of_service="2025-10-01", diagnoses=["E11.8"], lines=[line("99214")]), "deleted_code")


def test_a_code_not_yet_in_effect_on_the_date(claim_data):
    before = run(claim(date_of_service="2026-03-31", diagnoses=["Z99.9"], lines=[line("99214")]), "not_yet_valid")
    assert [f["codes"] for f in before] == [["Z99.9"]]
    assert "takes effect on 2026-04-01" in before[0]["message"]
    assert run(claim(date_of_service="2026-04-01", diagnoses=["Z99.9"], lines=[line("99214")]), "not_yet_valid") == []


def test_a_header_is_not_billable_and_its_child_is(claim_data):
    found = run(claim(diagnoses=["R05", "R05.1"], lines=[line("99214")]), "not_billable")
    assert [f["codes"] for f in found] == [["R05"]]
    assert "header" in found[0]["message"]


def test_a_missing_seventh_character_is_incomplete_not_merely_a_header(claim_data):
    body = claim(diagnoses=["M48.56", "M48.56XA"], lines=[line("99214")])
    found = run(body, "incomplete_code")
    assert [f["codes"] for f in found] == [["M48.56"]]
    assert "7th character (A, D, S)" in found[0]["message"]
    assert run(body, "not_billable") == []


def test_a_missing_placeholder_names_the_code_meant(claim_data):
    found = run(claim(diagnoses=["T81.4A"], lines=[line("99214")]), "incomplete_code")
    assert found[0]["codes"] == ["T81.4A", "T81.4XXA"]
    assert run(claim(diagnoses=["T81.4A"], lines=[line("99214")]), "invalid_code") == []
    assert run(claim(diagnoses=["T81.4XXA"], lines=[line("99214")]), "incomplete_code") == []
