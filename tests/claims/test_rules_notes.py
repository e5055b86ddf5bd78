"""Tabular List notes, age and sex, fee schedule indicators and pointers: each rule on both sides of its boundary."""

import pytest

from tests.claims.conftest import claim, line, run

pytestmark = pytest.mark.django_db


def test_excludes1_at_the_category_forbids_the_pair_with_the_exception(claim_data):
    found = run(claim(diagnoses=["E11.9", "E10.9"], lines=[line("99214", pointers=(1, 2))]), "excludes1")
    assert [(f["severity"], f["codes"]) for f in found] == [("error", ["E11.9", "E10.9"])]
    assert "at category E11, inherited by E11.9" in found[0]["message"]
    assert "type 1 diabetes mellitus (E10.-)" in found[0]["message"]
    assert "I.A.12.a" in found[0]["message"]
    assert run(claim(diagnoses=["E11.9", "N18.4"], lines=[line("99214")]), "excludes1") == []


def test_excludes2_is_information(claim_data):
    found = run(claim(diagnoses=["E11.9", "E85.4"], lines=[line("99214")]), "excludes2")
    assert [f["severity"] for f in found] == ["info"]
    assert run(claim(diagnoses=["E11.9", "E10.9"], lines=[line("99214")]), "excludes2") == []


def test_an_unspecified_code_beside_a_specific_code_of_its_category_is_a_warning(claim_data):
    found = run(claim(diagnoses=["E11.22", "E11.9"], lines=[line("99214")]), "unspecified_with_specific")
    assert [(f["severity"], f["codes"]) for f in found] == [("warning", ["E11.9", "E11.22"])]
    assert "report E11.22 without E11.9 (guideline I.A.9.b)" in found[0]["message"]
    # Two specific codes of one category (as many as the complications need), or two categories: nothing.
    assert run(claim(diagnoses=["E11.22", "N18.4"], lines=[line("99214")]), "unspecified_with_specific") == []
    assert run(claim(diagnoses=["E11.9", "N18.4"], lines=[line("99214")]), "unspecified_with_specific") == []


def test_code_first_manifestation_before_its_etiology(claim_data):
    after = run(claim(diagnoses=["I43", "E85.4"], lines=[line("99214")]), "code_first")
    assert after[0]["severity"] == "error"
    assert "sequence E85.4 ahead of I43" in after[0]["message"]
    assert run(claim(diagnoses=["E85.4", "I43"], lines=[line("99214")]), "code_first") == []
    without = run(claim(diagnoses=["I43"], lines=[line("99214")]), "code_first")
    assert without[0]["severity"] == "warning"


def test_use_additional_code_met_or_not(claim_data):
    assert run(claim(diagnoses=["E11.22", "N18.4"], lines=[line("99214")]), "use_additional_code") == []
    found = run(claim(diagnoses=["E11.22", "I12.9"], lines=[line("99214")]), "use_additional_code")
    assert found[0]["severity"] == "warning"
    assert "N18.1-N18.6" in found[0]["message"]


def test_maternity_codes_on_a_male_patient_or_an_infant(claim_data):
    body = claim(diagnoses=["O80"], lines=[line("99214")])
    assert run({**body, "patient": {"sex": "M"}}, "sex_conflict")[0]["severity"] == "error"
    assert run({**body, "patient": {"sex": "F"}}, "sex_conflict") == []
    assert "MATERNAL RECORDS" in run({**body, "patient": {"age": 0}}, "age_conflict")[0]["message"].upper()
    assert run({**body, "patient": {"age": 1}}, "age_conflict") == []


def test_newborn_and_maternal_codes_cannot_share_a_record(claim_data):
    found = run(claim(diagnoses=["O80", "P07.30"], lines=[line("99214")]), "age_conflict")
    assert found[0]["codes"] == ["P07.30", "O80"]
    assert run(claim(diagnoses=["P07.30"], lines=[line("99214")]), "age_conflict") == []


def test_a_category_the_tabular_list_limits_to_one_sex(claim_data):
    found = run(claim(patient={"sex": "F"}, diagnoses=["N40.0"], lines=[line("99214")]), "sex_conflict")
    assert found[0]["severity"] == "warning"
    assert "Diseases of male genital organs" in found[0]["message"]
    assert run(claim(patient={"sex": "M"}, diagnoses=["N40.0"], lines=[line("99214")]), "sex_conflict") == []
    assert run(claim(diagnoses=["N40.0"], lines=[line("99214")]), "sex_conflict") == []  # sex not given


def test_bilateral_modifier(claim_data):
    assert run(claim(diagnoses=["E11.9"], lines=[line("27447", "50")]), "pfs_indicator") == []
    two = run(claim(diagnoses=["E11.9"], lines=[line("27447", "50", units=2)]), "pfs_indicator")
    assert "1 unit" in two[0]["message"]
    forbidden = run(claim(diagnoses=["E11.9"], lines=[line("43239", "50")]), "pfs_indicator")
    assert "bilateral indicator 0" in forbidden[0]["message"]


def test_assistant_at_surgery(claim_data):
    assert run(claim(diagnoses=["E11.9"], lines=[line("27447", "80")]), "pfs_indicator") == []
    found = run(claim(diagnoses=["E11.9"], lines=[line("20610", "80")]), "pfs_indicator")
    assert found[0]["severity"] == "error"
    assert "assistant at surgery indicator 1" in found[0]["message"]


def test_status_codes(claim_data):
    found = run(claim(diagnoses=["E11.9"], lines=[line("11102"), line("G0008")]), "pfs_indicator")
    assert {f["codes"][0]: f["message"][:31] for f in found} == {
        "11102": "11102 has fee schedule status B",
        "G0008": "G0008 has fee schedule status X",
    }
    assert run(claim(diagnoses=["E11.9"], lines=[line("36415")]), "pfs_indicator") == []  # T alone is paid
    assert run(claim(diagnoses=["E11.9"], lines=[line("36415"), line("27447")]), "pfs_indicator")[0]["codes"] == [
        "36415"
    ]
    # outpatient hospital claims are not paid under the PFS
    assert run(claim(setting="outpatient", diagnoses=["E11.9"], lines=[line("11102")]), "pfs_indicator") == []


def test_pointers(claim_data):
    assert run(claim(diagnoses=["E11.9", "N18.4"], lines=[line("99214", pointers=(1, 2))]), "pointer") == []
    found = run(claim(diagnoses=["E11.9", "N18.4"], lines=[line("99214", pointers=(3,))]), "pointer")
    assert "points to diagnosis 3, but the claim has 2 diagnoses" in found[0]["message"]
    assert run(claim(diagnoses=["E11.9"], lines=[line("99214", pointers=())]), "pointer")[0]["severity"] == "warning"
