"""ICD-10-PCS: the official tables XML (`ICD10PCS.tabular`), definitions XML
(`ICD10PCS.definitions`), index XML (`ICD10PCS.index`) and the CMS code-list text file
(`icd10pcs-codes-YYYY.txt`) used to load older fiscal years for history.

The tables file does not list codes: each table fixes characters 1-3 (section, body
system, root operation) and each of its rows lists the values allowed for characters
4-7. Every combination of one value per axis of a row is a valid code, so the importer
multiplies the rows out. CMS builds the long titles from the axis labels; the file has
none, so `compose_title` (in `pcs_titles`) rebuilds them by the same rules.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from lxml import etree

from codes.models import Code, IndexTerm, PcsDefinition, Release, System

from .base import (
    BATCH_SIZE,
    CodeRow,
    ImportFileError,
    Progress,
    SyncResult,
    open_binary,
    open_text,
    register_release,
    reserve_ids,
    sync_codes,
    write_rows,
)
from .icd10cm_index import TERM_COLUMNS, term_row
from .pcs_titles import compose_title

SYSTEM = System.ICD10PCS
DATASET = "icd-10-pcs"
SOURCE = "CMS, ICD-10-PCS Tables (XML)"
CODES_SOURCE = "CMS, ICD-10-PCS code list with long titles (text)"
INDEX_DATASET = "icd-10-pcs-index"
INDEX_SOURCE = "CMS, ICD-10-PCS Index (XML)"
LICENCE = "Public domain (US government work)"

CODE_RE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


@dataclass
class Axis:
    """One axis of a table or row: its character position, title and values."""

    pos: int
    title: str
    values: list[tuple[str, str]]  # (character, label)
    definition: str = ""


@dataclass
class PcsTable:
    line: int
    axes: list[Axis]  # positions 1-3, one value each
    rows: list[list[Axis]]  # positions 4-7

    @property
    def code(self) -> str:
        return "".join(axis.values[0][0] for axis in self.axes)


@dataclass
class Tables:
    path: str
    version: str
    title: str
    tables: list[PcsTable] = field(default_factory=list)


def _parse_xml(path: Path | str) -> etree._ElementTree:
    """Parse a whole XML file, turning syntax errors into ImportFileError with the line."""
    with open_binary(path) as f:
        try:
            return etree.parse(f, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            raise ImportFileError(path, exc.lineno, f"not well-formed XML: {exc.msg}") from exc


def _text(element: etree._Element | None) -> str:
    """An element's own text with inner whitespace collapsed (its children excluded)."""
    if element is None or element.text is None:
        return ""
    return " ".join(element.text.split())


def _axis(element: etree._Element, *, path: Path | str) -> Axis:
    pos = element.get("pos", "")
    if not pos.isdigit() or not 1 <= int(pos) <= 7:
        raise ImportFileError(path, element.sourceline, f"axis pos {pos!r} is not 1-7")
    values = []
    for label in element.iterfind("label"):
        char = label.get("code", "")
        if len(char) != 1:
            raise ImportFileError(path, label.sourceline, f"label code {char!r} is not one character")
        values.append((char, _text(label)))
    if not values:
        raise ImportFileError(path, element.sourceline, f"axis {pos} has no labels")
    return Axis(
        pos=int(pos),
        title=_text(element.find("title")),
        values=values,
        definition=_text(element.find("definition")),
    )


