"""NCCI edits: procedure-to-procedure (PTP) edits, medically unlikely edits (MUEs) and
add-on code edits.

The files are tab-separated text, CSV or the CMS Excel workbook, with a header row that
may follow CMS's notice rows (the AMA copyright cell CMS puts above the header); columns
are found by name (our bundled names first, CMS's long header names by prefix), so column
order does not matter. They hold only code numbers, CMS values, CMS rationale labels and
CMS's special instructions.

The PTP files are large (2.5 million practitioner rows), so they are streamed: on
PostgreSQL with COPY, elsewhere with executemany in large batches. Each import replaces
the rows of its setting in one transaction; a bad line rolls everything back.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
from django.db import connection, transaction

from codes.importers.base import (
    ImportFileError,
    Progress,
    batched,
    indexes_built_after,
    open_text,
    register_release,
)
from codes.importers.pfs import normalise_header
from codes.models import AddOnEdit, Mue, PtpEdit, Release, Setting

VERSION = "2024Q3"
EFFECTIVE = datetime.date(2024, 7, 1)
END = datetime.date(2024, 9, 30)
SOURCE = "CMS, National Correct Coding Initiative (NCCI) Medicare edits"
SETTING_TITLES = {
    Setting.PRACTITIONER: "Practitioner services",
    Setting.OUTPATIENT: "Outpatient hospital services",
    Setting.DME: "DME supplier services",
}
CODE_RE = re.compile(r"^[0-9A-Z]{5}$")
PTP_BATCH = 20000


def ptp_dataset(setting: str) -> str:
    return f"ncci-ptp-{setting}"


def mue_dataset(setting: str) -> str:
    return f"ncci-mue-{setting}"


AOC_DATASET = "ncci-aoc"


def _columns(header: list[str], wanted: dict[str, tuple[str, ...]], *, path, optional=()) -> dict[str, int]:
    """Map each wanted field to its column: an exact header name first, else a header
    that starts with one of the names (CMS headers carry explanations after the name)."""
    names = [normalise_header(h) for h in header]
    found = {}
    for field, aliases in wanted.items():
        for alias in aliases:
            matches = [i for i, name in enumerate(names) if name == alias] or [
                i for i, name in enumerate(names) if name.startswith(alias)
            ]
            if matches:
                found[field] = matches[0]
                break
        if field not in found and field not in optional:
            raise ImportFileError(path, 1, f"missing column: {aliases[0]}")
    return found


def _tsv(path: Path | str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each non-blank line; line 1 is the header."""
    with open_text(path) as f:
        for number, text in enumerate(f, start=1):
            text = text.rstrip("\r\n")
            if text.strip():
                yield number, text.split("\t")


def _csv(path: Path | str) -> Iterator[tuple[int, list[str]]]:
    # CMS's CSV is Windows-1252 (the notice's "®"); a quoted cell may span lines.
    with open_text(path, encoding="cp1252") as f:
        reader = csv.reader(f)
        start = 1
        try:
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    yield start, cells
                start = reader.line_num + 1
        except csv.Error as exc:
            raise ImportFileError(path, reader.line_num, f"not a CSV line ({exc})") from None


def _xlsx(path: Path | str) -> Iterator[tuple[int, list[str]]]:
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a zip/XML error: not a workbook at all
        raise ImportFileError(path, None, f"not an Excel workbook ({exc})") from exc
    try:
        for number, row in enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1):
            cells = ["" if value is None else str(value) for value in row]
            if any(cell.strip() for cell in cells):
                yield number, cells
    finally:
        workbook.close()


def _table(path: Path | str) -> Iterator[tuple[int, list[str]]]:
    """(line or row number, cells) of a TSV, CSV or Excel file, by its name."""
    name = Path(path).name.lower().removesuffix(".gz")
    if not Path(path).exists():
        raise ImportFileError(path, None, "file not found")
    if name.endswith(".xlsx"):
        return _xlsx(path)
    if name.endswith(".csv"):
        return _csv(path)
    return _tsv(path)


def _code(value: str, *, path, line: int, what: str) -> str:
    value = value.strip().upper()
    if not CODE_RE.match(value):
        raise ImportFileError(path, line, f"{what}: {value!r} is not a HCPCS/CPT code")
    return value


