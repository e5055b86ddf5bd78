import csv
import datetime
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from codes.importers.base import ImportFileError
from codes.importers.hcpcs import (
    RANGES_FILE,
    group_for,
    import_hcpcs,
    read_ranges,
    read_records,
    read_workbook,
)
from codes.models import Code, CodeChange, Release

SAMPLES = Path(__file__).parent / "samples"
# Real rows of the CMS October 2025 workbook, kept as TSV so a diff shows them.
SAMPLE_ROWS = SAMPLES / "hcpcs_2025_oct.tsv"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def _sample() -> tuple[list[str], list[list[str]]]:
    with open(SAMPLE_ROWS, newline="") as f:
        header, *rows = list(csv.reader(f, delimiter="\t"))
    return header, rows


def _workbook(tmp_path: Path, *, name: str = "HCPC2025_OCT_ANWEB.xlsx", header=None, rows=None) -> Path:
    sample_header, sample_rows = _sample()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header or sample_header)
    for row in rows if rows is not None else sample_rows:
        sheet.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def _import(path: Path, **kwargs) -> str:
    out = StringIO()
    call_command("import_hcpcs", str(path), stdout=out, **kwargs)
    return out.getvalue()


def test_it_loads_codes_with_their_record_data(tmp_path):
    output = _import(_workbook(tmp_path))
    assert "11 codes (3 terminated), 3 modifiers (1 terminated)" in output
    code = Code.objects.get(system="hcpcs", code="J1100")
    assert code.title == "Injection, dexamethasone sodium phosphate, 1 mg"
    assert code.short_title == "Dexamethasone sodium phos"
    assert (code.kind, code.billable, code.deleted) == ("code", True, False)
    assert code.effective_date == datetime.date(2001, 1, 1)
    assert code.data["pricing"] == ["51"]
    assert code.data["tos"] == ["1", "P"]
    assert code.data["betos"] == "O1E"
    assert code.data["coverage"] == "D"
    assert code.data["mcm"] == ["2049"]
    assert code.data["added_date"] == "1982-01-01"
    assert code.sort_key == "J1100"


def test_codes_sit_under_their_letter_and_range(tmp_path):
    _import(_workbook(tmp_path))
    code = Code.objects.get(system="hcpcs", code="J1100")
    assert code.parent.code == "J0120-J3599"
    ancestors = list(Code.objects.filter(pk__in=code.lineage).values_list("code", "kind"))
    assert sorted(ancestors) == [
        ("J", "section"),
        ("J0120-J3599", "section"),
        ("J0120-J8499", "section"),
    ]
    assert Code.objects.get(system="hcpcs", code="J9035").parent.code == "J9000-J9999"
    assert Code.objects.get(system="hcpcs", code="A4253").parent.code == "A4206-A4290"
    # Browse nodes are found by the same compact form as the lookup uses.
    assert Code.objects.get(system="hcpcs", code="J0120-J3599").compact == "J0120J3599"


def test_a_terminated_code_is_deleted_and_not_billable(tmp_path):
    _import(_workbook(tmp_path))
    code = Code.objects.get(system="hcpcs", code="C8904")
    assert code.termination_date == datetime.date(2018, 12, 31)
    # Its last action (effective 2019-01-01) ended it; the page shows when it began instead.
    assert code.effective_date == datetime.date(2001, 10, 1)
    assert code.deleted
    assert not code.billable
    assert code.data["xref"] == ["77046"]


def test_modifiers_are_stripped_and_kept_apart_from_codes(tmp_path):
    _import(_workbook(tmp_path))
    right = Code.objects.get(system="hcpcs", code="RT")
    assert right.kind == "modifier"
    assert right.parent is None
    assert right.title.startswith("Right side")
    assert right.get_absolute_url() == "/hcpcs/modifiers/RT/"
    assert Code.objects.get(system="hcpcs", code="CP").deleted


def test_it_registers_the_release_from_the_file_name(tmp_path):
    _import(_workbook(tmp_path))
    release = Release.objects.get(dataset="hcpcs")
    assert release.version == "2025-10"
    assert release.effective_date == datetime.date(2025, 10, 1)
    assert release.row_count == 14
    assert release.file_name == "HCPC2025_OCT_ANWEB.xlsx"


def test_rerunning_changes_nothing(tmp_path):
    path = _workbook(tmp_path)
    _import(path)
    before = list(Code.objects.order_by("code").values_list("code", "title", "deleted", "parent__code", "data"))
    output = _import(path)
    assert "0 added, 0 revised, 0 deleted" in output
    assert list(Code.objects.order_by("code").values_list("code", "title", "deleted", "parent__code", "data")) == before
    assert CodeChange.objects.count() == len(before)


def test_it_finds_columns_by_name_when_they_move(tmp_path):
    header, rows = _sample()
    order = list(reversed(range(len(header))))
    path = _workbook(
        tmp_path,
        header=[header[i] for i in order],
        rows=[[row[i] for i in order] for row in rows],
    )
    _import(path)
    assert Code.objects.get(system="hcpcs", code="J1100").data["betos"] == "O1E"