def parse_tables(*, path: Path | str) -> Tables:
    """Read the tables XML into tables with their rows (nothing is multiplied out yet)."""
    root = _parse_xml(path).getroot()
    if root.tag != "ICD10PCS.tabular":
        raise ImportFileError(path, root.sourceline, f"expected <ICD10PCS.tabular>, found <{root.tag}>")
    tables = Tables(
        path=str(path),
        version=_text(root.find("version")),
        title=_text(root.find("title")),
    )
    for table in root.iterfind("pcsTable"):
        axes = [_axis(axis, path=path) for axis in table.iterfind("axis")]
        if [axis.pos for axis in axes] != [1, 2, 3] or any(len(axis.values) != 1 for axis in axes):
            raise ImportFileError(
                path,
                table.sourceline,
                "a table needs axes 1, 2 and 3 with one label each",
            )
        rows = []
        for row in table.iterfind("pcsRow"):
            row_axes = [_axis(axis, path=path) for axis in row.iterfind("axis")]
            if [axis.pos for axis in row_axes] != [4, 5, 6, 7]:
                raise ImportFileError(path, row.sourceline, "a row needs axes 4, 5, 6 and 7")
            count = row.get("codes")
            expected = (
                len(row_axes[0].values) * len(row_axes[1].values) * len(row_axes[2].values) * len(row_axes[3].values)
            )
            if count and count.isdigit() and int(count) != expected:
                raise ImportFileError(
                    path,
                    row.sourceline,
                    f"row says {count} codes but its axes give {expected}",
                )
            rows.append(row_axes)
        if not rows:
            raise ImportFileError(path, table.sourceline, "a table has no rows")
        tables.tables.append(PcsTable(line=table.sourceline, axes=axes, rows=rows))
    if not tables.tables:
        raise ImportFileError(path, root.sourceline, "no <pcsTable> found")
    return tables


# ---------------------------------------------------------------------------
# Codes from the tables
# ---------------------------------------------------------------------------


def _axis_dict(axis: Axis, char: str, label: str) -> dict:
    return {"pos": axis.pos, "title": axis.title, "value": char, "label": label}


def table_code_rows(tables: Tables, *, effective_date: datetime.date | None = None) -> Iterator[CodeRow]:
    """Sections, body systems, tables and every valid code, parents first."""
    seen: set[str] = set()
    for table in tables.tables:
        (s_char, s_label), (b_char, b_label), (_, o_label) = (axis.values[0] for axis in table.axes)
        section_code, system_code, table_code = s_char, s_char + b_char, table.code
        if section_code not in seen:
            seen.add(section_code)
            yield CodeRow(
                code=section_code,
                title=s_label,
                kind="section",
                sort_key=section_code,
                effective_date=effective_date,
            )
        if system_code not in seen:
            seen.add(system_code)
            yield CodeRow(
                code=system_code,
                title=b_label,
                kind="body_system",
                parent=section_code,
                sort_key=system_code,
                data={"section": s_label},
                effective_date=effective_date,
            )
        if table_code in seen:
            raise ImportFileError(tables.path, table.line, f"table {table_code} appears twice")
        seen.add(table_code)
        head = [_axis_dict(axis, *axis.values[0]) | {"definition": axis.definition} for axis in table.axes]
        rows = [
            [
                {
                    "pos": a.pos,
                    "title": a.title,
                    "values": [{"value": c, "label": label} for c, label in a.values],
                }
                for a in row
            ]
            for row in table.rows
        ]
        yield CodeRow(
            code=table_code,
            title=f"{o_label}, {b_label}",
            kind="table",
            parent=system_code,
            sort_key=table_code,
            data={"axes": head, "rows": rows},
            effective_date=effective_date,
        )
        fixed = [(a.pos, a.title, *a.values[0]) for a in table.axes]
        for row in table.rows:
            for combo in itertools.product(*(axis.values for axis in row)):
                axes = fixed + [
                    (axis.pos, axis.title, char, label) for axis, (char, label) in zip(row, combo, strict=True)
                ]
                code = "".join(axis[2] for axis in axes)
                yield CodeRow(
                    code=code,
                    title=compose_title(axes),
                    kind="code",
                    billable=True,
                    parent=table_code,
                    sort_key=code,
                    data={"axes": [{"pos": p, "title": t, "value": v, "label": lab} for p, t, v, lab in axes]},
                    effective_date=effective_date,
                )


def _link_orphans_to_tables() -> int:
    """Codes that only an older code list named (deleted since) were written before their
    table existed: give each its table as parent when the table exists now."""
    tables = dict(Code.objects.filter(system=SYSTEM, kind="table").values_list("code", "pk"))
    lineages = dict(Code.objects.filter(system=SYSTEM, kind="table").values_list("pk", "lineage"))
    orphans = list(Code.objects.filter(system=SYSTEM, kind="code", parent__isnull=True).only("pk", "code"))
    linked = []
    for code in orphans:
        table_id = tables.get(code.code[:3])
        if table_id:
            code.parent_id = table_id
            code.lineage = [*lineages[table_id], table_id]
            linked.append(code)
    Code.objects.bulk_update(linked, ["parent", "lineage"], batch_size=BATCH_SIZE)
    return len(linked)


