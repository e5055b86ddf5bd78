import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from codes.models import Code, CodeChange, IndexTerm, PcsDefinition, Release

SAMPLES = Path(__file__).parent / "samples"
TABLES = SAMPLES / "icd10pcs_tables.xml"
DEFINITIONS = SAMPLES / "icd10pcs_definitions.xml"
INDEX = SAMPLES / "icd10pcs_index.xml"
CODES_2024 = SAMPLES / "icd10pcs-codes-2024.txt"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def _import(path=TABLES, *args):
    out = StringIO()
    call_command("import_icd10pcs", str(path), *args, stdout=out)
    return out.getvalue()


def _import_2024(path=CODES_2024):
    call_command(
        "import_icd10pcs_codes",
        str(path),
        "--version",
        "2024",
        "--effective",
        "2023-10-01",
        "--end",
        "2024-09-30",
        stdout=StringIO(),
    )


def _code(code):
    return Code.objects.get(system="icd-10-pcs", code=code)


def test_it_builds_sections_body_systems_tables_and_codes():
    out = _import()
    assert "2 tables" in out
    assert _code("0").kind == "section"
    assert _code("0Q").kind == "body_system"
    assert _code("0QU").kind == "table"
    code = _code("0QU03JZ")
    assert (code.kind, code.billable, code.parent.code) == ("code", True, "0QU")
    assert [Code.objects.get(pk=pk).code for pk in code.lineage] == ["0", "0Q", "0QU"]
    # 4 + 1 codes in 0QU, 4 in 0DT
    assert Code.objects.filter(system="icd-10-pcs", kind="code").count() == 9


def test_codes_hold_their_seven_axes():
    _import()
    axes = _code("0QU03JZ").data["axes"]
    assert [axis["pos"] for axis in axes] == [1, 2, 3, 4, 5, 6, 7]
    assert axes[2] == {
        "pos": 3,
        "title": "Operation",
        "value": "U",
        "label": "Supplement",
    }
    assert axes[5] == {
        "pos": 6,
        "title": "Device",
        "value": "J",
        "label": "Synthetic Substitute",
    }


def test_tables_hold_their_grid():
    _import()
    data = _code("0QU").data
    assert data["axes"][2]["definition"].startswith("Putting in or on biological")
    assert len(data["rows"]) == 2
    body_parts = data["rows"][0][0]
    assert body_parts["title"] == "Body Part"
    assert body_parts["values"] == [{"value": "0", "label": "Lumbar Vertebra"}]


def test_it_composes_cms_long_titles():
    _import()
    assert _code("0QU03JZ").title == "Supplement Lumbar Vertebra with Synthetic Substitute, Percutaneous Approach"
    assert _code("0DT14ZZ").title == "Resection of Upper Esophagus, Percutaneous Endoscopic Approach"


def test_it_registers_the_release():
    _import()
    release = Release.objects.get(dataset="icd-10-pcs", version="2026")
    assert release.effective_date == datetime.date(2025, 10, 1)
    assert release.end_date == datetime.date(2026, 9, 30)
    assert release.row_count == Code.objects.filter(system="icd-10-pcs").count()


def test_rerunning_changes_nothing():
    _import()
    before = list(Code.objects.order_by("code").values_list("code", "title", "deleted", "parent_id", "lineage"))
    out = _import()
    assert "0 added, 0 revised, 0 deleted" in out
    assert list(Code.objects.order_by("code").values_list("code", "title", "deleted", "parent_id", "lineage")) == before


def test_a_malformed_file_names_the_line_and_keeps_the_data():
    _import()
    with pytest.raises(CommandError, match=r"icd10pcs_tables_malformed\.xml, line 33"):
        _import(SAMPLES / "icd10pcs_tables_malformed.xml")
    assert Code.objects.filter(system="icd-10-pcs", kind="code").count() == 9


def test_a_missing_file_is_a_command_error():
    with pytest.raises(CommandError, match="file not found"):
        _import(SAMPLES / "nope.xml")


def test_history_marks_deleted_codes_and_records_changes():
    _import_2024()
    assert _code("0QU00KZ").parent is None  # no tables yet
    _import()
    gone = _code("0QU00KZ")
    assert gone.deleted
    assert gone.termination_date == datetime.date(2025, 9, 30)
    # linked to its table once the table exists
    assert gone.parent.code == "0QU"
    assert [Code.objects.get(pk=pk).code for pk in gone.lineage] == ["0", "0Q", "0QU"]
    changes = dict(CodeChange.objects.filter(release__version="2026").values_list("code__code", "change"))
    assert changes["0QU00KZ"] == "deleted"
    assert changes["0QU03JZ"] == "revised"  # the sample's 2024 title differs
    assert "0DT10ZZ" not in changes  # same title in both years
    first = _code("0DT10ZZ")
    assert first.first_release.version == "2024"
    assert not first.deleted


def test_history_lists_must_come_before_newer_tables():
    _import()
    with pytest.raises(CommandError, match="import older lists first"):
        _import_2024()


def test_a_malformed_code_list_names_the_line():
    with pytest.raises(CommandError, match=r"icd10pcs-codes-malformed\.txt, line 2"):
        _import_2024(SAMPLES / "icd10pcs-codes-malformed.txt")


def test_it_imports_definitions_with_value_characters():
    out = _import(TABLES, "--definitions", str(DEFINITIONS))
    assert "6 definitions" in out
    supplement = PcsDefinition.objects.get(section="0", axis=3, term="Supplement")
    assert supplement.value == "U"
    assert supplement.explanation.startswith("The biological material")
    assert supplement.includes[0].startswith("Herniorrhaphy")
    # one <terms> with two titles gives two definitions sharing the includes
    sacrum = PcsDefinition.objects.get(axis=4, term="Sacrum")
    assert (sacrum.value, sacrum.includes) == (
        "1",
        ["Spinous process", "Vertebral body"],
    )
    assert PcsDefinition.objects.get(axis=5, term="Percutaneous").value == "3"


def test_definitions_are_replaced_on_each_import():
    _import(TABLES, "--definitions", str(DEFINITIONS))
    _import(TABLES, "--definitions", str(DEFINITIONS))
    assert PcsDefinition.objects.count() == 6


def test_it_imports_the_index_and_flags_invalid_references():
    _import()
    out = StringIO()
    call_command("import_icd10pcs_index", str(INDEX), stdout=out)
    terms = list(IndexTerm.objects.filter(index="pcs").order_by("position"))
    assert [t.title for t in terms][:3] == ["Esophagectomy", "", "Esophagus, upper"]
    esophagectomy, pointer, upper = terms[:3]
    assert (pointer.parent, pointer.level, pointer.see, pointer.code) == (
        esophagectomy,
        1,
        "Resection, Gastrointestinal System",
        "0DT",
    )
    assert (upper.see_also, upper.letter) == ("Esophagus, Upper", "E")
    by_code = {t.code: t for t in terms if t.code}
    assert by_code["0QU0"].invalid_codes == []
    assert by_code["0QU00JZ"].invalid_codes == []
    assert by_code["0QU00JZ"].parent == by_code["0QU0"]
    assert by_code["0QU00KZ"].invalid_codes == ["0QU00KZ"]  # not in the sample tables
    assert by_code["0QUG"].invalid_codes == ["0QUG"]
    assert by_code["0SG"].invalid_codes == ["0SG"]
    assert "3 references not in the current tables" in out.getvalue()


def test_the_index_needs_the_tables_first():
    with pytest.raises(CommandError, match="import the tables first"):
        call_command("import_icd10pcs_index", str(INDEX), stdout=StringIO())
