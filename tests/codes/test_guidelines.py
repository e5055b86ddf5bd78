import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from codes import guidelines as guideline_views
from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code, GuidelineSection, Note, Release

SAMPLES = Path(__file__).parent / "samples"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def _import(name="icd10cm_guidelines_sample.txt") -> str:
    out = StringIO()
    call_command("import_icd10cm_guidelines", str(SAMPLES / name), stdout=out)
    return out.getvalue()


def _import_pcs(name="icd10pcs_guidelines_sample.tsv") -> str:
    out = StringIO()
    call_command("import_icd10pcs_guidelines", str(SAMPLES / name), "--version", "2025", stdout=out)
    return out.getvalue()


def _section(number, system="icd-10-cm"):
    return GuidelineSection.objects.get_section(number, system=system)


def test_it_reads_the_numbered_sections_of_the_text_layer():
    output = _import()
    numbers = list(GuidelineSection.objects.filter(system="icd-10-cm").values_list("number", flat=True))
    assert numbers == [
        "Introduction",
        "I",
        "I.A",
        "I.A.1",
        "I.A.13",
        "I.C",
        "I.C.4",
        "I.C.4.a",
        "I.C.4.a.1",
        "I.C.4.a.1.a",
        "I.C.4.a.1.b",
        "I.C.4.a.2",
        "II",
        "II.A",
    ]
    assert "14 sections" in output
    diabetes = _section("I.C.4.a")
    assert diabetes.title == "Diabetes mellitus"
    assert diabetes.parent.number == "I.C.4"
    assert diabetes.page == 4
    assert diabetes.body.startswith(
        "The diabetes mellitus codes are combination codes that include the type of diabetes"
    )
    release = Release.objects.get(dataset="icd-10-cm-guidelines")
    assert (release.version, release.row_count) == ("2026", 14)


def test_it_cleans_the_text_layer():
    _import()
    # Titles that wrap onto the next line, from the table of contents.
    assert _section("I").title == "Conventions, general coding guidelines and chapter specific guidelines"
    assert _section("I.A.13").title.endswith("and “in diseases classified elsewhere” notes)")
    body = _section("I.A.13").body
    assert "manifestations due to" in body  # a hyphenated line break joined
    assert "• a “use additional code” note at the etiology code" in body
    intro = _section("Introduction").body
    assert "ICD-10-CM" in intro
    assert "ICD -10" not in intro
    assert "to achieve complete" in intro  # "achiev e": two pieces of a word the text uses
    assert "chapter-specific" in _section("I").body
    assert "Page 4 of 5" not in "".join(GuidelineSection.objects.values_list("body", flat=True))
    # A line that starts with a parenthesised word is text, not a heading.
    assert "(current) use of insulin is coded with Z79.4." in _section("I.C.4.a.2").body


def test_a_rerun_replaces_the_sections():
    _import()
    _import()
    assert GuidelineSection.objects.filter(system="icd-10-cm").count() == 14
    assert Release.objects.filter(dataset="icd-10-cm-guidelines").count() == 1


def test_it_rejects_a_file_that_is_not_the_text_layer():
    _import()
    with pytest.raises(CommandError, match=r"icd10cm_guidelines_bad\.txt, line 1: expected the title"):
        _import("icd10cm_guidelines_bad.txt")
    assert GuidelineSection.objects.filter(system="icd-10-cm").count() == 14


def test_get_section_accepts_the_ways_a_section_is_written():
    _import()
    assert _section("Section I.C.4.a.").number == "I.C.4.a"
    assert _section("i.c.4.a").number == "I.C.4.a"
    with pytest.raises(GuidelineSection.DoesNotExist):
        _section("I.C.99")


def test_the_citation_and_full_text_can_be_quoted():
    _import()
    diabetes = _section("I.C.4.a")
    assert diabetes.citation == (
        "ICD-10-CM Official Guidelines for Coding and Reporting FY2026, Section I.C.4.a (Diabetes mellitus), page 4"
    )
    text = diabetes.full_text()
    assert "I.C.4.a.1.b Type 2 diabetes mellitus in remission" in text
    assert "Selection of Principal Diagnosis" not in text


def test_search_finds_sections_by_their_words():
    _import()
    found = [s.number for s in GuidelineSection.objects.search("remission")]
    assert found == ["I.C.4.a.1.b"]
    assert "I.A.13" in [s.number for s in GuidelineSection.objects.search("etiology manifestation")]
    assert list(GuidelineSection.objects.search("")) == []


