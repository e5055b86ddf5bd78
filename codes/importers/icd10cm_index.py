"""ICD-10-CM Alphabetic Index files (`ICD10CM.index` XML): the Index to External
Causes, the Table of Drugs and Chemicals and the Neoplasm Table.

Each term becomes an IndexTerm in document order, linked to its parent term. The
two tables carry one code per column (`cell col=2..7`). The index files may be older
than the tabular (the ones bundled are FY2023), so every code is checked against
the imported tabular and the ones that are not current are listed in `invalid_codes`.

What counts as valid: an active billable code; or an active header (category or
subcategory) when the index deliberately points to a header: the code ends in "-"
("C79.8-"), it comes from <subcat>/<seecat>, it is a 3-character category
("T18", read as "see category T18"), or the header only lacks its 7th
character ("T51.3X1" -> T51.3X1A/D/S). A code the index gives as complete that has
since been subdivided (now a header with more specific codes) is invalid: the
coder must look further. Codes not in the tabular, or deleted, are invalid.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from lxml import etree

from codes.models import Code, IndexTerm, Kind, Release, System

from .base import (
    BATCH_SIZE,
    ImportFileError,
    compact_code,
    open_binary,
    register_release,
)

TITLES = {
    IndexTerm.Index.EXTERNAL_CAUSE: "ICD-10-CM Index to External Causes",
    IndexTerm.Index.DRUGS: "ICD-10-CM Table of Drugs and Chemicals",
    IndexTerm.Index.NEOPLASM: "ICD-10-CM Neoplasm Table",
}
TABLES = {IndexTerm.Index.DRUGS, IndexTerm.Index.NEOPLASM}
COLUMNS = range(2, 8)
EMPTY_CELLS = {"", "-", "--"}
# The values of an index term's columns that a file leaves unsaid, for rows written with
# write_rows (which fills no defaults): every column but id, index, release, level, position,
# letter and title.
TERM_DEFAULTS = {
    "slug": "", "nemod": "", "code": "", "code_compact": "", "manif": [], "see": "", "see_also": "", "path": "",
    "search_text": "", "search_key": "", "code_status": "", "completions": [], "completion_count": 0,
    "invalid_codes": [], "cells": [], "parent_id": None, "main_id": None, "see_target_id": None,
    "see_also_target_id": None,
}  # fmt: skip
TERM_COLUMNS = ["id", "index", "release_id", "level", "position", "letter", "title", *TERM_DEFAULTS]


def term_row(**values) -> tuple:
    """An index term's values in TERM_COLUMNS order, for write_rows."""
    values = TERM_DEFAULTS | values
    return tuple(values[column] for column in TERM_COLUMNS)


TERM_TAGS = {
    "title",
    "warning",
    "code",
    "see",
    "seeAlso",
    "subcat",
    "seecat",
    "manif",
    "cell",
    "term",
}


@dataclass
class TermRow:
    level: int
    position: int
    letter: str
    title: str
    nemod: str = ""
    code: str = ""
    see: str = ""
    see_also: str = ""
    cells: list[str] = field(default_factory=list)
    parent: TermRow | None = None
    # Bracketed manifestation codes (<manif>): the main index keeps them apart, tables in `nemod`.
    manif: list[str] = field(default_factory=list)
    # The code points to a header on purpose (<subcat>, <seecat>).
    header_ok: bool = False
    invalid: list[str] = field(default_factory=list)


@dataclass
class IndexFile:
    index: str
    version: str
    terms: list[TermRow]


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def detect_index(root) -> str | None:
    """Which index a file holds, from its table heading or title."""
    head = root.find("indexHeading/head[@col='1']")
    if head is not None:
        first = _clean(head.text).lower()
        if first.startswith("substance") or "drug" in first:
            return IndexTerm.Index.DRUGS
        if first.startswith("neoplasm"):
            return IndexTerm.Index.NEOPLASM
    title = _clean(root.findtext("title")).lower()
    if "external cause" in title:
        return IndexTerm.Index.EXTERNAL_CAUSE
    if "diseases" in title:  # "ICD-10-CM INDEX TO DISEASES and INJURIES"
        return IndexTerm.Index.MAIN
    return None


