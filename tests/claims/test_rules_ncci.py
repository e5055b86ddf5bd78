"""NCCI PTP, MUE and add-on rules, each on both sides of its boundary."""

import pytest

from tests.claims.conftest import claim, line, run

pytestmark = pytest.mark.django_db


def test_indicator_0_is_an_error_whatever_the_modifier(claim_data):
    found = run(claim(diagnoses=["E11.9"], lines=[line("43239"), line("43235", "59")]), "ncci_ptp")
    assert [(f["severity"], f["lines"], f["codes"]) for f in found] == [("error", [1, 2], ["43239", "43235"])]
    assert "modifier indicator 0" in found[0]["message"]


def test_a_pair_without_an_edit_has_no_finding(claim_data):
    assert run(claim(diagnoses=["E11.9"], lines=[line("43239"), line("99214")]), "ncci_ptp") == []


def test_indicator_1_on_an_em_column_2_code_needs_25_or_57_on_the_em_line(claim_data):
    without = run(claim(diagnoses=["E11.9"], lines=[line("99214"), line("11102")]), "ncci_ptp")
    assert without[0]["severity"] == "error"
    assert "25 or 57" in without[0]["message"]
    assert "line 1" in without[0]["message"]
    with_59 = run(claim(diagnoses=["E11.9"], lines=[line("99214", "59"), line("11102")]), "ncci_ptp")
    assert with_59[0]["severity"] == "error"  # 59 is not an E/M modifier
    with_25 = run(claim(diagnoses=["E11.9"], lines=[line("99214", "25"), line("11102")]), "ncci_ptp")
    assert with_25[0]["severity"] == "info"
    assert "modifier 25 on line 1 bypasses" in with_25[0]["message"]


def test_indicator_1_on_a_procedure_needs_59_x_or_anatomic_on_the_column_2_line(claim_data):
    assert (
        run(claim(diagnoses=["E11.9"], lines=[line("27447"), line("20610", "25")]), "ncci_ptp")[0]["severity"]
        == "error"
    )
    for modifier in ("59", "XS", "LT"):
        found = run(claim(diagnoses=["E11.9"], lines=[line("27447"), line("20610", modifier)]), "ncci_ptp")
        assert found[0]["severity"] == "info", modifier
    # the modifier on the column 1 line does not bypass the edit
    assert (
        run(claim(diagnoses=["E11.9"], lines=[line("27447", "59"), line("20610")]), "ncci_ptp")[0]["severity"]
        == "error"
    )


def test_indicator_9_is_no_edit(claim_data):
    assert run(claim(diagnoses=["E11.9"], lines=[line("99213"), line("36415")]), "ncci_ptp") == []


def test_an_edit_deleted_before_the_date_is_not_in_force(claim_data):
    body = claim(diagnoses=["E11.9"], lines=[line("22511"), line("20610", pointers=(1,))])
    assert run({**body, "date_of_service": "2026-03-01"}, "ncci_ptp")  # its last day
    assert run({**body, "date_of_service": "2026-03-02"}, "ncci_ptp") == []


def test_edits_are_those_of_the_claims_setting(claim_data):
    body = claim(diagnoses=["E11.9"], lines=[line("27447"), line("20610")])
    assert run(body, "ncci_ptp")
    assert run({**body, "setting": "outpatient"}, "ncci_ptp") == []


def test_mai_1_counts_units_per_line(claim_data):
    assert run(claim(diagnoses=["E11.9"], lines=[line("20610", units=2), line("20610", units=2)]), "mue") == []
    found = run(claim(diagnoses=["E11.9"], lines=[line("20610", units=3)]), "mue")
    assert found[0]["lines"] == [1]
    assert "MAI 1" in found[0]["message"]
    assert "line edit" in found[0]["message"]


def test_mai_3_sums_units_per_day_and_may_be_appealed(claim_data):
    assert run(claim(diagnoses=["E11.9"], lines=[line("J1100", units=5), line("J1100", units=5)]), "mue") == []
    found = run(claim(diagnoses=["E11.9"], lines=[line("J1100", units=5), line("J1100", units=6)]), "mue")
    assert found[0]["lines"] == [1, 2]
    assert "11 units" in found[0]["message"]
    assert "appealed" in found[0]["message"]


def test_mai_2_is_absolute(claim_data):
    found = run(claim(diagnoses=["E11.9"], lines=[line("22511"), line("22512", units=4)]), "mue")
    assert "not overturned on appeal" in found[0]["message"]
    assert run(claim(diagnoses=["E11.9"], lines=[line("22511"), line("22512", units=3)]), "mue") == []


def test_no_mue_release_covering_the_date_says_so(claim_data):
    found = run(claim(date_of_service="2026-04-01", diagnoses=["E11.9"], lines=[line("20610", units=9)]), "mue")
    assert [f["severity"] for f in found] == ["info"]
    assert "No MUE release" in found[0]["message"]


def test_type_1_add_on_needs_a_listed_primary(claim_data):
    found = run(claim(diagnoses=["E11.9"], lines=[line("99292")]), "add_on_without_primary")
    assert found[0]["severity"] == "error"
    assert "99291" in found[0]["message"]
    assert run(claim(diagnoses=["E11.9"], lines=[line("99291"), line("99292")]), "add_on_without_primary") == []


def test_type_2_add_on_needs_any_primary(claim_data):
    assert run(claim(diagnoses=["E11.9"], lines=[line("22512")]), "add_on_without_primary")[0]["severity"] == "error"
    assert run(claim(diagnoses=["E11.9"], lines=[line("22511"), line("22512")]), "add_on_without_primary") == []


def test_type_3_add_on_without_a_listed_primary_is_a_warning_with_the_contractor_caveat(claim_data):
    found = run(claim(diagnoses=["E11.9"], lines=[line("99214"), line("11103")]), "add_on_without_primary")
    assert found[0]["severity"] == "warning"
    assert "contractor" in found[0]["message"]
    assert run(claim(diagnoses=["E11.9"], lines=[line("11102"), line("11103")]), "add_on_without_primary") == []
