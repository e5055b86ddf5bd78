"""The default engine: understanding varied phrasings, and answers composed only from tool facts."""

import dataclasses

import pytest
from django.db import transaction

from casepilot import engine, tools
from codes import search
from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import PlainDescription

pytestmark = pytest.mark.django_db


def codes_of(u):
    return [(f.code.system, f.code.code) for f in u.codes]


@pytest.mark.parametrize(
    ("question", "codes"),
    [
        ("What is CPT code 99213?", [("cpt", "99213")]),
        ("what's m4856xa", [("icd-10-cm", "M48.56XA")]),
        ("What is ICD-10-CM M48.56XA?", [("icd-10-cm", "M48.56XA")]),
        ("define J1100", [("hcpcs", "J1100")]),
        ("ICD-10 J1100?", [("icd-10-cm", "J11.00")]),  # the code set named wins
        ("Is J11.00 billable", [("icd-10-cm", "J11.00")]),
        ("tell me about DRG 470 and 99214", [("cpt", "99214")]),  # no DRG 470 in the sample: not invented
    ],
)
def test_it_finds_codes_in_any_form_and_system(pilot_data, question, codes):
    assert codes_of(engine.understand(question)) == codes


@pytest.mark.parametrize(
    ("question", "tool"),
    [
        ("Can 43239 and 43235 be billed together?", "ptp_edit"),
        ("43239 with 43235 same day - NCCI?", "ptp_edit"),
        ("is there a bundling edit between 43235 & 43239", "ptp_edit"),
        ("43239 43235", "ptp_edit"),
        ("How many units of J1100 per day?", "mue"),
        ("What's the MUE for J1100", "mue"),
        ("max units J1100", "mue"),
        ("Is 99292 an add-on code?", "addon_codes"),
        ("primary codes for 99292", "addon_codes"),
        ("RVUs for 99214", "fee_schedule"),
        ("What is the global period of 43239?", "fee_schedule"),
        ("How much does Medicare pay for 99214?", "fee_schedule"),
        ("Is E11 billable?", "is_billable"),
        ("Can I bill E11.9?", "is_billable"),
        ("E11", "is_billable"),  # a header on its own: say it is not billable
        ("Excludes1 notes for E11.9", "icd10cm_notes"),
        ("what 7th character does M48.56 need", "icd10cm_notes"),
        ("code first note E11.21?", "icd10cm_notes"),
        ("Is I21.4 an MCC?", "cc_mcc"),
        ("What does modifier XE mean?", "modifier_info"),
        ("modifier -LT", "modifier_info"),
        ("What is CPT 99213?", "lookup_code"),
        ("22521", "lookup_code"),
        ("What is the ICD-10 code for ICD-9 250.00?", "crosswalk"),
        ("What does E11.9 map to in ICD-9?", "crosswalk"),
    ],
)
def test_it_picks_the_tool_for_the_question(pilot_data, question, tool):
    calls = engine.plan(engine.understand(question))
    assert calls[0][0] == tool


def test_units_and_localities_are_understood(pilot_data):
    u = engine.understand("Is 150 units of J1100 ok?")
    assert u.units == 150
    u = engine.understand("What does 99214 pay in Manhattan?")
    assert u.locality
    assert engine.plan(u)[0] == ("fee_schedule", {"code": "99214", "locality": u.locality})


def test_code_with_a_modifier_suffix(pilot_data):
    u = engine.understand("Can I bill 99213-25 with 43239?")
    assert "25" in u.modifiers
    assert ("cpt", "99213") in codes_of(u)


def test_the_code_set_name_is_not_a_modifier(pilot_data):
    assert engine.understand("What is ICD-10-CM M48.56XA?").modifiers == []


@pytest.mark.sqlite_smoke
def test_an_answer_cites_its_sources_and_links_its_codes(pilot_data):
    answer = engine.answer("Can 43239 and 43235 be billed together?")
    assert "43239 is column 1 and 43235 is column 2" in answer.text
    assert "Modifier indicator 0" in answer.text
    assert any("NCCI PTP edits of 43239" in c.title and "2024Q3" in c.title for c in answer.citations)
    assert {(c.system, c.code, c.url) for c in answer.codes} == {
        ("cpt", "43239", "/cpt/43239/"),
        ("cpt", "43235", "/cpt/43235/"),
    }