@dataclass
class TablesResult:
    sync: SyncResult
    tables: int
    linked: int
    definitions: int | None = None


def import_tables(
    *,
    path: Path | str,
    definitions_path: Path | str | None = None,
    effective_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    stdout=None,
    verbosity: int = 1,
) -> TablesResult:
    """Import a tables XML (and optionally its definitions XML) in one transaction."""
    tables = parse_tables(path=path)
    if not tables.version.isdigit():
        raise ImportFileError(path, None, f"<version> {tables.version!r} is not a year")
    year = int(tables.version)
    # The PCS fiscal year N runs from October 1 of year N-1 to September 30 of year N.
    effective_date = effective_date or datetime.date(year - 1, 10, 1)
    end_date = end_date or datetime.date(year, 9, 30)
    rows = list(table_code_rows(tables, effective_date=effective_date))
    definitions = parse_definitions(path=definitions_path) if definitions_path else None
    with transaction.atomic():
        release = register_release(
            dataset=DATASET,
            version=tables.version,
            title=f"ICD-10-PCS FY{tables.version}",
            path=path,
            source=SOURCE,
            licence=LICENCE,
            effective_date=effective_date,
            end_date=end_date,
        )
        progress = Progress("codes", len(rows), stdout=stdout, verbosity=verbosity)
        result = sync_codes(system=SYSTEM, release=release, rows=rows, progress=progress)
        linked = _link_orphans_to_tables()
        Release.objects.filter(pk=release.pk).update(row_count=result.total)
        count = write_definitions(definitions, release=release, path=definitions_path) if definitions else None
    return TablesResult(sync=result, tables=len(tables.tables), linked=linked, definitions=count)


# ---------------------------------------------------------------------------
# CMS code list (older years, for history)
# ---------------------------------------------------------------------------


def parse_code_list(*, path: Path | str) -> list[CodeRow]:
    """Read `icd10pcs-codes-YYYY.txt`: a 7-character code, spaces, the long title."""
    rows = []
    with open_text(path) as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            code, _, title = line.partition(" ")
            if not CODE_RE.match(code) or not title.strip():
                raise ImportFileError(
                    path,
                    number,
                    f"expected a 7-character PCS code and a title, found {line[:40]!r}",
                )
            rows.append(
                CodeRow(
                    code=code,
                    title=title.strip(),
                    kind="code",
                    billable=True,
                    parent=code[:3],
                    sort_key=code,
                )
            )
    if not rows:
        raise ImportFileError(path, None, "no codes found")
    return rows


def import_code_list(
    *,
    path: Path | str,
    version: str,
    effective_date: datetime.date,
    end_date: datetime.date | None = None,
    stdout=None,
    verbosity: int = 1,
) -> SyncResult:
    """Import an older fiscal year's code list; run these oldest first, before the tables."""
    rows = parse_code_list(path=path)
    for row in rows:
        row.effective_date = effective_date
    newer = Release.objects.filter(dataset=DATASET, effective_date__gt=effective_date).first()
    if newer:
        raise ImportFileError(path, None, f"{newer.title} is already imported: import older lists first")
    with transaction.atomic():
        release = register_release(
            dataset=DATASET,
            version=version,
            title=f"ICD-10-PCS FY{version}",
            path=path,
            source=CODES_SOURCE,
            licence=LICENCE,
            effective_date=effective_date,
            end_date=end_date,
        )
        # Only codes: the list has no sections or tables, which must not be marked deleted.
        scope = Code.objects.filter(system=SYSTEM, kind="code")
        progress = Progress("codes", len(rows), stdout=stdout, verbosity=verbosity)
        result = sync_codes(system=SYSTEM, release=release, rows=rows, scope=scope, progress=progress)
        Release.objects.filter(pk=release.pk).update(row_count=result.total)
    return result


