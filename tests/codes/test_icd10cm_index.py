from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from codes.models import IndexTerm, Release

SAMPLES = Path(__file__).parent / "samples"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


@pytest.fixture
def tabular():
    call_command("import_icd10cm", str(SAMPLES / "icd10cm_tabular_sample.xml"), stdout=StringIO())


def _import(name, *args):
    out = StringIO()
    call_command("import_icd10cm_index", str(SAMPLES / name), *args, stdout=out)
    return out.getvalue()


def _term(index, title):
    return IndexTerm.objects.get(index=index, title=title)


def test_it_needs_the_tabular_first():
    with pytest.raises(CommandError, match="before the index"):
        _import("icd10cm_eindex_sample.xml")


def test_it_detects_each_index_from_the_file(tabular):
    _import("icd10cm_eindex_sample.xml")
    _import("icd10cm_drug_sample.xml")
    _import("icd10cm_neoplasm_sample.xml")
    counts = dict(IndexTerm.objects.values_list("index").annotate(n=Count("id")))
    assert counts == {"eindex": 8, "drugs": 3, "neoplasm": 4}
    assert Release.objects.get(dataset="icd-10-cm-drugs").version == "2023"


def test_it_keeps_the_hierarchy_and_document_order(tabular):
    _import("icd10cm_eindex_sample.xml")
    cataclysm = _term("eindex", "due to, caused by cataclysm")
    assert cataclysm.level == 2
    assert cataclysm.parent.title == "aircraft"
    assert cataclysm.parent.parent.title == "Accident"
    assert cataclysm.see == "Forces of nature, by type"
    assert cataclysm.parent.see_also == "Accident, transport, aircraft"
    assert cataclysm.letter == "A"
    titles = list(IndexTerm.objects.filter(index="eindex").order_by("position").values_list("title", flat=True))
    assert titles[:3] == ["Abandonment NEC", "Accident", "aircraft"]
    assert _term("eindex", "Bumping").letter == "B"


def test_it_separates_nonessential_modifiers(tabular):
    _import("icd10cm_eindex_sample.xml")
    term = _term("eindex", "Abandonment NEC")
    assert term.nemod == "(causing exposure to weather conditions)"
    assert term.code == "T07"


def test_table_cells_follow_the_columns_with_blanks_for_dashes(tabular):
    _import("icd10cm_drug_sample.xml")
    assert _term("drugs", "1-propanol").cells == [
        "M48.06",
        "M48.56",
        "",
        "Z99.99",
        "",
        "",
    ]
    assert _term("drugs", "1-propanol").letter == "#"
    assert _term("drugs", "Abrus").nemod == "(seed)"


def test_it_flags_codes_that_are_not_current(tabular):
    out = _import("icd10cm_eindex_sample.xml")
    assert "2 not valid" in out
    assert _term("eindex", "old code").invalid_codes == ["X99.9"]  # not in the tabular
    assert _term("eindex", "subdivided since").invalid_codes == ["M48.0"]  # a header now
    assert _term("eindex", "Accident").invalid_codes == []  # lacks only its 7th character
    assert _term("eindex", "Abandonment NEC").invalid_codes == []  # a category
    assert _term("eindex", "Bumping").invalid_codes == []  # ends in "-"
    assert _term("eindex", "lightning").invalid_codes == []  # <subcat>


def test_it_flags_table_cells(tabular):
    _import("icd10cm_drug_sample.xml")
    _import("icd10cm_neoplasm_sample.xml")
    assert _term("drugs", "1-propanol").invalid_codes == ["Z99.99"]
    assert _term("neoplasm", "Neoplasm, neoplastic").invalid_codes == ["M48.0"]
    assert _term("neoplasm", "abdomen, abdominal").invalid_codes == []


def test_neoplasm_subterms_are_lettered_by_site(tabular):
    _import("icd10cm_neoplasm_sample.xml")
    assert _term("neoplasm", "Neoplasm, neoplastic").letter == "N"
    assert _term("neoplasm", "abdomen, abdominal").letter == "A"
    assert _term("neoplasm", "wall").letter == "A"
    book = _term("neoplasm", "book-leaf")
    assert (book.letter, book.nemod) == (
        "B",
        "(mouth) [ventral surface of tongue and floor of mouth]",
    )


def test_rerunning_replaces_the_terms(tabular):
    _import("icd10cm_eindex_sample.xml")
    before = list(
        IndexTerm.objects.order_by("position").values_list("position", "level", "title", "code", "parent__title")
    )
    _import("icd10cm_eindex_sample.xml")
    after = list(
        IndexTerm.objects.order_by("position").values_list("position", "level", "title", "code", "parent__title")
    )
    assert after == before
    assert Release.objects.filter(dataset="icd-10-cm-eindex").count() == 1


def test_a_bad_element_names_its_line_and_keeps_the_old_terms(tabular):
    _import("icd10cm_drug_sample.xml")
    with pytest.raises(CommandError, match=r"icd10cm_drug_bad.xml, line 37: unexpected <bogus>"):
        _import("icd10cm_drug_bad.xml")
    assert IndexTerm.objects.filter(index="drugs").count() == 3


def test_the_index_can_be_named(tabular, tmp_path):
    path = tmp_path / "plain.xml"
    path.write_text(
        (SAMPLES / "icd10cm_eindex_sample.xml")
        .read_text()
        .replace("<title>ICD-10-CM External Cause of Injuries Index</title>", "")
    )
    with pytest.raises(CommandError, match="--index"):
        call_command("import_icd10cm_index", str(path), stdout=StringIO())
    call_command("import_icd10cm_index", str(path), "--index", "eindex", stdout=StringIO())
    assert IndexTerm.objects.filter(index="eindex").count() == 8