def test_every_fact_of_the_answer_comes_from_a_tool(pilot_data):
    answer = engine.answer("What are the RVUs of 99214 in Manhattan?")
    facts = [fact for result in answer.results for fact in result.facts]
    for paragraph in answer.text.split("\n\n"):
        assert any(fact in paragraph for fact in facts)
    assert "$145.26" in answer.text


def test_an_unknown_code_is_not_guessed(pilot_data):
    answer = engine.answer("What is Z99.99?")
    assert "Z99.99 is not a code in any code set on this site" in answer.text
    assert "won't guess" in answer.text
    assert answer.codes == []


def test_an_off_topic_question_says_it_does_not_know(pilot_data):
    answer = engine.answer("Who will win the game tonight?")
    assert answer.text == engine.DONT_KNOW
    assert answer.citations == []


def test_a_guideline_question_answers_from_the_guides(pilot_data, guide):
    answer = engine.answer("When do I need modifier 25 on a visit?")
    assert guide.title in answer.text
    assert answer.citations[0].url == guide.get_absolute_url()


def test_it_streams_progress_before_text(pilot_data):
    events = list(engine.run("How many units of J1100 per day?"))
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "progress"
    assert kinds.index("progress") < kinds.index("text") < kinds.index("done")
    assert "Checking the MUEs of J1100…" in [value for kind, value in events if kind == "progress"]


def test_an_icd9_code_is_not_read_as_a_cpt_code(pilot_data):
    u = engine.understand("ICD-9 250.00 crosswalk")
    assert u.icd9 == ["250.00"]
    assert u.codes == []


def test_a_failing_table_is_said_and_the_rest_still_answers(pilot_data, monkeypatch):
    from django.db import DatabaseError, connection

    def broken(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")
        raise AssertionError("unreachable")

    monkeypatch.setitem(tools.TOOLS, "mue", dataclasses.replace(tools.TOOLS["mue"], function=broken))
    answer = engine.answer("What is the MUE and the RVUs of 99214?")
    assert "could not be checked just now" in answer.text
    assert "work RVU 1.92" in answer.text  # later queries still run (the failure was rolled back alone)
    assert DatabaseError  # the error is the database's, caught by the engine


def _sync(system: str, dataset: str, rows) -> None:
    release = register_release(dataset=dataset, version="2026", title=f"{dataset} 2026")
    with transaction.atomic():
        sync_codes(system=system, release=release, rows=rows)


def test_a_question_naming_a_code_set_is_answered_with_its_codes_first(pilot_data):
    _sync("ms-drg", "ms-drg", [CodeRow(code="871", title="SEPTICEMIA OR SEVERE SEPSIS WITHOUT MV >96 HOURS WITH MCC", billable=True)])  # fmt: skip
    # More than a hundred codes of another set share the word: the CPT code is still found.
    _sync("icd-10-pcs", "icd-10-pcs", [CodeRow(code=f"0DJ{i:04d}", title=f"Colonoscopy variant {i}", billable=True) for i in range(120)])  # fmt: skip
    _sync("cpt", "cpt-codes", [CodeRow(code="45378", title="", billable=True)])
    PlainDescription.objects.create(
        system="cpt", code="45378", text="A diagnostic colonoscopy.", author="Editors", status="published"
    )
    search.build_index()
    text = engine.answer("What is the DRG for sepsis?").text
    assert text.startswith("Codes matching")
    assert "MS-DRG 871" in text
    assert "CPT 45378" in engine.answer("What is the CPT code for a colonoscopy?").text


def test_what_is_the_pcs_code_for_a_procedure_is_a_search_not_a_definition(pilot_data):
    _sync("icd-10-pcs", "icd-10-pcs", [CodeRow(code="0DTJ4ZZ", title="Resection of Appendix, Percutaneous Endoscopic Approach", billable=True)])  # fmt: skip
    search.build_index()
    text = engine.answer("What is the PCS code for resection of appendix?").text
    assert "ICD-10-PCS 0DTJ4ZZ" in text


def test_the_difference_between_two_codes_gives_each_codes_facts(pilot_data):
    text = engine.answer("What is the difference between E11.9 and E11.21?").text
    assert "Type 2 diabetes mellitus without complications" in text
    assert "Type 2 diabetes mellitus with diabetic nephropathy" in text
    assert not text.startswith(("Yes:", "No:"))  # no pair check: nobody asked whether they go together
    assert engine.answer("Can E11.9 and E11.21 be coded together?").text.startswith("No:")
