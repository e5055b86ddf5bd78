"""The coder's method through the engine, on small real-shaped data: cases to codes with notes and
sequencing, Excludes pairs, drug units, CC/MCC given the principal diagnosis, rule questions."""

import datetime

import pytest
from django.db import transaction

from casepilot import engine, pairs, tools
from casepilot.tools import units
from codes import search
from codes.importers.base import CodeRow, sync_codes
from codes.models import CcCode, Code, DrgCcExclusion, Mue, Note, Release

pytestmark = pytest.mark.django_db


@pytest.fixture
def method_data(pilot_data):
    cm = Release.objects.get(dataset="icd-10-cm")
    rows = [
        CodeRow(code="E10", title="Type 1 diabetes mellitus", kind="category", parent="E08-E13"),
        CodeRow(code="E10.9", title="Type 1 diabetes mellitus without complications", parent="E10", billable=True),
        CodeRow(code="E11.22", title="Type 2 diabetes mellitus with diabetic chronic kidney disease", parent="E11.2", billable=True),
        CodeRow(code="14", title="Diseases of the genitourinary system (N00-N99)", kind="chapter"),
        CodeRow(code="N18", title="Chronic kidney disease (CKD)", kind="category", parent="14"),
        CodeRow(code="N18.4", title="Chronic kidney disease, stage 4 (severe)", parent="N18", billable=True),
        CodeRow(code="N18.5", title="Chronic kidney disease, stage 5", parent="N18", billable=True),
        CodeRow(code="N18.9", title="Chronic kidney disease, unspecified", parent="N18", billable=True),
        CodeRow(code="I12", title="Hypertensive chronic kidney disease", kind="category", parent="9"),
        CodeRow(code="I12.0", title="Hypertensive chronic kidney disease with stage 5 chronic kidney disease or end stage renal disease", parent="I12", billable=True),
        CodeRow(code="I12.9", title="Hypertensive chronic kidney disease with stage 1 through stage 4 chronic kidney disease, or unspecified chronic kidney disease", parent="I12", billable=True),
        CodeRow(code="I13.2", title="Hypertensive heart and chronic kidney disease with heart failure and with stage 5 chronic kidney disease, or end stage renal disease", parent="9", billable=True),
        CodeRow(code="I50.9", title="Heart failure, unspecified", parent="9", billable=True),
        CodeRow(code="E86.0", title="Dehydration", parent="4", billable=True),
        CodeRow(code="E87.1", title="Hypo-osmolality and hyponatremia", parent="4", billable=True),
        CodeRow(code="R07.9", title="Chest pain, unspecified", billable=True),
        CodeRow(code="R06.02", title="Shortness of breath", billable=True),
    ]  # fmt: skip
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=cm, rows=rows, scope=Code.objects.none())
    i12 = Code.objects.get(system="icd-10-cm", code="I12.0")
    Note.objects.create(
        code=i12,
        type=Note.Type.USE_ADDITIONAL,
        text="code to identify the stage of chronic kidney disease (N18.5, N18.6)",
    )
    e1122 = Code.objects.get(system="icd-10-cm", code="E11.22")
    Note.objects.create(
        code=e1122, type=Note.Type.USE_ADDITIONAL, text="code to identify stage of chronic kidney disease (N18.1-N18.6)"
    )
    drg = Release.objects.get(dataset="ms-drg")
    CcCode.objects.create(code="E87.1", level="CC", exclusion_list=586, release=drg)
    DrgCcExclusion.objects.create(list_number=586, pdx="E86.0", release=drg)
    hcpcs = Release.objects.get(dataset="hcpcs")
    rows = [
        CodeRow(code="J2405", title="Injection, ondansetron hydrochloride, per 1 mg", billable=True),
        CodeRow(code="J0696", title="Injection, ceftriaxone sodium, per 250 mg", billable=True),
        CodeRow(code="J3420", title="Injection, vitamin b-12 cyanocobalamin, up to 1000 mcg", billable=True),
        CodeRow(code="J1040", title="Injection, methylprednisolone acetate, 80 mg", deleted=True, termination_date=datetime.date(2024, 3, 31)),
        CodeRow(code="J1010", title="Injection, methylprednisolone acetate, 1 mg", billable=True, effective_date=datetime.date(2025, 1, 1)),
    ]  # fmt: skip
    with transaction.atomic():
        sync_codes(system="hcpcs", release=hcpcs, rows=rows, scope=Code.objects.none())
    cpt = Release.objects.get(dataset="cpt-codes")
    with transaction.atomic():
        sync_codes(
            system="cpt", release=cpt, rows=[CodeRow(code="99205", title="", billable=True)], scope=Code.objects.none()
        )
    search.build_index()
    Mue.objects.create(setting="practitioner", code="J2405", units=64, mai="3", release=Release.objects.get(dataset="ncci-mue-practitioner"))  # fmt: skip


