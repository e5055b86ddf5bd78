"""CasePilot on the Alphabetic Index and the Official Guidelines (codes.models IndexTerm, GuidelineSection)."""

import datetime

import pytest
from django.db import transaction

from casepilot import engine, tools
from codes.importers.base import register_release
from codes.models import GuidelineSection, IndexTerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def guidelines(pilot_data):
    release = register_release(
        dataset="icd10cm-guidelines", version="2026", title="ICD-10-CM Official Guidelines FY2026",
        effective_date=datetime.date(2025, 10, 1),
    )  # fmt: skip
    GuidelineSection.objects.create(
        system="icd-10-cm", number="I.A.12.a", level=3, position=1, title="Excludes1", page=12, release=release,
        body="A type 1 Excludes note is a pure excludes note. It means NOT CODED HERE! An Excludes1 note indicates "
        "that the code excluded should never be used at the same time as the code above the Excludes1 note.",
    )  # fmt: skip


def test_rule_answers_quote_the_guideline_section_with_its_link(guidelines):
    result = tools.coding_rules("What does Excludes1 mean?")
    assert any(
        f.startswith("The guideline says (Section I.A.12.a, Excludes1): “A type 1 Excludes note") for f in result.facts
    )
    assert any(c.url.endswith("/I.A.12.a/") or "I.A.12.a" in c.url for c in result.citations)
    assert any("page 12" in c.title for c in result.citations)


def test_case_codes_come_from_the_alphabetic_index(pilot_data):
    release = register_release(
        dataset="icd10cm-index",
        version="2025",
        title="ICD-10-CM Index FY2025",
        effective_date=datetime.date(2024, 10, 1),
    )
    main = IndexTerm.objects.create(
        index="main", release=release, level=0, position=1, letter="I", title="Infarct, infarction",
        path="Infarct, infarction", search_text="infarct infarction", search_key="infarct infarction",
    )  # fmt: skip
    IndexTerm.objects.create(
        index="main", release=release, parent=main, main=main, level=1, position=2, letter="I",
        title="non-ST elevation (NSTEMI)", code="I21.4", code_compact="I214", code_status="valid",
        path="Infarct, infarction > myocardium > non-ST elevation (NSTEMI)",
        search_text="infarct infarction myocardium non st elevation nstemi", search_key="non st elevation nstemi",
    )  # fmt: skip
    answer = engine.answer("Infarction non-ST elevation, first visit")
    assert "I21.4" in answer.text


def test_a_lay_term_follows_its_see_to_the_code(pilot_data):
    """ "Hives, see Urticaria": the title words share nothing with the case, the Index links them."""
    from codes.importers.base import CodeRow, sync_codes
    from codes.models import Code, Release

    with transaction.atomic():
        sync_codes(
            system="icd-10-cm",
            release=Release.objects.get(dataset="icd-10-cm"),
            rows=[CodeRow(code="L50.9", title="Urticaria, unspecified", billable=True)],
            scope=Code.objects.none(),
        )
    release = register_release(dataset="icd10cm-index", version="2025", title="ICD-10-CM Index FY2025")
    urticaria = IndexTerm.objects.create(
        index="main", release=release, level=0, position=2, letter="U", title="Urticaria", code="L50.9",
        code_compact="L509", code_status="valid", path="Urticaria", search_text="urticaria", search_key="urticaria",
    )  # fmt: skip
    IndexTerm.objects.create(
        index="main", release=release, level=0, position=1, letter="H", title="Hives", see="Urticaria",
        see_target=urticaria, path="Hives", search_text="hives", search_key="hives",
    )  # fmt: skip
    text = engine.answer("Hives").text
    assert "L50.9" in text
    assert "Hives (see Urticaria)" in text


def test_a_reason_for_the_encounter_is_looked_up_under_its_main_term(pilot_data):
    """ "Encounter for screening colonoscopy": Screening > colonoscopy, whatever other entries hold the words."""
    from codes.importers.base import CodeRow, sync_codes
    from codes.models import Code, Release

    with transaction.atomic():
        sync_codes(
            system="icd-10-cm",
            release=Release.objects.get(dataset="icd-10-cm"),
            rows=[
                CodeRow(code="Z12.11", title="Encounter for screening for malignant neoplasm of colon", billable=True)
            ],
            scope=Code.objects.none(),
        )
    release = register_release(dataset="icd10cm-index", version="2025", title="ICD-10-CM Index FY2025")
    screening = IndexTerm.objects.create(
        index="main", release=release, level=0, position=1, letter="S", title="Screening", code="Z13.9",
        path="Screening", search_text="screening", search_key="screening",
    )  # fmt: skip
    IndexTerm.objects.create(
        index="main", release=release, level=1, position=2, letter="S", parent=screening, main=screening,
        title="colonoscopy", code="Z12.11", code_compact="Z1211", code_status="valid",
        path="Screening > colonoscopy", search_text="screening colonoscopy", search_key="colonoscopy",
    )  # fmt: skip
    text = engine.answer("Encounter for screening colonoscopy").text
    assert "Z12.11" in text
    assert "Alphabetic Index: Screening > colonoscopy" in text