def _header(rows: Iterator, path, key: tuple[str, ...] = ()) -> list[str]:
    """The header row: the first row, or with `key` (names of a column every header has) the
    first row that has such a column, skipping CMS's notice rows above it."""
    number = None
    for number, cells in rows:
        names = [normalise_header(cell) for cell in cells]
        if not key or any(name.startswith(alias) for name in names for alias in key):
            return cells
        if number > 20:
            break
    if number is None:
        raise ImportFileError(path, None, "empty file")
    raise ImportFileError(path, None, f"no header row (a {key[0]} column) in the first 20 lines")


PTP_COLUMNS = {
    "column1": ("column1", "column_1"),
    "column2": ("column2", "column_2"),
    "deletion_date": ("deletion_date",),
    "modifier_indicator": ("modifier_indicator", "modifier"),
    "rationale": ("ptp_edit_rationale", "rationale"),
}


def parse_ptp(
    path: Path | str,
) -> Iterator[tuple[str, str, datetime.date | None, str, str]]:
    """Yield (column1, column2, deletion date or None if in effect, modifier indicator, rationale)."""
    rows = _table(path)
    columns = _columns(_header(rows, path, PTP_COLUMNS["column1"]), PTP_COLUMNS, path=path, optional=("rationale",))
    c1, c2, cd, cm = (columns[f] for f in ("column1", "column2", "deletion_date", "modifier_indicator"))
    cr = columns.get("rationale")
    width = max(columns.values()) + 1
    dates: dict[str, datetime.date | None] = {"*": None, "": None}
    for line, cells in rows:
        if len(cells) < width:
            raise ImportFileError(
                path,
                line,
                f"expected {width} tab-separated columns, found {len(cells)}",
            )
        column1, column2 = cells[c1], cells[c2]
        if not (CODE_RE.match(column1) and CODE_RE.match(column2)):
            _code(column1, path=path, line=line, what="column 1")
            _code(column2, path=path, line=line, what="column 2")
        raw_date = cells[cd].strip()
        if raw_date not in dates:
            try:
                dates[raw_date] = datetime.datetime.strptime(raw_date, "%Y%m%d").date()
            except ValueError:
                raise ImportFileError(path, line, f"deletion date {raw_date!r} is neither YYYYMMDD nor *") from None
        indicator = cells[cm].strip()
        if indicator not in PtpEdit.MODIFIER_INDICATORS:
            raise ImportFileError(path, line, f"modifier indicator {indicator!r} is not 0, 1 or 9")
        rationale = cells[cr].strip()[:120] if cr is not None else ""
        yield column1, column2, dates[raw_date], indicator, rationale


def _copy_ptp(rows, *, setting: str, release: Release, progress: Progress | None) -> int:
    """PostgreSQL: stream the rows through COPY (about 10x faster than INSERTs)."""
    table = PtpEdit._meta.db_table
    release_id = release.pk  # once: a model's pk property costs a second over 4 million rows
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(
            f"COPY {table} (setting, column1, column2, deletion_date, modifier_indicator, rationale, release_id) "
            "FROM STDIN"
        ) as copy,
    ):
        for column1, column2, deleted, indicator, rationale in rows:
            copy.write_row((setting, column1, column2, deleted, indicator, rationale, release_id))
            count += 1
            if progress and count % 1000 == 0:
                progress.advance(1000)
    if progress:
        progress.advance(count % 1000)
    return count