# ---------------------------------------------------------------------------
# Definitions
# ---------------------------------------------------------------------------


@dataclass
class Definition:
    section: str
    axis: int
    axis_title: str
    term: str
    definition: str = ""
    explanation: str = ""
    includes: list[str] = field(default_factory=list)


def parse_definitions(*, path: Path | str) -> list[Definition]:
    """Read the definitions XML: one Definition per term title (a <terms> element may
    give several titles, e.g. the left and right body part, sharing its includes)."""
    root = _parse_xml(path).getroot()
    if root.tag != "ICD10PCS.definitions":
        raise ImportFileError(
            path,
            root.sourceline,
            f"expected <ICD10PCS.definitions>, found <{root.tag}>",
        )
    definitions = []
    for section in root.iterfind("section"):
        code = section.get("code", "")
        if len(code) != 1:
            raise ImportFileError(path, section.sourceline, f"section code {code!r} is not one character")
        for axis in section.iterfind("axis"):
            pos = axis.get("pos", "")
            if not pos.isdigit():
                raise ImportFileError(path, axis.sourceline, f"axis pos {pos!r} is not a number")
            axis_title = _text(axis.find("title"))
            for terms in axis.iterfind("terms"):
                titles = [_text(title) for title in terms.iterfind("title")]
                if not titles:
                    raise ImportFileError(path, terms.sourceline, "<terms> without a <title>")
                common = {
                    "definition": _text(terms.find("definition")),
                    "explanation": _text(terms.find("explanation")),
                    "includes": [_text(inc) for inc in terms.iterfind("includes")],
                }
                definitions.extend(
                    Definition(
                        section=code,
                        axis=int(pos),
                        axis_title=axis_title,
                        term=title,
                        **common,
                    )
                    for title in titles
                )
    return definitions


def write_definitions(definitions: list[Definition], *, release: Release, path: Path | str | None = None) -> int:
    """Replace every PcsDefinition; set the value character where the term names exactly
    one value of that axis in the section's tables."""
    values: dict[tuple[str, int, str], set[str]] = {}
    for section, axes in Code.objects.filter(system=SYSTEM, kind="table", deleted=False).values_list("code", "data"):
        for axis in axes.get("axes", []):
            values.setdefault((section[0], axis["pos"], axis["label"]), set()).add(axis["value"])
        for row in axes.get("rows", []):
            for axis in row:
                for value in axis["values"]:
                    values.setdefault((section[0], axis["pos"], value["label"]), set()).add(value["value"])
    objs = []
    for d in definitions:
        chars = values.get((d.section, d.axis, d.term), set())
        objs.append(
            PcsDefinition(
                section=d.section,
                axis=d.axis,
                axis_title=d.axis_title,
                term=d.term,
                value=next(iter(chars)) if len(chars) == 1 else "",
                definition=d.definition,
                explanation=d.explanation,
                includes=d.includes,
                release=release,
            )
        )
    PcsDefinition.objects.all().delete()
    PcsDefinition.objects.bulk_create(objs, batch_size=BATCH_SIZE)
    return len(objs)


# ---------------------------------------------------------------------------
# Index
# ---------------------------------------------------------------------------

# Elements of a <mainTerm> or <term> that say where to look.
REFERENCE_TAGS = ("code", "codes", "tab")


@dataclass
class IndexEntry:
    level: int
    letter: str
    title: str
    code: str = ""
    see: str = ""
    use: str = ""
    children: list[IndexEntry] = field(default_factory=list)


def _pointer(element: etree._Element | None) -> tuple[str, str]:
    """A <see> or <use> pointer: its text and the code or table it may carry."""
    if element is None:
        return "", ""
    code = next(
        (_text(element.find(tag)) for tag in REFERENCE_TAGS if element.find(tag) is not None),
        "",
    )
    return _text(element), code


