"""CasePilot on the tables a coder reads beside the Tabular List: the Table of Drugs and Chemicals
(poisoning, adverse effect, underdosing), the ICD-10-PCS root operation definitions, Table 6K part 2
(discharged alive) and a code's validity on the date of service asked about."""

import datetime

import pytest
from django.db import transaction

from casepilot import engine, tools
from casepilot.models import Guide
from codes import search
from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import CcCode, Code, IndexTerm, PcsDefinition, Release

pytestmark = pytest.mark.django_db


@pytest.fixture
def table_data(pilot_data):
    cm = Release.objects.get(dataset="icd-10-cm")
    rows = [
        CodeRow(code="19", title="Injury, poisoning and certain other consequences of external causes (S00-T88)", kind="chapter"),
        CodeRow(code="T40.2X1A", title="Poisoning by other opioids, accidental (unintentional), initial encounter", parent="19", billable=True),
        CodeRow(code="T40.2X2A", title="Poisoning by other opioids, intentional self-harm, initial encounter", parent="19", billable=True),
        CodeRow(code="T45.515A", title="Adverse effect of anticoagulants, initial encounter", parent="19", billable=True),
        CodeRow(code="T38.1X6A", title="Underdosing of thyroid hormones and substitutes, initial encounter", parent="19", billable=True),
        CodeRow(code="R31.9", title="Hematuria, unspecified", billable=True),
        CodeRow(code="E03.9", title="Hypothyroidism, unspecified", parent="4", billable=True),
        CodeRow(code="Z91.120", title="Patient's intentional underdosing of medication regimen due to financial hardship", billable=True),
        CodeRow(code="R57.0", title="Cardiogenic shock", billable=True),
        CodeRow(code="M54.5", title="Low back pain", kind="subcategory", deleted=True, termination_date=datetime.date(2021, 9, 30)),
        CodeRow(code="M54.50", title="Low back pain, unspecified", billable=True, effective_date=datetime.date(2021, 10, 1)),
    ]  # fmt: skip
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=cm, rows=rows, scope=Code.objects.none())
    table = register_release(
        dataset="icd-10-cm-drugs", version="2025", title="ICD-10-CM Table of Drugs and Chemicals FY2025"
    )
    for position, (title, cells) in enumerate(
        [
            ("Oxycodone", ["T40.2X1", "T40.2X2", "T40.2X3", "T40.2X4", "T40.2X5", "T40.2X6"]),
            ("Warfarin", ["T45.511", "T45.512", "T45.513", "T45.514", "T45.515", "T45.516"]),
            ("Levothyroxine", ["T38.1X1", "T38.1X2", "T38.1X3", "T38.1X4", "T38.1X5", "T38.1X6"]),
        ]
    ):
        IndexTerm.objects.create(
            index="drugs", release=table, position=position, letter=title[0], title=title, path=title,
            search_key=title.lower(), search_text=title.lower(), cells=cells,
        )  # fmt: skip
    index = register_release(dataset="icd-10-cm-index", version="2025", title="ICD-10-CM Index FY2025")
    main = IndexTerm.objects.create(
        index="main", release=index, position=1, letter="U", title="Underdosing", path="Underdosing",
        search_key="underdosing", search_text="underdosing",
    )  # fmt: skip
    IndexTerm.objects.create(
        index="main", release=index, position=2, letter="U", level=2, parent=main, main=main,
        title="due to financial hardship of patient", code="Z91.120", code_compact="Z91120", code_status="valid",
        path="Underdosing > intentional NEC > due to financial hardship of patient",
        search_text="underdosing intentional nec due to financial hardship of patient",
    )  # fmt: skip
    pcs = register_release(dataset="icd-10-pcs", version="2026", title="ICD-10-PCS FY2026")
    for value, term, definition, includes in [
        ("7", "Dilation", "Expanding an orifice or the lumen of a tubular body part", ["Percutaneous transluminal angioplasty, internal urethrotomy"]),
        ("B", "Excision", "Cutting out or off, without replacement, a portion of a body part", ["Partial nephrectomy, liver biopsy"]),
        ("T", "Resection", "Cutting out or off, without replacement, all of a body part", ["Total nephrectomy, total lobectomy of lung"]),
    ]:  # fmt: skip
        PcsDefinition.objects.create(
            section="0", axis=3, axis_title="Operation", value=value, term=term, definition=definition,
            includes=includes, release=pcs,
        )  # fmt: skip
    CcCode.objects.create(code="R57.0", level="MCC", discharged_alive_only=True, release=Release.objects.get(dataset="ms-drg"))  # fmt: skip
    search.build_index()


