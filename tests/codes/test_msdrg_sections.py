import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string

from codes.models import Code
from codes.sections import cc, drg

SAMPLES = Path(__file__).parent / "samples"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


@pytest.fixture
def msdrg():
    call_command(
        "import_msdrg",
        f"--weights={SAMPLES / 'msdrg_weights.txt'}",
        f"--mcc={SAMPLES / 'msdrg_mcc.txt'}",
        f"--cc={SAMPLES / 'msdrg_cc.txt'}",
        f"--exclusions={SAMPLES / 'msdrg_exclusions.txt'}",
        stdout=StringIO(),
    )


def _icd10cm(code: str, title: str = "") -> Code:
    return Code.objects.create(
        system="icd-10-cm",
        code=code,
        compact=code.replace(".", ""),
        title=title,
        billable=True,
    )


def test_the_drg_section_gives_weights_mdc_and_family(msdrg, django_assert_max_num_queries):
    code = Code.objects.get(system="ms-drg", code="481")
    with django_assert_max_num_queries(3):
        context = drg.context(code)
    json.dumps(context)
    assert context["mdc"] == {
        "number": "08",
        "code": "MDC-08",
        "title": "Diseases and Disorders of the Musculoskeletal System and Connective Tissue",
        "url": "/ms-drg/browse/MDC-08/",
    }
    assert (
        context["type_label"],
        context["weight"],
        context["gmlos"],
        context["amlos"],
    ) == (
        "Surgical",
        "1.9712",
        "4.4",
        "5.0",
    )
    assert context["post_acute"]
    assert context["special_pay"]
    assert "half of the full MS-DRG payment" in context["transfer_note"]
    assert [(d["code"], d["severity"], d["current"]) for d in context["family"]] == [
        ("480", "with MCC", False),
        ("481", "with CC", True),
        ("482", "without CC/MCC", False),
    ]
    assert context["family"][0]["url"] == "/ms-drg/480/"


def test_a_drg_without_siblings_has_no_family(msdrg):
    context = drg.context(Code.objects.get(system="ms-drg", code="010"))
    assert context["family"] == []
    assert context["weight_before_cap"] == "3.0699"
    assert "Not subject to the post-acute" in context["transfer_note"]


def test_the_drg_section_skips_other_systems_and_mdc_nodes(msdrg):
    assert drg.context(Code.objects.get(system="ms-drg", code="MDC-08")) is None
    assert drg.context(_icd10cm("A00.0")) is None


def test_the_drg_template_renders_facts_and_family(msdrg):
    html = render_to_string(
        "codes/sections/_drg.html",
        {"data": drg.context(Code.objects.get(system="ms-drg", code="470"))},
    )
    assert '<a href="/ms-drg/browse/MDC-08/">MDC 08: Diseases and Disorders' in html
    assert '<th scope="row"><a href="/ms-drg/469/">469</a></th>' in html
    assert "1.9289" in html


def test_the_cc_section_lists_the_excluding_principal_diagnoses(msdrg, django_assert_max_num_queries):
    _icd10cm("G00.0", "Hemophilus meningitis")
    code = _icd10cm("A02.22", "Salmonella pneumonia")
    with django_assert_max_num_queries(4):
        context = cc.context(code)
    json.dumps(context)
    assert context["level"] == "MCC"
    exclusions = context["exclusions"]
    assert (exclusions["list_number"], exclusions["count"]) == ("0006", 4)
    assert [(row["code"], row["title"], row["self"]) for row in exclusions["codes"]] == [
        ("A02.21", "", False),
        ("A02.22", "Salmonella pneumonia", True),
        ("G00.0", "Hemophilus meningitis", False),
        ("S06.5X0A", "", False),
    ]
    assert exclusions["codes"][0]["url"] == "/icd-10-cm/A02.21/"


def test_the_cc_section_shows_only_the_first_codes_of_a_long_list(msdrg, monkeypatch):
    monkeypatch.setattr(cc, "SHOWN", 2)
    exclusions = cc.context(_icd10cm("A02.21"))["exclusions"]
    assert (exclusions["count"], exclusions["shown"]) == (4, 2)
    html = render_to_string("codes/sections/_cc.html", {"data": cc.context(_icd10cm("A02.22"))})
    assert "one of these 4 codes (the first 2 are listed here)" in html


def test_the_cc_section_says_when_a_code_has_no_exclusions(msdrg):
    context = cc.context(_icd10cm("K77"))
    assert (context["level"], context["exclusions"]) == ("CC", None)
    html = render_to_string("codes/sections/_cc.html", {"data": context})
    assert "counts as a CC with any principal diagnosis" in html


def test_the_cc_section_calls_other_codes_non_cc(msdrg, django_assert_max_num_queries):
    code = _icd10cm("E11.9")
    with django_assert_max_num_queries(2):
        context = cc.context(code)
    assert context["level_label"] == "Non-CC"


def test_the_cc_section_is_empty_before_the_msdrg_import():
    assert cc.context(_icd10cm("E11.9")) is None
