"""HCPCS Level II: the CMS quarterly Alpha-Numeric file, its processing notes, and our
browse groups.

CMS ships each quarter's file as an Excel workbook (`HCPC2025_OCT_ANWEB.xlsx`: one row
per code or modifier, 48 named columns) and, until 2020, as a 320-byte fixed-width text
file whose long descriptions continue on following records. Both become the same
`Record` here, and then `CodeRow`s for `sync_codes`: codes (RECID 3) and modifiers
(RECID 7) of system "hcpcs", under letter and range nodes read from
`fixtures/hcpcs/ranges.tsv` (CMS publishes no hierarchy for Level II).

Processing notes come as CMS's text file (`proc_notes_2020.txt`: "0001--TEXT" and
continuation lines padded with a "*" margin) or as a two-column TSV (`note<TAB>text`).
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from codes.models import Code, Kind, ProcessingNote, System

from .base import (
    BATCH_SIZE,
    CodeRow,
    ImportFileError,
    Progress,
    SyncResult,
    open_binary,
    open_text,
    parse_date,
    register_release,
    sync_codes,
)

RANGES_FILE = Path(settings.BASE_DIR) / "fixtures" / "hcpcs" / "ranges.tsv"

CODE_RE = re.compile(r"^[A-Z][0-9]{4}$")
MODIFIER_RE = re.compile(r"^[A-Z0-9]{2}$")
MONTHS = {"JAN": 1, "APR": 4, "JUL": 7, "OCT": 10}


@functools.cache
def _key(name: str) -> str:
    """Header names compared without case, spaces or underscores ("ADD DT" = "ADD_DT")."""
    return re.sub(r"[^A-Z0-9]", "", str(name or "").upper())


# Workbook columns. A file without a required column cannot be read; the others may
# come and go between editions (the 2025 workbook renamed the MOG fields to OPPS).
REQUIRED = [
    "HCPC",
    "RECID",
    "LONG DESCRIPTION",
    "SHORT DESCRIPTION",
    "ACT EFF DT",
    "TERM DT",
]
REPEATED = {  # list fields: column prefix -> how many columns
    "PRICE": 4,
    "CIM": 3,
    "MCM": 3,
    "LABCERT": 8,
    "XREF": 5,
    "TOS": 5,
}
SINGLE = [
    "SEQNUM",
    "MULT_PI",
    "STATUTE",
    "COV",
    "ASC_GRP",
    "ASC_DT",
    "OPPS",
    "OPPS_PI",
    "OPPS_DT",
    "PROCNOTE",
    "BETOS",
    "ANEST_BU",
    "ADD DT",
    "ACTION CD",
]


@dataclass
class Record:
    """One code or modifier as the CMS file gives it (values stripped, dates parsed)."""

    code: str
    recid: str
    line: int
    long_description: str = ""
    short_description: str = ""
    added: datetime.date | None = None
    action_effective: datetime.date | None = None
    termination: datetime.date | None = None
    fields: dict = field(default_factory=dict)  # the remaining fields, raw strings/lists

    @property
    def is_modifier(self) -> bool:
        return self.recid == "7"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _fields_from(values: dict[str, str], *, path: Path, line: int) -> dict:
    """The record's other fields as `Code.data` keys (empty values left out)."""
    data: dict = {}
    lists = {
        "pricing": "PRICE",
        "cim": "CIM",
        "mcm": "MCM",
        "lab_cert": "LABCERT",
        "xref": "XREF",
        "tos": "TOS",
    }
    for name, prefix in lists.items():
        items = [values.get(_key(f"{prefix}{n}"), "") for n in range(1, REPEATED[prefix] + 1)]
        items = [item for item in items if item]
        if items:
            data[name] = items
    singles = {
        "sequence": "SEQNUM",
        "multiple_pricing": "MULT_PI",
        "statute": "STATUTE",
        "coverage": "COV",
        "asc_group": "ASC_GRP",
        "opps": "OPPS",
        "opps_pi": "OPPS_PI",
        "proc_note": "PROCNOTE",
        "betos": "BETOS",
        "action_code": "ACTION CD",
    }
    for name, column in singles.items():
        value = values.get(_key(column), "")
        if value:
            data[name] = value
    for name, column in {"asc_date": "ASC_DT", "opps_date": "OPPS_DT"}.items():
        value = parse_date(values.get(_key(column), ""), path=path, line=line)
        if value:
            data[name] = value.isoformat()
    units = values.get(_key("ANEST_BU"), "")
    if units:
        if not units.isdigit():
            raise ImportFileError(path, line, f"anesthesia base units {units!r} is not a number")
        if int(units):
            data["anesthesia_base_units"] = int(units)
    return data


