import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string

from codes.models import Code
from codes.sections import notes
from codes.templatetags.codelinks import codelinks

SAMPLES = Path(__file__).parent / "samples"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


@pytest.fixture(autouse=True)
def tabular():
    call_command("import_icd10cm", str(SAMPLES / "icd10cm_tabular_sample.xml"), stdout=StringIO())


def _context(code):
    return notes.context(Code.objects.get(system="icd-10-cm", code=code))


def _group(context, note_type):
    return next((g for g in context["groups"] if g["type"] == note_type), None)


def test_a_code_inherits_notes_from_every_level(django_assert_max_num_queries):
    code = Code.objects.get(code="M48.56XA")
    with django_assert_max_num_queries(3):
        context = notes.context(code)
    json.dumps(context)
    excludes1 = _group(context, "excludes1")
    assert (
        excludes1["sources"][0]["from"]["label"]
        == "From subcategory M48.5 — Collapsed vertebra, not elsewhere classified"
    )
    assert excludes1["sources"][0]["from"]["url"] == "/icd-10-cm/M48.5/"
    assert "fatigue fracture of vertebra (M48.4)" in excludes1["sources"][0]["notes"]
    chapter = _group(context, "excludes2")["sources"][0]["from"]
    assert (chapter["kind"], chapter["code"]) == ("chapter", "13")
    assert _group(context, "use_additional") is not None


def test_inclusion_terms_of_a_subcategory_show_on_the_codes_below_labelled_by_level():
    inherited = _group(_context("M48.56XA"), "inclusion")
    [source] = inherited["sources"]
    assert source["notes"] == ["Collapsed vertebra NOS"]
    assert source["from"]["label"] == "From subcategory M48.5 — Collapsed vertebra, not elsewhere classified"
    own = _group(_context("M48.5"), "inclusion")
    assert own["sources"] == [{"from": None, "notes": ["Collapsed vertebra NOS"]}]
    # Another subcategory's inclusion terms stay there.
    assert "Caudal stenosis" not in str(inherited)


def test_inclusion_terms_show_on_the_page_of_a_code_below(client):
    html = client.get("/icd-10-cm/M48.56XA/").content.decode()
    assert "Collapsed vertebra NOS" in html
    assert 'From subcategory <a href="/icd-10-cm/M48.5/">M48.5</a>' in html


def test_groups_follow_the_book_order_nearest_level_first():
    context = _context("M49.80")
    assert [g["type"] for g in context["groups"]] == [
        "note",
        "includes",
        "excludes2",
        "code_first",
        "use_additional",
    ]
    assert _group(context, "code_first")["sources"][0]["notes"] == [
        "underlying disease, such as:",
        "brucellosis (A23.-)",
    ]


def test_a_seventh_character_code_gets_the_table_with_its_character_marked():
    seventh = _context("M48.56XA")["seventh"]
    assert seventh["from"]["code"] == "M48.5"
    assert seventh["notes"] == ["The appropriate 7th character is to be added to each code from subcategory M48.5:"]
    chars = {c["char"]: c for c in seventh["characters"]}
    assert list(chars) == ["A", "D", "G", "S"]
    assert chars["A"]["current"]
    assert chars["D"]["code"] == "M48.56XD"
    assert chars["G"]["also"] == ["subsequent encounter for fracture NOS with delayed healing"]
    assert "placeholder X" in seventh["placeholder"]
    assert "M48.56XA" in seventh["placeholder"]


def test_the_placeholder_rule_is_not_shown_for_six_character_codes():
    seventh = _context("S06.1X1")["seventh"]
    assert seventh["placeholder"] == ""
    assert [c["code"] for c in seventh["characters"]] == [
        "S06.1X1A",
        "S06.1X1D",
        "S06.1X1S",
    ]


def test_characters_that_do_not_apply_have_no_code():
    seventh = _context("S06.1X7")["seventh"]
    assert [c["code"] for c in seventh["characters"]] == ["S06.1X7A", "", ""]
    assert seventh["partial"]


def test_a_category_with_a_definition_lists_characters_only():
    seventh = _context("M48.5")["seventh"]
    assert seventh["from"] is None
    assert seventh["base"] == ""
    assert _context("T07.XXXA")["seventh"]["placeholder"].startswith("T07 has 3 characters: fill positions 4, 5, 6")


def test_other_systems_have_no_notes_section():
    code = Code(system="hcpcs", code="A0021", pk=10**6)
    assert notes.context(code) is None


def test_the_template_renders_links_and_the_table():
    html = render_to_string("codes/sections/_notes.html", {"data": _context("M48.56XA")})
    assert '<a href="/icd-10-cm/M48.4/">M48.4</a>' in html
    assert 'href="/icd-10-cm/M48.56XD/"' in html
    assert "(this code)" in html


def test_codelinks_links_code_references_and_escapes_the_rest():
    assert codelinks("amputation (S58.-) <b>") == 'amputation (<a href="/icd-10-cm/S58/">S58.-</a>) &lt;b&gt;'
    assert codelinks("disabilities (F70-F79)") == (
        'disabilities (<a href="/icd-10-cm/F70/">F70</a>-<a href="/icd-10-cm/F79/">F79</a>)'
    )
    assert codelinks("each code from category S06") == 'each code from category <a href="/icd-10-cm/S06/">S06</a>'
    assert codelinks("vitamin B12 deficiency") == "vitamin B12 deficiency"