def _insert_ptp(rows, *, setting: str, release: Release, progress: Progress | None) -> int:
    """Other databases (SQLite): executemany in large batches. Three times faster than
    bulk_create here, which builds a model instance and a 140-row INSERT per few rows."""
    table = PtpEdit._meta.db_table
    sql = (
        f"INSERT INTO {table} (setting, column1, column2, deletion_date, modifier_indicator, rationale, release_id) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    adapt = connection.ops.adapt_datefield_value
    release_id = release.pk  # once: a model's pk property costs a second over 4 million rows
    count = 0
    with connection.cursor() as cursor:
        for batch in batched(rows, PTP_BATCH):
            cursor.executemany(
                sql,
                [
                    (setting, c1, c2, adapt(deleted), mi, rationale, release_id)
                    for c1, c2, deleted, mi, rationale in batch
                ],
            )
            count += len(batch)
            if progress:
                progress.advance(len(batch))
    return count


def import_ptp(
    *,
    path: Path | str,
    setting: str,
    version: str = VERSION,
    effective_date: datetime.date | None = EFFECTIVE,
    end_date: datetime.date | None = END,
    progress: Progress | None = None,
) -> tuple[Release, int]:
    """Replace the PTP edits of one setting (practitioner or outpatient) with this file's rows."""
    if setting not in (Setting.PRACTITIONER, Setting.OUTPATIENT):
        raise ValueError(f"PTP edits exist for practitioner and outpatient, not {setting!r}")
    with transaction.atomic():
        release = register_release(
            dataset=ptp_dataset(setting),
            version=version,
            path=path,
            source=SOURCE,
            title=f"NCCI procedure-to-procedure edits, {SETTING_TITLES[setting]}, {version}",
            effective_date=effective_date,
            end_date=end_date,
        )
        write = _copy_ptp if connection.vendor == "postgresql" else _insert_ptp
        with indexes_built_after(PtpEdit):
            PtpEdit.objects.filter(setting=setting).delete()
            count = write(parse_ptp(path), setting=setting, release=release, progress=progress)
        release.row_count = count
        release.save(update_fields=["row_count"])
    if progress:
        progress.finish()
    return release, count


MUE_COLUMNS = {
    "code": ("hcpcs_code", "hcpcs", "code"),
    # Our files: practitioner_mue / outpatient_hospital_mue / dme_supplier_mue;
    # CMS: "Practitioner Services MUE Values" and so on.
    "units": (
        "practitioner_mue",
        "outpatient_hospital_mue",
        "dme_supplier_mue",
        "mue_values",
        "mue",
    ),
    "mai": ("mai", "mue_adjudication_indicator"),
    "rationale": ("mue_rationale",),
}


def _units_column(header: list[str], path) -> int:
    names = [normalise_header(h) for h in header]
    for i, name in enumerate(names):
        if name.endswith("_mue") or "mue_value" in name or name == "mue":
            return i
    raise ImportFileError(path, 1, "missing column: <setting>_mue (units of service)")


def parse_mue(path: Path | str) -> Iterator[dict]:
    rows = _table(path)
    header = _header(rows, path, MUE_COLUMNS["code"])
    columns = _columns(header, {k: v for k, v in MUE_COLUMNS.items() if k != "units"}, path=path)
    columns["units"] = _units_column(header, path)
    width = max(columns.values()) + 1
    seen = set()
    for line, cells in rows:
        if len(cells) < width:
            raise ImportFileError(
                path,
                line,
                f"expected {width} tab-separated columns, found {len(cells)}",
            )
        code = _code(cells[columns["code"]], path=path, line=line, what="code")
        if code in seen:
            raise ImportFileError(path, line, f"{code} is listed twice")
        seen.add(code)
        units = cells[columns["units"]].strip()
        if not units.isdigit():
            raise ImportFileError(path, line, f"units {units!r} is not a whole number")
        # CMS writes "2 Date of Service Edit: Policy"; we keep the digit.
        mai = cells[columns["mai"]].strip()[:1]
        if mai not in Mue.ADJUDICATION:
            raise ImportFileError(
                path,
                line,
                f"adjudication indicator {cells[columns['mai']]!r} is not 1, 2 or 3",
            )
        yield {
            "code": code,
            "units": int(units),
            "mai": mai,
            "rationale": cells[columns["rationale"]].strip()[:120],
        }


def import_mue(
    *,
    path: Path | str,
    setting: str,
    version: str = VERSION,
    effective_date: datetime.date | None = EFFECTIVE,
    end_date: datetime.date | None = END,
    progress: Progress | None = None,
) -> tuple[Release, int]:
    """Replace the MUEs of one setting with this file's rows."""
    if setting not in SETTING_TITLES:
        raise ValueError(f"unknown setting {setting!r}")
    rows = list(parse_mue(path))
    with transaction.atomic():
        release = register_release(
            dataset=mue_dataset(setting),
            version=version,
            path=path,
            source=SOURCE,
            title=f"NCCI medically unlikely edits, {SETTING_TITLES[setting]}, {version}",
            effective_date=effective_date,
            end_date=end_date,
        )
        Mue.objects.filter(setting=setting).delete()
        Mue.objects.bulk_create(
            [Mue(setting=setting, release=release, **row) for row in rows],
            batch_size=5000,
        )
        if progress:
            progress.advance(len(rows))
        release.row_count = len(rows)
        release.save(update_fields=["row_count"])
    if progress:
        progress.finish()
    return release, len(rows)


AOC_COLUMNS = {
    "addon_code": ("add_on_code", "addon_code"),
    "primary_code": ("primary_code",),
    "edit_type": ("aoc_edit_type", "edit_type"),
    # The CMS layout only (the 2024 pin has none of these):
    "effective_date": ("aoc_edit_effdt",),
    "deletion_date": ("aoc_edit_deldt",),
    "notes": ("special_instruction_notes",),
}


def aoc_date(value: str, *, path, line: int) -> datetime.date | None:
    """CMS writes add-on edit dates as Julian YYYYDDD (2026091 = 2026-04-01); blank = none."""
    value = value.strip()
    if value in ("", "*"):
        return None
    for fmt in ("%Y%j", "%Y%m%d", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ImportFileError(path, line, f"date {value!r} is not YYYYDDD (Julian)")


def parse_aoc(path: Path | str) -> Iterator[dict]:
    """One dict per edit row; a pair CMS lists again for another period keeps both periods."""
    rows = _table(path)
    columns = _columns(
        _header(rows, path, AOC_COLUMNS["addon_code"]),
        AOC_COLUMNS,
        path=path,
        optional=("effective_date", "deletion_date", "notes"),
    )
    width = max(columns.values()) + 1
    needed = max(columns[field] for field in ("addon_code", "primary_code", "edit_type")) + 1
    seen = set()
    for line, cells in rows:
        if len(cells) < needed:
            raise ImportFileError(path, line, f"expected {width} columns, found {len(cells)}")
        cells = cells + [""] * (width - len(cells))  # blank trailing cells may be left out
        addon = _code(cells[columns["addon_code"]], path=path, line=line, what="add-on code")
        primary = _code(cells[columns["primary_code"]], path=path, line=line, what="primary code")
        edit_type = cells[columns["edit_type"]].strip()
        if edit_type not in AddOnEdit.EDIT_TYPES:
            raise ImportFileError(path, line, f"edit type {edit_type!r} is not 1, 2 or 3")
        dates = {
            field: aoc_date(cells[columns[field]], path=path, line=line) if field in columns else None
            for field in ("effective_date", "deletion_date")
        }
        key = (addon, primary, dates["effective_date"])
        if key in seen:
            continue  # the same pair and period listed twice
        seen.add(key)
        notes = cells[columns["notes"]].strip().strip('"') if "notes" in columns else ""
        yield {"addon_code": addon, "primary_code": primary, "edit_type": edit_type, "notes": notes, **dates}


def import_aoc(
    *,
    path: Path | str,
    version: str = VERSION,
    effective_date: datetime.date | None = EFFECTIVE,
    end_date: datetime.date | None = END,
    progress: Progress | None = None,
) -> tuple[Release, int]:
    """Replace the add-on code edits with this file's rows."""
    rows = list(parse_aoc(path))
    with transaction.atomic():
        release = register_release(
            dataset=AOC_DATASET,
            version=version,
            path=path,
            source=SOURCE,
            title=f"NCCI add-on code edits, {version}",
            effective_date=effective_date,
            end_date=end_date,
        )
        AddOnEdit.objects.all().delete()
        AddOnEdit.objects.bulk_create([AddOnEdit(release=release, **row) for row in rows], batch_size=5000)
        if progress:
            progress.advance(len(rows))
        release.row_count = len(rows)
        release.save(update_fields=["row_count"])
    if progress:
        progress.finish()
    return release, len(rows)