def _record(values: dict[str, str], *, path: Path, line: int) -> Record:
    recid = values[_key("RECID")]
    raw_code = values[_key("HCPC")]
    if recid == "3":
        if not CODE_RE.match(raw_code):
            raise ImportFileError(path, line, f"{raw_code!r} is not a HCPCS Level II code")
    elif recid == "7":
        if not MODIFIER_RE.match(raw_code):
            raise ImportFileError(path, line, f"{raw_code!r} is not a HCPCS modifier")
    else:
        raise ImportFileError(path, line, f"unknown record id {recid!r} (expected 3 or 7)")
    if not values[_key("LONG DESCRIPTION")]:
        raise ImportFileError(path, line, f"{raw_code} has no long description")
    record = Record(
        code=raw_code,
        recid=recid,
        line=line,
        # CMS text has stray double spaces; collapsing them keeps them from reading as revisions.
        long_description=" ".join(values[_key("LONG DESCRIPTION")].split()),
        short_description=" ".join(values[_key("SHORT DESCRIPTION")].split()),
        added=parse_date(values.get(_key("ADD DT"), ""), path=path, line=line),
        action_effective=parse_date(values[_key("ACT EFF DT")], path=path, line=line),
        termination=parse_date(values[_key("TERM DT")], path=path, line=line),
        fields=_fields_from(values, path=path, line=line),
    )
    # Each CMS date as CMS gives it (Code.effective_date is our validity start, which for a
    # terminated code is not its last action's date).
    if record.added:
        record.fields["added_date"] = record.added.isoformat()
    if record.action_effective:
        record.fields["action_effective_date"] = record.action_effective.isoformat()
    return record


def read_workbook(path: Path | str) -> Iterator[Record]:
    """Records of a CMS HCPCS workbook (first sheet, header on row 1), columns found by name."""
    import openpyxl

    path = Path(path)
    if not path.exists():
        raise ImportFileError(path, None, "file not found")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a zip/XML error: not a workbook at all
        raise ImportFileError(path, None, f"not an Excel workbook ({exc})") from exc
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ImportFileError(path, 1, "empty workbook")
        columns = [_key(name) for name in header]
        missing = [name for name in REQUIRED if _key(name) not in columns]
        if missing:
            raise ImportFileError(path, 1, f"missing column(s): {', '.join(missing)}")
        for line, row in enumerate(rows, start=2):
            values = {name: _cell(value) for name, value in zip(columns, row, strict=False) if name}
            if not any(values.values()):
                continue
            for name in REQUIRED:
                values.setdefault(_key(name), "")
            yield _record(values, path=path, line=line)
    finally:
        workbook.close()


# The fixed-width 320-byte record of the text edition (CMS record layout, positions 1-based).
TEXT_FIELDS = {
    "HCPC": (1, 5),
    "SEQNUM": (6, 10),
    "RECID": (11, 11),
    "LONG DESCRIPTION": (12, 91),
    "SHORT DESCRIPTION": (92, 119),
    "MULT_PI": (128, 128),
    "STATUTE": (171, 180),
    "COV": (230, 230),
    "ASC_GRP": (231, 232),
    "ASC_DT": (233, 240),
    "OPPS": (241, 243),
    "OPPS_PI": (244, 244),
    "OPPS_DT": (245, 252),
    "PROCNOTE": (253, 256),
    "BETOS": (257, 259),
    "ANEST_BU": (266, 268),
    "ADD DT": (269, 276),
    "ACT EFF DT": (277, 284),
    "TERM DT": (285, 292),
    "ACTION CD": (293, 293),
}
TEXT_REPEATED = {  # prefix -> (start of the first, width, count)
    "PRICE": (120, 2, 4),
    "CIM": (129, 6, 3),
    "MCM": (147, 8, 3),
    "LABCERT": (181, 3, 8),
    "XREF": (205, 5, 5),
    "TOS": (261, 1, 5),
}