class _Parser:
    def __init__(self, path: Path, index: str | None):
        self.path, self.index = path, index
        self.terms: list[TermRow] = []

    def parse(self) -> IndexFile:
        try:
            with open_binary(self.path) as f:
                root = etree.parse(f, etree.XMLParser(remove_comments=True)).getroot()
        except etree.XMLSyntaxError as exc:
            raise ImportFileError(self.path, exc.lineno, f"not well-formed XML: {exc.msg}") from exc
        if root.tag != "ICD10CM.index":
            raise ImportFileError(
                self.path,
                root.sourceline,
                f"expected <ICD10CM.index>, found <{root.tag}>",
            )
        self.index = self.index or detect_index(root)
        if self.index not in TITLES and self.index != IndexTerm.Index.MAIN:
            raise ImportFileError(self.path, None, "cannot tell which index this is; pass --index")
        version = _clean(root.findtext("version"))
        for letter in root.iterfind("letter"):
            heading = _clean(letter.findtext("title"))[:1].upper()
            for main in letter:
                if main.tag == "mainTerm":
                    self.term(main, 0, heading, None)
                elif main.tag != "title":
                    raise ImportFileError(
                        self.path,
                        main.sourceline,
                        f"unexpected <{main.tag}> in <letter>",
                    )
        if not self.terms:
            raise ImportFileError(self.path, None, "no index terms")
        return IndexFile(self.index, version, self.terms)

    def term(self, el, level: int, letter: str, parent: TermRow | None) -> None:
        title_el = el.find("title")
        if title_el is None:
            raise ImportFileError(self.path, el.sourceline, f"<{el.tag}> without <title>")
        if el.tag == "term":
            try:
                level = int(el.get("level", ""))
            except ValueError:
                raise ImportFileError(self.path, el.sourceline, "<term> without a numeric level") from None
        # The title's nonessential modifiers are an inner <nemod>; the rest is the term.
        parts, nemods = [title_el.text or ""], []
        for child in title_el:
            if child.tag == "nemod":
                nemods.append(_clean("".join(child.itertext())))
            else:
                parts.append("".join(child.itertext()))
            parts.append(child.tail or "")
        title = _clean(" ".join(parts))
        if self.index == IndexTerm.Index.NEOPLASM and level == 1:
            letter = next((ch for ch in title.upper() if ch.isalnum()), letter)
        row = TermRow(
            level=level,
            position=len(self.terms) + 1,
            letter=letter,
            title=title,
            parent=parent,
        )
        self.terms.append(row)
        cells: dict[int, str] = {}
        children = []
        for child in el:
            if not isinstance(child.tag, str) or child.tag == "title":
                continue
            if child.tag not in TERM_TAGS:
                raise ImportFileError(
                    self.path,
                    child.sourceline,
                    f"unexpected <{child.tag}> in <{el.tag}>",
                )
            text = _clean("".join(child.itertext()))
            if child.tag in {"code", "subcat", "seecat"}:
                row.code = text
                row.header_ok = child.tag != "code"
            elif child.tag == "see":
                row.see = text
            elif child.tag == "seeAlso":
                row.see_also = text
            elif child.tag == "manif":
                row.manif.append(text)
                if self.index != IndexTerm.Index.MAIN:
                    nemods.append(f"[{text}]")
            elif child.tag == "warning":
                continue
            elif child.tag == "cell":
                try:
                    cells[int(child.get("col", ""))] = "" if text in EMPTY_CELLS else text
                except ValueError:
                    raise ImportFileError(self.path, child.sourceline, "<cell> without a numeric col") from None
            else:
                children.append(child)
        row.nemod = " ".join(nemods)[:300]
        if self.index in TABLES:
            row.cells = [cells.get(col, "") for col in COLUMNS]
        for child in children:
            self.term(child, level + 1, letter, row)


def path_of(term: TermRow) -> str:
    """ "Main term > subterm > subterm": a term's place in its index, in words."""
    chain = []
    while term is not None:
        chain.append(term.title or term.nemod)
        term = term.parent
    return " > ".join(reversed(chain))


