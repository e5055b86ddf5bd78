import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from codes.models import Code, CodeChange, Note, Release

SAMPLES = Path(__file__).parent / "samples"
TABULAR = SAMPLES / "icd10cm_tabular_sample.xml"
CODES_2024 = SAMPLES / "icd10cm-codes-sample.txt"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def _import(path=TABULAR, *args):
    out = StringIO()
    call_command("import_icd10cm", str(path), *args, stdout=out)
    return out.getvalue()


def _import_2024():
    call_command(
        "import_icd10cm_codes",
        str(CODES_2024),
        "--version",
        "2024",
        "--effective",
        "2023-10-01",
        "--end",
        "2024-09-30",
        stdout=StringIO(),
    )


def _code(code):
    return Code.objects.get(system="icd-10-cm", code=code)


def test_it_builds_the_hierarchy():
    _import()
    assert _code("13").kind == "chapter"
    assert _code("M45-M49").kind == "section"
    assert _code("M45-M49").parent.code == "13"
    assert _code("M48").kind == "category"
    assert _code("M48.0").kind == "subcategory"
    m4806 = _code("M48.06")
    assert (m4806.kind, m4806.billable, m4806.parent.code) == ("code", True, "M48.0")
    assert [Code.objects.get(pk=pk).code for pk in m4806.lineage] == [
        "13",
        "M45-M49",
        "M48",
        "M48.0",
    ]


def test_a_one_category_section_does_not_clash_with_its_category():
    _import()
    assert _code("S06-S06").kind == "section"
    assert _code("S06").parent.code == "S06-S06"


def test_siblings_sort_in_book_order():
    _import()
    children = list(_code("M48").children.order_by("sort_key").values_list("code", flat=True))
    assert children == ["M48.0", "M48.5"]


def test_it_expands_seventh_characters_with_placeholder_x():
    _import()
    header = _code("M48.56")
    assert (header.kind, header.billable) == ("subcategory", False)
    code = _code("M48.56XA")
    assert code.billable
    assert code.parent == header
    assert code.compact == "M4856XA"
    assert code.title == "Collapsed vertebra, not elsewhere classified, lumbar region, initial encounter for fracture"
    assert _code("T07.XXXA").parent.code == "T07"
    assert _code("S06.1X1A").title.endswith(", initial encounter")


def test_it_skips_seventh_characters_the_category_says_do_not_apply():
    _import()
    assert Code.objects.filter(code__startswith="S06.1X1").count() == 4  # header + A, D, S
    assert list(Code.objects.filter(code__startswith="S06.1X7", billable=True).values_list("code", flat=True)) == [
        "S06.1X7A"
    ]


def test_only_leaves_are_billable():
    _import()
    billable = set(Code.objects.filter(billable=True).values_list("code", flat=True))
    assert len(billable) == 16
    assert "M48.5" not in billable
    assert "M48.00" in billable


def test_it_registers_the_release_from_the_file():
    _import()
    release = Release.objects.get(dataset="icd-10-cm")
    assert release.version == "2026"
    assert release.effective_date == datetime.date(2025, 10, 1)
    assert release.end_date == datetime.date(2026, 9, 30)
    assert release.row_count == 16


def test_options_override_the_release(tmp_path):
    _import(TABULAR, "--version", "2026-04", "--effective", "2026-04-01")
    release = Release.objects.get(dataset="icd-10-cm")
    assert (release.version, release.effective_date) == (
        "2026-04",
        datetime.date(2026, 4, 1),
    )


def test_it_reads_an_april_update_from_the_file_name(tmp_path):
    path = tmp_path / "icd10c-tabular-April-1-2026.xml"
    path.write_bytes(TABULAR.read_bytes())
    _import(path)
    release = Release.objects.get(dataset="icd-10-cm")
    assert (release.version, release.effective_date) == (
        "2026-04",
        datetime.date(2026, 4, 1),
    )


def test_it_stores_notes_on_the_level_that_defines_them():
    _import()
    notes = {(n.code.code, n.type) for n in Note.objects.select_related("code")}
    assert ("13", "use_additional") in notes
    assert ("13", "excludes2") in notes
    assert ("M48.0", "inclusion") in notes
    assert ("M48.0", "code_also") in notes
    assert ("M48.5", "excludes1") in notes
    assert ("M48.5", "seventh_note") in notes
    assert ("M49", "includes") in notes
    assert ("M49", "code_first") in notes
    assert ("M49", "note") in notes


