import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from codes import alphabetic_index
from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code, IndexTerm, Release
from codes.sections import alphabetic_index as index_section

SAMPLES = Path(__file__).parent / "samples"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


@pytest.fixture
def tabular():
    """A few FY2026 codes: E11.22 and L50.9 are complete, S32.009 needs a 7th character."""
    release = register_release(
        dataset="icd-10-cm", version="2026", title="ICD-10-CM FY2026", effective_date=datetime.date(2025, 10, 1)
    )
    rows = [
        CodeRow(code="4", title="Endocrine, nutritional and metabolic diseases (E00-E89)", kind="chapter"),
        CodeRow(code="E08-E13", title="Diabetes mellitus", kind="section", parent="4"),
        CodeRow(code="E11", title="Type 2 diabetes mellitus", kind="category", parent="E08-E13"),
        CodeRow(
            code="E11.2", title="Type 2 diabetes mellitus with kidney complications", kind="subcategory", parent="E11"
        ),
        CodeRow(
            code="E11.22",
            title="Type 2 diabetes mellitus with diabetic chronic kidney disease",
            parent="E11.2",
            billable=True,
        ),
        CodeRow(
            code="E11.29",
            title="Type 2 diabetes mellitus with other diabetic kidney complication",
            parent="E11.2",
            billable=True,
        ),
        CodeRow(code="E11.9", title="Type 2 diabetes mellitus without complications", parent="E11", billable=True),
        CodeRow(code="12", title="Diseases of the skin and subcutaneous tissue (L00-L99)", kind="chapter"),
        CodeRow(code="L50", title="Urticaria", kind="category", parent="12"),
        CodeRow(code="L50.0", title="Allergic urticaria", parent="L50", billable=True),
        CodeRow(code="L50.5", title="Cholinergic urticaria", parent="L50", billable=True),
        CodeRow(code="L50.9", title="Urticaria, unspecified", parent="L50", billable=True),
        CodeRow(code="19", title="Injury, poisoning (S00-T88)", kind="chapter"),
        CodeRow(code="S32", title="Fracture of lumbar spine and pelvis", kind="category", parent="19"),
        CodeRow(code="S32.0", title="Fracture of lumbar vertebra", kind="subcategory", parent="S32"),
        CodeRow(code="S32.00", title="Unspecified fracture of lumbar vertebra", kind="subcategory", parent="S32.0"),
        CodeRow(
            code="S32.009",
            title="Unspecified fracture of unspecified lumbar vertebra",
            kind="subcategory",
            parent="S32.00",
        ),
        CodeRow(code="S32.009A", title="... initial encounter for closed fracture", parent="S32.009", billable=True),
        CodeRow(code="S32.009B", title="... initial encounter for open fracture", parent="S32.009", billable=True),
        CodeRow(code="T14.8", title="Other injury of unspecified body region", parent="19", billable=True),
        CodeRow(code="T33.90", title="Superficial frostbite of unspecified sites", parent="19", billable=True),
    ]
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=release, rows=rows)


def _import(name="icd10cm_index_flat_sample.csv") -> str:
    out = StringIO()
    year = ["--version", "2025"] if name.endswith(".csv") else []
    call_command("import_icd10cm_alphabetic_index", str(SAMPLES / name), *year, stdout=out)
    return out.getvalue()


def _term(title, **filters):
    return IndexTerm.objects.main_index().get(title=title, **filters)


def test_it_needs_the_tabular_first():
    with pytest.raises(CommandError, match="before the index"):
        _import()


def test_it_rebuilds_the_tree_from_the_levels(tabular):
    output = _import()
    assert "32 terms (11 main terms)" in output
    ckd = _term("chronic kidney disease")
    assert ckd.level == 3
    assert ckd.parent.title == "with"
    assert ckd.parent.parent.title == "type 2"
    assert ckd.main.title == "Diabetes"
    assert ckd.path == "Diabetes > type 2 > with > chronic kidney disease"
    assert _term("Diabetes").nemod == "(mellitus) (sugar)"
    lumbar = _term("lumbar")
    assert lumbar.parent.title == "vertebra, vertebral"
    assert lumbar.parent.parent.title == "Fracture, traumatic"
    release = Release.objects.get(dataset="icd-10-cm-main-index")
    assert (release.version, release.row_count) == ("2025", 32)


def test_it_resolves_each_code_against_the_tabular(tabular):
    output = _import()
    assert "1 need more characters" in output
    assert _term("chronic kidney disease").code_status == IndexTerm.Status.VALID
    lumbar = _term("lumbar")
    assert lumbar.code_status == IndexTerm.Status.INCOMPLETE
    assert lumbar.completions == ["S32.009A", "S32.009B"]
    assert lumbar.completion_count == 2
    # L50.7 is not in this tabular: flagged, not dropped.
    obsolete = _term("obsolete")
    assert obsolete.code_status == IndexTerm.Status.INVALID
    assert obsolete.invalid_codes == ["L50.7"]