def _entry(element: etree._Element, *, level: int, letter: str, path: Path | str) -> IndexEntry:
    see, see_code = _pointer(element.find("see"))
    use, use_code = _pointer(element.find("use"))
    code = next(
        (_text(element.find(tag)) for tag in REFERENCE_TAGS if element.find(tag) is not None),
        "",
    )
    code = code or see_code or use_code
    if code and not re.fullmatch(r"[0-9A-Z]{3,7}", code):
        raise ImportFileError(path, element.sourceline, f"{code!r} is not a PCS code or table")
    entry = IndexEntry(
        level=level,
        letter=letter,
        title=_text(element.find("title")),
        code=code,
        see=see,
        use=use,
    )
    for child in element.iterfind("term"):
        child_level = child.get("level", "")
        if not child_level.isdigit() or int(child_level) != level + 1:
            raise ImportFileError(
                path,
                child.sourceline,
                f"term level {child_level!r} under level {level}",
            )
        entry.children.append(_entry(child, level=level + 1, letter=letter, path=path))
    return entry


def parse_index(*, path: Path | str) -> tuple[str, list[IndexEntry]]:
    """Read the index XML into its main terms (with subterms nested)."""
    root = _parse_xml(path).getroot()
    if root.tag != "ICD10PCS.index":
        raise ImportFileError(path, root.sourceline, f"expected <ICD10PCS.index>, found <{root.tag}>")
    entries = []
    for letter in root.iterfind("letter"):
        name = _text(letter.find("title"))[:1].upper()
        for main in letter.iterfind("mainTerm"):
            entries.append(_entry(main, level=0, letter=name, path=path))
    if not entries:
        raise ImportFileError(path, root.sourceline, "no <mainTerm> found")
    return _text(root.find("version")), entries


def _valid_references() -> tuple[set[str], set[str]]:
    """Current codes, and their 3- to 6-character prefixes: the index points to tables
    ("0QU"), to a table and body part ("0UT9"), or further ("0C01X")."""
    codes = set(Code.objects.filter(system=SYSTEM, kind="code", deleted=False).values_list("code", flat=True))
    prefixes = {code[:length] for code in codes for length in range(3, 7)}
    return codes, prefixes


def import_index(*, path: Path | str, stdout=None, verbosity: int = 1) -> tuple[int, int]:
    """Replace the PCS index; returns (terms, references not valid in the current tables)."""
    version, entries = parse_index(path=path)
    codes, prefixes = _valid_references()
    if not codes:
        raise ImportFileError(path, None, "no ICD-10-PCS codes imported yet: import the tables first")
    # Flatten in document order; parents are written one level at a time to get their ids.
    flat: list[tuple[IndexEntry, int | None]] = []

    def walk(entry: IndexEntry, parent: int | None) -> None:
        flat.append((entry, parent))
        me = len(flat) - 1
        for child in entry.children:
            walk(child, me)

    for entry in entries:
        walk(entry, None)
    invalid = 0
    with transaction.atomic():
        release = register_release(
            dataset=INDEX_DATASET,
            version=version,
            title=f"ICD-10-PCS Index FY{version}",
            path=path,
            source=INDEX_SOURCE,
            licence=LICENCE,
        )
        IndexTerm.objects.filter(index=IndexTerm.Index.PCS).delete()
        # Ids first, so that each term is written once with its parent's id (parents come first).
        ids = reserve_ids(IndexTerm, len(flat))
        progress = Progress("index terms", len(flat), stdout=stdout, verbosity=verbosity)
        rows = []
        for position, (entry, parent) in enumerate(flat):
            bad = []
            if entry.code and not (entry.code in codes if len(entry.code) == 7 else entry.code in prefixes):
                bad = [entry.code]
                invalid += 1
            # The PCS index's "use" pointer (body part and device keys) goes in see_also.
            rows.append(
                term_row(
                    id=ids[position],
                    index=IndexTerm.Index.PCS,
                    release_id=release.pk,
                    level=entry.level,
                    position=position,
                    letter=entry.letter,
                    title=entry.title,
                    code=entry.code,
                    see=entry.see,
                    see_also=entry.use,
                    invalid_codes=bad,
                    parent_id=ids[parent] if parent is not None else None,
                )
            )
            progress.advance()
        write_rows(IndexTerm, TERM_COLUMNS, rows)
        progress.finish()
        Release.objects.filter(pk=release.pk).update(row_count=len(rows))
    return len(rows), invalid