def _text_values(line: str) -> dict[str, str]:
    values = {_key(name): line[start - 1 : end].strip() for name, (start, end) in TEXT_FIELDS.items()}
    for prefix, (start, width, count) in TEXT_REPEATED.items():
        for n in range(count):
            begin = start - 1 + n * width
            values[_key(f"{prefix}{n + 1}")] = line[begin : begin + width].strip()
    return values


def read_text_file(path: Path | str) -> Iterator[Record]:
    """Records of the fixed-width ANWEB text edition (Latin-1, a disclaimer before the data).

    A record id 3 or 7 line starts a code or modifier; 4 and 8 lines continue its long
    description. Lines before the first record (the disclaimer) are skipped.
    """
    path = Path(path)
    pending: tuple[dict, int] | None = None

    def finish(values: dict, line: int) -> Record:
        return _record(values, path=path, line=line)

    with open_text(path, encoding="latin-1") as f:
        for number, raw in enumerate(f, start=1):
            line = raw.rstrip("\r\n")
            recid = line[10:11] if len(line) > 10 else ""
            looks_like_record = len(line) >= 91 and recid in "3478" and recid and line[5:10].strip().isdigit()
            if not looks_like_record:
                if pending is None:
                    continue  # the disclaimer
                if line.strip():
                    raise ImportFileError(path, number, "not a 320-byte HCPCS record")
                continue
            if recid in "48":
                if pending is None or pending[0][_key("HCPC")] != line[0:5].strip():
                    raise ImportFileError(path, number, "continuation line without its first line")
                values = pending[0]
                values[_key("LONG DESCRIPTION")] += " " + line[11:91].strip()
                continue
            if pending is not None:
                yield finish(*pending)
            if len(line) < 293:
                raise ImportFileError(path, number, f"record is {len(line)} characters long, expected 320")
            pending = (_text_values(line), number)
    if pending is not None:
        yield finish(*pending)


def read_records(path: Path | str) -> Iterator[Record]:
    """Records of either edition, by file type."""
    path = Path(path)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return read_workbook(path)
    return read_text_file(path)


# --- Browse groups -------------------------------------------------------------------------


@dataclass
class Group:
    code: str  # "A" or "A4206-A4290"
    title: str
    first: str
    last: str
    parent: str | None = None


def read_ranges(path: Path | str = RANGES_FILE) -> list[Group]:
    """Letter and range groups, each with the narrowest group that holds it as parent."""
    groups: list[Group] = []
    with open_text(path) as f:
        for number, raw in enumerate(f, start=1):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            code, sep, title = line.partition("\t")
            if not sep or not title.strip():
                raise ImportFileError(path, number, "expected code<TAB>title")
            if re.fullmatch(r"[A-Z]", code):
                groups.append(Group(code, title.strip(), code + "0000", code + "9999"))
            elif match := re.fullmatch(r"([A-Z]\d{4})-([A-Z]\d{4})", code):
                first, last = match.groups()
                if first[0] != last[0] or first > last:
                    raise ImportFileError(path, number, f"bad range {code}")
                groups.append(Group(code, title.strip(), first, last))
            else:
                raise ImportFileError(path, number, f"{code!r} is neither a letter nor a range")
    spans: dict[tuple[str, str], str] = {}
    for group in groups:
        if (group.first, group.last) in spans:
            raise ImportFileError(path, None, f"range {group.code} is listed twice")
        spans[(group.first, group.last)] = group.code
    for group in groups:
        holders = [
            other
            for other in groups
            if other is not group
            and other.first <= group.first
            and group.last <= other.last
            and (other.first, other.last) != (group.first, group.last)
        ]
        overlapping = [
            other
            for other in groups
            if other is not group
            and other.first <= group.last
            and group.first <= other.last
            and other not in holders
            and not (group.first <= other.first and other.last <= group.last)
        ]
        if overlapping:
            raise ImportFileError(path, None, f"range {group.code} overlaps {overlapping[0].code}")
        if holders:
            group.parent = min(holders, key=_width).code
    return groups