def test_it_resolves_see_and_see_also_to_terms(tabular):
    _import()
    assert _term("Hives").see_target == _term("Urticaria", level=0)
    assert _term("gestational").see_target == _term("type 2")
    # A main term whose title holds a comma, then its subterm.
    assert _term("Fracture").see_target == _term("Fracture, traumatic")
    # "Fracture, femur, neck" is under "Fracture, traumatic", not "Fracture, burst", the first
    # "Fracture, ..." main term in the book.
    assert _term("hip").see_target == _term("neck")
    # "with cholecystitis" written as one part of the name is two levels of the Index.
    assert _term("cholelithiasis").see_target.path == "Calculus, calculous > gallbladder > with > cholecystitis > acute"
    assert _term("Frostbite").see_also_target is None  # "Immersion" is not in this index
    assert _term("Diabetic").see_target is None  # "see condition": a general instruction


def test_a_rerun_replaces_the_terms(tabular):
    _import()
    first = list(IndexTerm.objects.main_index().order_by("position").values_list("path", "code", "code_status"))
    _import()
    again = list(IndexTerm.objects.main_index().order_by("position").values_list("path", "code", "code_status"))
    assert first == again
    assert Release.objects.filter(dataset="icd-10-cm-main-index").count() == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "icd10cm_index_flat_bad_level.csv",
            "icd10cm_index_flat_bad_level.csv, line 3: a level 2 term without a level 1",
        ),
        ("icd10cm_index_flat_bad_header.csv", "icd10cm_index_flat_bad_header.csv, line 1: expected the columns"),
        (
            "icd10cm_index_flat_bad_code.csv",
            "icd10cm_index_flat_bad_code.csv, line 3: 'not a code' is not an ICD-10-CM",
        ),
        ("icd10cm_main_index_bad.xml", "icd10cm_main_index_bad.xml, line 12: unexpected <bogus>"),
    ],
)
def test_it_rejects_malformed_files_with_file_and_line(tabular, name, message):
    _import()
    with pytest.raises(CommandError) as error:
        _import(name)
    assert message in str(error.value)
    assert IndexTerm.objects.main_index().count() == 32  # the previous index is kept


def test_the_official_xml_loads_through_the_same_code(tabular):
    output = _import("icd10cm_main_index_sample.xml")
    assert "8 terms (3 main terms)" in output
    ckd = _term("chronic kidney disease")
    assert ckd.path == "Diabetes, diabetic > type 2 > with > chronic kidney disease"
    assert ckd.manif == ["N18.-"]
    assert ckd.code_status == IndexTerm.Status.VALID
    assert _term("Diabetes, diabetic").nemod == "(mellitus) (sugar)"
    assert _term("Hives").see_target == _term("Urticaria")
    vasculitis = _term("vasculitis")
    assert vasculitis.code == "L50."
    assert vasculitis.code_status == IndexTerm.Status.INCOMPLETE
    assert vasculitis.completions == ["L50.0", "L50.5", "L50.9"]
    assert vasculitis.see_also_target == _term("type 2")


def test_the_main_index_xml_is_not_taken_for_a_table(tabular):
    with pytest.raises(CommandError, match="import_icd10cm_alphabetic_index"):
        call_command("import_icd10cm_index", str(SAMPLES / "icd10cm_main_index_sample.xml"), stdout=StringIO())


# --- pages ---------------------------------------------------------------------------------