def test_a_poisoning_is_coded_from_the_table_with_its_intent_and_encounter(table_data):
    text = engine.answer("Accidental overdose of oxycodone, initial encounter").text
    assert "T40.2X1A" in text
    assert "Table of Drugs and Chemicals" in text
    assert "T40.2X2A" not in text
    assert "T40.2X2A" in engine.answer("Intentional overdose of oxycodone, initial encounter").text


def test_a_poisoning_of_unknown_intent_is_accidental_and_says_why(table_data):
    text = engine.answer("Oxycodone overdose, initial encounter").text
    assert "T40.2X1A" in text
    assert "I.C.19.e.5.b" in text


def test_an_adverse_effect_codes_the_manifestation_first(table_data):
    text = engine.answer("Hematuria due to warfarin taken as prescribed, initial encounter").text
    assert -1 < text.index("R31.9") < text.index("T45.515A")
    assert "I.C.19.e.5.a" in text


def test_an_underdosing_follows_the_condition_and_gets_its_noncompliance_code(table_data):
    text = engine.answer("Hypothyroidism, patient stopped levothyroxine due to cost, initial encounter").text
    assert -1 < text.index("E03.9") < text.index("T38.1X6A") < text.index("Z91.120")
    assert "never principal" in text


def test_a_root_operation_is_answered_from_the_cms_definitions(table_data):
    text = engine.answer("What is the root operation Excision?").text
    assert "a portion of a body part" in text
    answer = engine.answer("Root operation for a balloon angioplasty of a coronary artery")
    assert "The root operation for this procedure is Dilation" in answer.text
    assert any("ICD-10-PCS Definitions" in c.title for c in answer.citations)


def test_an_mcc_only_for_patients_discharged_alive_says_so(table_data):
    text = engine.answer("Is R57.0 an MCC?").text
    assert "only if the patient is discharged alive" in text


def test_every_code_named_is_checked_against_the_date_asked(table_data):
    text = engine.answer("Is M54.5 billable for a date of service of 2025-03-01?").text
    assert "On 2025-03-01: ICD-10-CM M54.5 is not valid" in text
    assert "On 2021-06-01: ICD-10-CM M54.5 is valid" in engine.answer("Was M54.5 valid on 06/01/2021?").text
    assert "On 2025-03-01: ICD-10-CM M54.50 is valid" in engine.answer("Low back pain, date of service 2025-03-01").text


def test_the_new_tools_are_in_the_llm_table(table_data):
    names = {schema["function"]["name"] for schema in tools.schemas()}
    assert {"pcs_root_operation", "valid_on"} <= names
    assert tools.call("valid_on", {"code": "M54.50", "date": "not a date"}).found is False


def test_a_question_of_method_about_root_operations_also_gets_the_guide(table_data):
    Guide.objects.create(
        slug="pcs-root-operations",
        title="Choosing the ICD-10-PCS root operation",
        summary="The root operation is chosen by the objective of the procedure, using the full PCS definition.",
        body="Choose the root operation by the procedure's objective.",
        body_html="<p>Choose the root operation by the procedure's objective.</p>",
        topic="pcs",
        keywords=["root operation", "pcs root operation"],
        updated=datetime.date(2026, 1, 1),
    )
    assert "Choosing the ICD-10-PCS root operation" in engine.answer("How do I choose the PCS root operation?").text
    assert "Choosing the ICD-10-PCS root operation" not in engine.answer("What is the root operation Excision?").text