def _width(group: Group) -> int:
    return int(group.last[1:]) - int(group.first[1:])


def group_for(code: str, groups: list[Group]) -> str | None:
    """The narrowest group that holds a code."""
    holders = [g for g in groups if g.first <= code <= g.last]
    return min(holders, key=_width).code if holders else None


# --- Rows for sync_codes ---------------------------------------------------------------------


def release_from_name(path: Path | str) -> tuple[str, datetime.date] | None:
    """("2025-10", 2025-10-01) from "HCPC2025_OCT_ANWEB.xlsx"; ("2020-01", ...) from "HCPC2020_ANWEB...".

    CMS names the quarterly files by year and month; the annual file has no month (January).
    """
    match = re.search(r"HCPC(\d{4})(?:_?(JAN|APR|JUL|OCT))?", Path(path).name.upper())
    if not match:
        return None
    year, month = int(match.group(1)), MONTHS.get(match.group(2) or "JAN", 1)
    return f"{year}-{month:02d}", datetime.date(year, month, 1)


def _effective(record: Record) -> datetime.date | None:
    """The action effective date, except when that action ended the code: a discontinued
    code's last action takes effect after its termination, so the added date says more."""
    effective = record.action_effective or record.added
    if record.termination and effective and effective > record.termination:
        return record.added or effective
    return effective


def code_rows(
    records: Iterable[Record],
    *,
    groups: list[Group],
    release_date: datetime.date | None,
    path: Path | str = "",
) -> list[CodeRow]:
    """Groups first, then one row per code and modifier (a code listed twice is an error)."""
    rows = [
        CodeRow(
            code=g.code,
            title=g.title,
            kind=Kind.SECTION,
            parent=g.parent,
            sort_key=g.code,
        )
        for g in groups
    ]
    seen: dict[str, int] = {}
    for record in records:
        key = ("modifier:" if record.is_modifier else "") + record.code
        if key in seen:
            raise ImportFileError(
                path,
                record.line,
                f"{record.code} is listed twice (first on line {seen[key]})",
            )
        seen[key] = record.line
        deleted = bool(record.termination and release_date and record.termination < release_date)
        rows.append(
            CodeRow(
                code=record.code,
                title=record.long_description,
                short_title=record.short_description,
                kind=Kind.MODIFIER if record.is_modifier else Kind.CODE,
                billable=not deleted and not record.is_modifier,
                parent=None if record.is_modifier else group_for(record.code, groups),
                sort_key=record.code,
                data=record.fields,
                effective_date=_effective(record),
                termination_date=record.termination,
                deleted=deleted,
            )
        )
    return rows


# --- Processing notes ------------------------------------------------------------------------

NOTE_START = re.compile(r"^\s*(\d{4})--\s*(.*)$")


def read_proc_notes(path: Path | str) -> dict[str, str]:
    """Processing notes {number: text} from CMS's text file or a `note<TAB>text` TSV."""
    path = Path(path)
    with open_binary(path) as f:
        raw = f.read()
    text = raw.decode("utf-8-sig", errors="replace") if raw[:3] == b"\xef\xbb\xbf" else raw.decode("latin-1")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if "\t" in first and not NOTE_START.match(first):
        return _notes_from_tsv(path, lines)
    return _notes_from_text(path, lines)