def test_the_letters_page_lists_letters_and_says_where_it_comes_from(tabular, client):
    _import()
    response = client.get("/icd-10-cm/index/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/icd-10-cm/index/u/"' in page
    assert "FY2025" in page
    assert "lacks the bracketed manifestation codes" in page


def test_a_letter_lists_its_main_terms(tabular, client):
    _import()
    response = client.get("/icd-10-cm/index/u/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<a href="/icd-10-cm/index/u/urticaria/">Urticaria</a>' in page
    assert "Urticarial vasculitis" in page
    assert "Hives" not in page
    assert "lacks the bracketed manifestation codes" in page
    assert client.get("/icd-10-cm/index/U/").status_code == 301
    assert client.get("/icd-10-cm/index/q/").status_code == 404


def test_a_main_term_page_shows_the_tree_codes_and_pointers(tabular, client, django_assert_max_num_queries):
    _import()
    with django_assert_max_num_queries(6):
        response = client.get("/icd-10-cm/index/u/urticaria/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/icd-10-cm/L50.9/"' in page
    assert 'class="index-term level-1"' in page
    assert 'href="/icd-10-cm/tables/drugs/"' in page  # "see also Table of Drugs and Chemicals"
    assert "not a code in FY2026" in page  # L50.7
    vasculitis = client.get("/icd-10-cm/index/u/urticarial-vasculitis/").content.decode()
    assert 'href="/icd-10-cm/M31/"' in vasculitis  # "see also category M31"
    hives = client.get("/icd-10-cm/index/h/hives/").content.decode()
    assert '<span class="nemod">(bullous)</span>' in hives
    assert '<a href="/icd-10-cm/index/u/urticaria/">Urticaria</a>' in hives


def test_a_code_that_needs_more_characters_says_so(tabular, client):
    _import()
    page = client.get("/icd-10-cm/index/f/fracture-traumatic/").content.decode()
    assert "needs a 7th character" in page
    assert '<span class="completions-inline">S32.009 + A B</span>' in page  # S32.009A and S32.009B
    assert "(abrasion) (closed)" in page
    assert client.get("/icd-10-cm/index/f/no-such-term/").status_code == 404


def test_the_lookup_finds_paths(tabular, client):
    _import()
    page = client.get("/icd-10-cm/index/", {"q": "lumbar fracture"}).content.decode()
    assert "Fracture, traumatic &gt; vertebra, vertebral &gt; lumbar" in page
    leads = client.get("/icd-10-cm/index/", {"code": "E11.22"}).content.decode()
    assert "Diabetes &gt; type 2 &gt; with &gt; chronic kidney disease" in leads


def test_the_api_returns_matching_paths_with_their_codes(tabular, client):
    _import()
    response = client.get("/api/v1/icd-10-cm/index", {"term": "urticaria"})
    assert response.status_code == 200
    body = response.json()
    first = body["results"][0]
    assert first["path"] == ["Urticaria"]
    assert first["code"] == "L50.9"
    assert first["code_status"] == "valid"
    assert first["code_url"].endswith("/icd-10-cm/L50.9/")
    assert (
        body["count"] == len(body["results"]) == 6
    )  # Urticaria, its 4 subterms, Urticarial vasculitis ("Hives, see Urticaria" names it only as a pointer)
    lumbar = client.get("/api/v1/icd-10-cm/index", {"term": "vertebra lumbar"}).json()["results"][0]
    assert lumbar["code_status"] == "incomplete"
    assert lumbar["completions"] == ["S32.009A", "S32.009B"]
    assert client.get("/api/v1/icd-10-cm/index").status_code == 400
    assert client.get("/api/v1/icd-10-cm/index", {"term": "x", "limit": "0"}).status_code == 400
    assert client.get("/api/v1/icd-10-cm/index", {"term": "zzzz"}).json()["results"] == []


def test_the_api_is_rate_limited(tabular, client, monkeypatch):
    monkeypatch.setattr(alphabetic_index, "LOOKUP_RATE", "1/m")
    assert client.get("/api/v1/icd-10-cm/index", {"term": "urticaria"}).status_code == 200
    refused = client.get("/api/v1/icd-10-cm/index", {"term": "urticaria"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"


def test_a_code_page_lists_the_entries_that_lead_to_it(tabular, client):
    _import()
    page = client.get("/icd-10-cm/E11.22/").content.decode()
    assert "Index entries that lead here" in page
    assert "Diabetes &gt; type 2 &gt; with &gt; chronic kidney disease" in page
    assert 'href="/icd-10-cm/index/d/diabetes/#t4"' in page
    # A header's page also shows the entries that point at codes under it.
    category = client.get("/icd-10-cm/E11/").content.decode()
    assert "chronic kidney disease" in category
    assert "Urticaria &gt; cholinergic" in client.get("/icd-10-cm/L50.5/").content.decode()


def test_the_section_is_bounded(tabular):
    _import()
    code = Code.objects.get(system="icd-10-cm", code="E11")
    with CaptureQueriesContext(connection) as queries:
        data = index_section.context(code)
    assert len(queries) <= 2
    assert {e["code"] for e in data["entries"]} == {"E11.9", "E11.22", "E11.29"}


def test_the_lookup_page_refuses_with_the_sites_429_and_says_when_to_retry(tabular, client, monkeypatch):
    monkeypatch.setattr(alphabetic_index, "LOOKUP_RATE", "1/m")
    assert client.get("/icd-10-cm/index/", {"q": "urticaria"}).status_code == 200
    refused = client.get("/icd-10-cm/index/", {"q": "urticaria"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Please wait 60 seconds" in refused.content.decode()