def parse_index(*, path: Path | str, index: str | None = None) -> IndexFile:
    """Read an index XML file into terms in document order (parents before children)."""
    return _Parser(Path(path), index).parse()


@dataclass
class CurrentCodes:
    """What the imported tabular says about each code, to check index codes against."""

    billable: set[str]
    headers: set[str]
    needs_seventh: set[str]

    @classmethod
    def load(cls) -> CurrentCodes:
        active = Code.objects.filter(system=System.ICD10CM, deleted=False)
        billable, headers = set(), set()
        for compact, is_billable in active.filter(kind__in=[Kind.CATEGORY, Kind.SUBCATEGORY, Kind.CODE]).values_list(
            "compact", "billable"
        ):
            (billable if is_billable else headers).add(compact)
        needs_seventh = set(active.filter(data__needs_seventh=True).values_list("compact", flat=True))
        return cls(billable, headers, needs_seventh)

    def is_valid(self, code: str, *, header_ok: bool = False) -> bool:
        if code.strip().endswith("-"):
            header_ok = True
        compact = compact_code(code)
        if len(compact) == 3:  # a category: the index's way to say "see category"
            header_ok = True
        if compact in self.billable:
            return True
        return compact in self.headers and (header_ok or compact in self.needs_seventh)


@dataclass
class IndexResult:
    release: Release
    index: str
    terms: int
    codes: int
    invalid: int


def import_index(*, path: Path | str, index: str | None = None) -> IndexResult:
    """Replace one index's terms with the file's, flagging codes not valid in the tabular."""
    parsed = parse_index(path=path, index=index)
    if parsed.index == IndexTerm.Index.MAIN:
        raise ImportFileError(
            path, None, "this is the main Alphabetic Index: import it with import_icd10cm_alphabetic_index"
        )
    current_release = (
        Release.objects.filter(dataset="icd-10-cm", effective_date__isnull=False).order_by("-effective_date").first()
    )
    current = CurrentCodes.load()
    if not current.billable or current_release is None:
        raise ImportFileError(path, None, "import the ICD-10-CM tabular (import_icd10cm) before the index")
    year = int(parsed.version) if parsed.version.isdigit() else None
    codes = invalid = 0
    for term in parsed.terms:
        term_codes = [c for c in [term.code, *term.cells] if c]
        codes += len(term_codes)
        term.invalid = [c for c in term_codes if not current.is_valid(c, header_ok=term.header_ok)]
        invalid += len(term.invalid)

    with transaction.atomic():
        release = register_release(
            dataset=f"icd-10-cm-{parsed.index}",
            version=parsed.version or "unknown",
            title=f"{TITLES[parsed.index]} FY{parsed.version}",
            path=path,
            source=(
                f"CDC/NCHS, ICD-10-CM Index (XML); codes checked against {current_release.title} "
                f"(version {current_release.version})"
            ),
            effective_date=datetime.date(year - 1, 10, 1) if year else None,
            end_date=datetime.date(year, 9, 30) if year else None,
        )
        IndexTerm.objects.filter(index=parsed.index).update(parent=None)
        IndexTerm.objects.filter(index=parsed.index).delete()
        # Level by level, so that each parent has its primary key before its children.
        objects: dict[int, IndexTerm] = {}
        for level in sorted({t.level for t in parsed.terms}):
            batch = []
            for term in parsed.terms:
                if term.level != level:
                    continue
                obj = IndexTerm(
                    index=parsed.index,
                    release=release,
                    level=term.level,
                    position=term.position,
                    letter=term.letter,
                    title=term.title,
                    nemod=term.nemod,
                    code=term.code[:16],
                    code_compact=compact_code(term.code)[:16],
                    path=path_of(term),
                    see=term.see,
                    see_also=term.see_also,
                    cells=term.cells,
                    invalid_codes=term.invalid,
                    parent=objects[id(term.parent)] if term.parent else None,
                )
                objects[id(term)] = obj
                batch.append(obj)
            IndexTerm.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        release.row_count = len(parsed.terms)
        release.save(update_fields=["row_count"])
    return IndexResult(release, parsed.index, len(parsed.terms), codes, invalid)