def _notes_from_tsv(path: Path, lines: list[str]) -> dict[str, str]:
    notes: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        key, sep, text = line.partition("\t")
        key = key.strip()
        if number == 1 and not key.isdigit():
            continue  # header
        if not sep or not re.fullmatch(r"\d{1,4}", key) or not text.strip():
            raise ImportFileError(path, number, "expected note number<TAB>text")
        notes[key.zfill(4)] = " ".join(text.split())
    return notes


def _notes_from_text(path: Path, lines: list[str]) -> dict[str, str]:
    notes: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        # Notes sit in a box whose right edge is a "*" column; drop it and the tabs.
        body = line.expandtabs().rstrip().rstrip("*").strip()
        if match := NOTE_START.match(body):
            current = match.group(1)
            notes[current] = [match.group(2).strip()]
        elif current and body and not set(body) <= {"_", "-"}:
            notes[current].append(body)
    if not notes:
        raise ImportFileError(path, None, "no processing notes found (expected lines like '0001--TEXT')")
    return {number: " ".join(" ".join(parts).split()) for number, parts in notes.items()}


def save_proc_notes(notes: dict[str, str]) -> int:
    """Upsert notes by number; returns how many were written."""
    objs = [ProcessingNote(number=number, text=text) for number, text in sorted(notes.items())]
    ProcessingNote.objects.bulk_create(
        objs,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["number"],
        update_fields=["text"],
    )
    return len(objs)


# --- The whole import ------------------------------------------------------------------------


@dataclass
class HcpcsImport:
    result: SyncResult | None = None
    codes: int = 0
    terminated: int = 0
    modifiers: int = 0
    modifiers_terminated: int = 0
    groups: int = 0
    notes: int = 0
    version: str = ""


def import_hcpcs(
    *,
    path: Path | str | None,
    proc_notes: Iterable[Path | str] = (),
    version: str | None = None,
    effective_date: datetime.date | None = None,
    ranges: Path | str = RANGES_FILE,
    progress: Progress | None = None,
) -> HcpcsImport:
    """Load a HCPCS release file (and/or processing-note files) in one transaction."""
    summary = HcpcsImport()
    notes: dict[str, str] = {}
    for notes_path in proc_notes:
        notes.update(read_proc_notes(notes_path))  # later files win: newer notes
    records: list[Record] = []
    if path is not None:
        path = Path(path)
        records = list(read_records(path))
        from_name = release_from_name(path)
        if version is None or effective_date is None:
            if from_name is None:
                latest = max(
                    (r.action_effective for r in records if r.action_effective),
                    default=None,
                )
                from_name = (latest.strftime("%Y-%m"), latest) if latest else ("unknown", None)
            version = version or from_name[0]
            effective_date = effective_date or from_name[1]
        groups = read_ranges(ranges)
        rows = code_rows(records, groups=groups, release_date=effective_date, path=path)
        summary.version = version
        summary.groups = len(groups)
        for record in records:
            terminated = bool(record.termination and effective_date and record.termination < effective_date)
            if record.is_modifier:
                summary.modifiers += 1
                summary.modifiers_terminated += terminated
            else:
                summary.codes += 1
                summary.terminated += terminated
    with transaction.atomic():
        if notes:
            summary.notes = save_proc_notes(notes)
        if path is not None:
            release = register_release(
                dataset="hcpcs",
                version=version,
                title=f"HCPCS Level II, {effective_date:%B %Y}" if effective_date else f"HCPCS Level II {version}",
                path=path,
                source=f"CMS Alpha-Numeric HCPCS file, {path.name}",
                effective_date=effective_date,
            )
            summary.result = sync_codes(
                system=System.HCPCS,
                release=release,
                rows=rows,
                progress=progress,
                # CDT numbers come from the fee schedule (cdt_codes): the HCPCS file never has them.
                scope=Code.objects.filter(system=System.HCPCS).exclude(release__dataset="cdt-codes"),
            )
            release.row_count = len(records)
            release.save(update_fields=["row_count"])
    return summary