def test_hypertension_with_ckd_is_the_combination_code_then_the_stage(method_data):
    answer = engine.answer("Hypertension and CKD stage 5, no heart failure. What codes?")
    text = answer.text
    assert "I12.0" in text
    assert "N18.5" in text
    assert text.index("I12.0") < text.index("N18.5")
    assert "I13.2" not in text  # no heart failure: not the heart-and-kidney code
    assert "I50.9" not in text
    assert "negated" in text
    assert "use additional code" in text


def test_diabetes_with_ckd_uses_the_with_presumption(method_data):
    text = engine.answer("Type 2 diabetes, CKD stage 4").text
    assert text.index("E11.22") < text.index("N18.4")


def test_a_denied_symptom_gets_no_code(method_data):
    text = engine.answer("Patient denies chest pain, complains of shortness of breath").text
    assert "R06.02" in text
    assert "R07.9" not in text


def test_an_uncertain_outpatient_diagnosis_is_not_coded(method_data):
    text = engine.answer("Outpatient visit: probable diabetes type 1").text
    assert "E10.9" not in text
    assert "IV.H" in text


def test_excludes1_pairs_say_no_with_the_note_and_its_level(method_data):
    Note.objects.create(
        code=Code.objects.get(system="icd-10-cm", code="E11"),
        type=Note.Type.EXCLUDES1,
        text="type 1 diabetes mellitus (E10.-)",
    )
    answer = engine.answer("Can I report E11.9 with E10.9?")
    assert answer.text.startswith("No: E11.9 and E10.9 are not coded together.")
    assert "Excludes1 note at category E11, inherited by E11.9" in answer.text
    assert "I.A.12.a" in answer.text
    assert "Yes" not in answer.text


def test_a_pair_without_notes_may_be_coded_together(method_data):
    findings = pairs.check(*Code.objects.filter(system="icd-10-cm", code__in=["E86.0", "E87.1"]))
    assert findings == []
    assert engine.answer("Can E86.0 be coded with E87.1?").text.startswith("Yes: no Excludes1 or Excludes2 note")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Ondansetron 8 mg, how many units of J2405?", "8 units of J2405"),
        ("Ceftriaxone 1 g IM: how many units of J0696?", "4 units of J0696"),
        ("Cyanocobalamin 2000 mcg, J3420 units?", "2 units of J3420"),
        ("Cyanocobalamin 1000 mcg, J3420 units?", "1 unit of J3420"),
    ],
)
def test_drug_units_come_from_the_descriptor_not_the_mue(method_data, question, expected):
    text = engine.answer(question).text
    assert expected in text
    if "J2405" in question:
        assert "The MUE is the most units one day's claim may carry" in text


def test_a_terminated_drug_code_points_to_its_replacement(method_data):
    text = engine.answer("Methylprednisolone acetate 80 mg, J1040 units").text
    assert "J1040" in text
    assert "deleted" in text
    assert "80 units of J1010" in text


def test_dosage_parsing():
    assert units.dosage("Injection, promethazine hcl, up to 50 mg") == ("up to", 50, "mg")
    assert units.dosage("Injection, heparin sodium, per 1000 units") == ("per", 1000, "units")
    assert units.dosage("Infusion, normal saline solution , 1000 cc") == ("", 1000, "ml")
    assert units.parse_dose("1.5 g") == (1500, "mg")


def test_a_cc_is_excluded_by_the_principal_diagnosis_on_its_list(method_data):
    text = engine.answer("Is hyponatremia (E87.1) a CC when dehydration (E86.0) is the principal diagnosis?").text
    assert text.startswith("No: with E86.0 as the principal diagnosis, E87.1 is excluded as a CC")
    assert "0586" in text


def test_em_time_and_rules_are_answered_with_their_source(method_data):
    answer = engine.answer("How much time does 99205 need?")
    assert "60 minutes" in answer.text
    assert any("Evaluation and Management" in c.title for c in answer.citations)
    text = engine.answer("What does Excludes2 mean?").text
    assert "not included here" in text
    assert "I.A.12.b" in text


def test_the_new_tools_are_in_the_one_table_for_the_llm():
    names = {schema["function"]["name"] for schema in tools.schemas()}
    assert {"code_case", "pair_check", "drug_units", "coding_rules"} <= names
    assert tools.validate("drug_units", {"code": "J2405", "dose": "8 mg"}) == {"code": "J2405", "dose": "8 mg"}


def test_a_cc_asked_about_alone_is_answered_first_in_the_questions_words(method_data):
    text = engine.answer("Is E87.1 a CC?").text
    assert text.startswith("E87.1 is a CC as a secondary diagnosis, unless the principal diagnosis is on its")