def test_a_missing_required_column_is_refused_and_leaves_data_alone(tmp_path):
    _import(_workbook(tmp_path))
    header, rows = _sample()
    keep = [i for i, name in enumerate(header) if name != "TERM DT"]
    broken = _workbook(
        tmp_path,
        name="HCPC2026_JAN_ANWEB.xlsx",
        header=[header[i] for i in keep],
        rows=[[r[i] for i in keep] for r in rows[:2]],
    )
    with pytest.raises(
        CommandError,
        match=r"HCPC2026_JAN_ANWEB.xlsx, line 1: missing column\(s\): TERM DT",
    ):
        _import(broken)
    assert Code.objects.filter(system="hcpcs", deleted=False, kind="code").count() == 8
    assert not Release.objects.filter(version="2026-01").exists()


def test_a_malformed_row_names_its_line(tmp_path):
    header, rows = _sample()
    rows[3][header.index("ACT EFF DT")] = "2025-13-45"
    with pytest.raises(ImportFileError, match=r"line 5: '2025-13-45' is not a date"):
        list(read_workbook(_workbook(tmp_path, rows=rows)))


def test_an_unknown_record_id_is_refused(tmp_path):
    header, rows = _sample()
    rows[0][header.index("RECID")] = "4"
    with pytest.raises(ImportFileError, match="line 2: unknown record id '4'"):
        list(read_workbook(_workbook(tmp_path, rows=rows)))


def test_the_text_edition_joins_continuation_lines():
    records = {r.code: r for r in read_records(SAMPLES / "hcpcs_2020_anweb.txt")}
    assert set(records) == {"A1", "RT", "A4253", "C8904", "G0439", "J1100"}
    assert records["G0439"].long_description == (
        "Annual wellness visit, includes a personalized prevention plan of service (pps), subsequent visit"
    )
    assert records["A4253"].fields["pricing"] == ["32"]
    assert records["A4253"].fields["betos"] == "D1E"
    assert records["A1"].is_modifier


def test_a_newer_release_records_what_changed_since_an_older_one(tmp_path):
    _import(
        SAMPLES / "hcpcs_2020_anweb.txt",
        release_version="2020-01",
        effective=datetime.date(2020, 1, 1),
    )
    _import(_workbook(tmp_path))
    code = Code.objects.get(system="hcpcs", code="G0439")
    assert code.first_release.version == "2020-01"
    assert code.release.version == "2025-10"
    changes = set(CodeChange.objects.filter(release__version="2025-10").values_list("code__code", "change"))
    assert ("J9035", "added") in changes
    assert not any(code == "G0439" for code, _ in changes)


def test_a_code_missing_from_a_newer_file_is_deleted(tmp_path):
    _import(_workbook(tmp_path))
    _header, rows = _sample()
    rows = [row for row in rows if row[0] != "E0601"]
    _import(_workbook(tmp_path, name="HCPC2026_JAN_ANWEB.xlsx", rows=rows))
    gone = Code.objects.get(system="hcpcs", code="E0601")
    assert gone.deleted
    assert gone.termination_date == datetime.date(2025, 12, 31)
    assert CodeChange.objects.filter(code=gone, change="deleted", release__version="2026-01").exists()


def test_the_range_table_nests_without_overlaps():
    groups = read_ranges(RANGES_FILE)
    by_code = {g.code: g for g in groups}
    assert by_code["J0120-J3599"].parent == "J0120-J8499"
    assert by_code["J0120-J8499"].parent == "J"
    assert by_code["A"].parent is None
    assert group_for("E0601", groups) == "E"
    assert group_for("L3000", groups) == "L3000-L3649"


def test_an_overlapping_range_is_refused(tmp_path):
    ranges = tmp_path / "ranges.tsv"
    ranges.write_text("J\tDrugs\nJ0100-J0500\tOne\nJ0400-J0900\tTwo\n")
    with pytest.raises(ImportFileError, match="overlaps"):
        read_ranges(ranges)


def test_the_bundled_workbook_has_every_required_column():
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "hcpcs" / "HCPC2025_OCT_ANWEB.xlsx"
    first = next(read_workbook(fixture))
    assert first.code == "A1"


def test_import_runs_in_one_transaction(tmp_path, monkeypatch):
    # A failure while writing (after parsing) must leave nothing behind.
    import codes.importers.hcpcs as hcpcs

    def boom(**kwargs):
        raise ImportFileError("x", None, "simulated")

    monkeypatch.setattr(hcpcs, "sync_codes", boom)
    with pytest.raises(ImportFileError, match="simulated"):
        import_hcpcs(path=_workbook(tmp_path), proc_notes=[SAMPLES / "hcpcs_proc_notes.tsv"])
    assert not Release.objects.exists()


def test_a_truncated_text_record_names_its_line(tmp_path):
    lines = (SAMPLES / "hcpcs_2020_anweb.txt").read_text(encoding="latin-1").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("J1100"))
    lines[index] = lines[index][:200]
    path = tmp_path / "HCPC2020_ANWEB.txt"
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")
    with pytest.raises(ImportFileError, match=rf"line {index + 1}: record is 200 characters long"):
        list(read_records(path))


def test_a_continuation_without_its_first_line_is_refused(tmp_path):
    lines = (SAMPLES / "hcpcs_2020_anweb.txt").read_text(encoding="latin-1").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("G0439001003"))
    del lines[index]
    path = tmp_path / "HCPC2020_ANWEB.txt"
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")
    with pytest.raises(
        ImportFileError,
        match=rf"line {index + 1}: continuation line without its first line",
    ):
        list(read_records(path))