def test_seventh_character_definitions_keep_their_order_and_extra_terms():
    _import()
    rows = list(Note.objects.filter(code__code="M48.5", type="seventh").order_by("position").values_list("key", "text"))
    assert rows == [
        ("A", "initial encounter for fracture"),
        ("D", "subsequent encounter for fracture with routine healing"),
        ("G", "subsequent encounter for fracture with delayed healing"),
        ("G", "subsequent encounter for fracture NOS with delayed healing"),
        ("S", "sequela of fracture"),
    ]


def test_rerunning_changes_nothing():
    _import()
    codes = list(Code.objects.order_by("code").values_list("code", "title", "parent__code", "sort_key", "billable"))
    notes = list(Note.objects.order_by("code__code", "position").values_list("code__code", "type", "text"))
    out = _import()
    assert "0 added, 0 revised, 0 deleted" in out
    assert (
        list(Code.objects.order_by("code").values_list("code", "title", "parent__code", "sort_key", "billable"))
        == codes
    )
    assert list(Note.objects.order_by("code__code", "position").values_list("code__code", "type", "text")) == notes
    assert CodeChange.objects.filter(change="deleted").count() == 0


def test_a_bad_element_names_its_line():
    _import()
    with pytest.raises(
        CommandError,
        match=r"icd10cm_tabular_bad_element.xml, line 66: unexpected <weird>",
    ):
        _import(SAMPLES / "icd10cm_tabular_bad_element.xml")
    assert Code.objects.filter(billable=True).count() == 16


def test_a_truncated_file_is_rejected_and_nothing_changes():
    with pytest.raises(CommandError, match=r"icd10cm_tabular_truncated.xml, line \d+: not well-formed"):
        _import(SAMPLES / "icd10cm_tabular_truncated.xml")
    assert not Code.objects.exists()
    assert not Release.objects.exists()


def test_a_gzipped_file_loads(tmp_path):
    import gzip

    path = tmp_path / "tabular.xml.gz"
    path.write_bytes(gzip.compress(TABULAR.read_bytes()))
    _import(path)
    assert Code.objects.filter(billable=True).count() == 16


def test_the_codes_file_loads_billable_codes_with_dots():
    _import_2024()
    code = _code("M48.50XA")
    assert (code.kind, code.billable, code.parent, code.compact) == (
        "code",
        True,
        None,
        "M4850XA",
    )
    assert Release.objects.get(version="2024").effective_date == datetime.date(2023, 10, 1)


def test_a_bad_codes_line_names_its_line():
    with pytest.raises(CommandError, match=r"icd10cm-codes-bad.txt, line 2"):
        call_command(
            "import_icd10cm_codes",
            str(SAMPLES / "icd10cm-codes-bad.txt"),
            "--version",
            "2024",
        )
    assert not Code.objects.exists()


def test_the_tabular_after_an_older_year_records_what_changed():
    _import_2024()
    _import(TABULAR, "--version", "2026-04", "--effective", "2026-04-01")
    gone = _code("M48.59XA")
    assert gone.deleted
    assert gone.termination_date == datetime.date(2026, 3, 31)
    # The deleted code hangs under its nearest current ancestor.
    assert gone.parent.code == "M48.5"
    assert gone.lineage == [*gone.parent.lineage, gone.parent.pk]
    assert _code("M48.50XA").parent.code == "M48.50"
    changes = set(CodeChange.objects.filter(release__version="2026-04").values_list("code__code", "change"))
    assert ("M48.59XA", "deleted") in changes
    assert ("M48.06", "revised") in changes
    assert ("M48.56XA", "added") in changes
    assert ("M48.50XA", "added") not in changes


def test_an_older_year_after_a_newer_one_is_refused():
    _import(TABULAR, "--version", "2026-04", "--effective", "2026-04-01")
    with pytest.raises(CommandError, match="oldest first"):
        _import_2024()
    assert not _code("M48.56XA").deleted