def test_the_contents_page_lists_every_section_and_searches(client):
    _import()
    response = client.get("/icd-10-cm/guidelines/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/icd-10-cm/guidelines/I.C.4.a/"' in page
    assert "FY2026" in page
    results = client.get("/icd-10-cm/guidelines/", {"q": "remission"}).content.decode()
    assert "Type 2 diabetes mellitus in remission" in results


def test_a_section_page_shows_the_section_with_its_subsections(client, django_assert_max_num_queries):
    _import()
    with django_assert_max_num_queries(4):
        response = client.get("/icd-10-cm/guidelines/I.C.4.a/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Diabetes mellitus" in page
    assert "combination codes" in page
    assert 'id="I.C.4.a.1.a"' in page  # the subsections, anchored
    assert "guideline-example" in page
    assert 'rel="prev" href="/icd-10-cm/guidelines/I.C.4/"' in page
    assert 'rel="next" href="/icd-10-cm/guidelines/I.C.4.a.1/"' in page
    conventions = client.get("/icd-10-cm/guidelines/I.A.1/").content.decode()
    assert '<a href="/icd-10-cm/guidelines/I.C.4/">Section I.C.4</a>' in conventions  # "See Section I.C.4."
    assert client.get("/icd-10-cm/guidelines/i.c.4.a/").status_code == 301
    assert client.get("/icd-10-cm/guidelines/I.C.99/").status_code == 404


def test_the_api_returns_a_section_to_quote(client):
    _import()
    response = client.get("/api/v1/icd-10-cm/guidelines/I.C.4.a")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == "I.C.4.a"
    assert body["title"] == "Diabetes mellitus"
    assert body["citation"].endswith("Section I.C.4.a (Diabetes mellitus), page 4")
    assert body["children"][0] == {"number": "I.C.4.a.1", "title": "Type of diabetes"}
    assert "in remission" in body["full_text"]
    missing = client.get("/api/v1/icd-10-cm/guidelines/I.C.99")
    assert missing.status_code == 404
    assert "error" in missing.json()


def test_the_search_api(client, monkeypatch):
    _import()
    body = client.get("/api/v1/icd-10-cm/guidelines", {"q": "remission"}).json()
    assert [r["number"] for r in body["results"]] == ["I.C.4.a.1.b"]
    assert body["results"][0]["title"] == "Type 2 diabetes mellitus in remission"
    age = client.get("/api/v1/icd-10-cm/guidelines", {"q": "sole determining factor"}).json()["results"][0]
    assert age["number"] == "I.C.4.a.1"
    assert "sole determining factor" in age["snippet"]
    assert age["url"] == "http://testserver/icd-10-cm/guidelines/I.C.4.a.1/" or age["url"].endswith("/I.C.4.a.1/")
    assert client.get("/api/v1/icd-10-cm/guidelines", {"q": "  "}).status_code == 400
    assert client.get("/api/v1/icd-10-cm/guidelines", {"q": "a", "limit": "500"}).status_code == 400
    monkeypatch.setattr(guideline_views, "GUIDELINE_RATE", "1/m")
    assert client.get("/api/v1/icd-10-cm/guidelines", {"q": "remission"}).status_code == 200
    refused = client.get("/api/v1/icd-10-cm/guidelines/I.C.4.a")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"


@pytest.fixture
def diabetes_codes():
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
        CodeRow(code="E11.22", title="Type 2 diabetes mellitus with diabetic CKD", parent="E11.2", billable=True),
    ]
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=release, rows=rows)
    Note.objects.create(
        code=Code.objects.get(code="E11.22"),
        type=Note.Type.USE_ADDITIONAL,
        text="Use additional code to identify stage of CKD (N18.1-N18.6)",
        position=1,
    )


def test_a_code_page_links_its_chapter_guidelines_and_the_conventions(client, diabetes_codes):
    _import()
    page = client.get("/icd-10-cm/E11.22/").content.decode()
    assert "Official Guidelines" in page
    assert '<a href="/icd-10-cm/guidelines/I.C.4/">Section I.C.4</a>' in page
    assert '<a href="/icd-10-cm/guidelines/I.C.4.a.1.b/">Section I.C.4.a.1.b</a>' in page  # names E11
    assert 'href="/icd-10-cm/guidelines/I.A.13/">Guideline I.A.13</a>' in page  # the "use additional code" note
    assert 'href="/icd-10-cm/guidelines/I.B.7/">Guideline I.B.7</a>' in page


def test_the_pcs_guidelines_by_paragraph(client):
    output = _import_pcs()
    assert "ICD-10-PCS Official Guidelines for Coding and Reporting FY2025" in output
    numbers = list(GuidelineSection.objects.filter(system="icd-10-pcs").values_list("number", flat=True))
    assert numbers == ["A", "A1", "A2", "F", "B", "B3", "B3.1a", "B3.1b", "B3.2", "C", "C1"]
    assert _section("F", system="icd-10-pcs").title == "Selection of Principal Procedure"
    biopsy = _section("B3.1b", system="icd-10-pcs")
    assert biopsy.parent.number == "B3"
    assert biopsy.parent.title == "Root Operation"
    assert "Laparotomy performed to reach the site" in biopsy.body
    page = client.get("/icd-10-pcs/guidelines/B3.1b/").content.decode()
    assert "Components of a procedure specified in the root operation definition" in page
    assert "Selection of Principal Procedure" in client.get("/icd-10-pcs/guidelines/").content.decode()
    assert client.get("/api/v1/icd-10-pcs/guidelines/b3.1b").json()["number"] == "B3.1b"


def test_the_pcs_importer_rejects_a_repeated_paragraph():
    with pytest.raises(CommandError, match=r"icd10pcs_guidelines_bad\.tsv, line 3: paragraph B3\.1a appears twice"):
        _import_pcs("icd10pcs_guidelines_bad.tsv")
