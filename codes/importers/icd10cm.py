"""ICD-10-CM: the official tabular XML (`ICD10CM.tabular`) and the CDC code-description
text file (`icd10cm-codes-YYYY.txt`) used to load older fiscal years for history.

The tabular holds the whole hierarchy (chapters, sections, categories, subcategories,
codes) with its notes. Codes that take a 7th character are not listed with it: a
`sevenChrDef` on a category or subcategory applies to every leaf under it, and the
importer expands each such leaf into its billable codes (placeholder X up to 6
characters, then the 7th character), as the book tells coders to do.
"""

from __future__ import annotations

import calendar
import datetime
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from lxml import etree

from codes.models import Code, Note, Release, System

from .base import (
    BATCH_SIZE,
    CodeRow,
    ImportFileError,
    Progress,
    SyncResult,
    compact_code,
    open_binary,
    open_text,
    register_release,
    sync_codes,
    write_rows,
)

SYSTEM = System.ICD10CM
DATASET = "icd-10-cm"
SOURCE = "CDC/NCHS, ICD-10-CM Tabular List of Diseases and Injuries (XML)"
CODES_SOURCE = "CDC/NCHS, ICD-10-CM code descriptions in tabular order (text)"

# Tabular note elements and the Note type each becomes, in the book's order.
NOTE_TAGS = {
    "inclusionTerm": Note.Type.INCLUSION,
    "includes": Note.Type.INCLUDES,
    "excludes1": Note.Type.EXCLUDES1,
    "excludes2": Note.Type.EXCLUDES2,
    "codeFirst": Note.Type.CODE_FIRST,
    "useAdditionalCode": Note.Type.USE_ADDITIONAL,
    "codeAlso": Note.Type.CODE_ALSO,
    "notes": Note.Type.NOTE,
    "sevenChrNote": Note.Type.SEVENTH_NOTE,
}
# Elements read elsewhere, or content the site does not show (the WHO visual
# impairment table under H54 is explained in the category's own notes).
HANDLED_TAGS = {"name", "desc", "sevenChrDef", "visualImpairment"}
CHAPTER_TAGS = {*NOTE_TAGS, *HANDLED_TAGS, "sectionIndex", "section"}
SECTION_TAGS = {*NOTE_TAGS, *HANDLED_TAGS, "diag"}
DIAG_TAGS = {*NOTE_TAGS, *HANDLED_TAGS, "diag"}

CODE_RE = re.compile(r"^[A-Z][0-9A-Z][0-9A-Z](\.[0-9A-Z]{1,4})?$")
# The one exception the XML states only in words (category S06): "7th characters D and
# S do not apply to codes in category S06 with 6th character 7 - ..., or 8 - ...".
EXCEPTION_RE = re.compile(
    r"7th characters? (?P<chars>[A-Z](?:(?:, | and | or )[A-Z])*) (?:do|does) not apply to codes "
    r"in category (?P<category>[A-Z0-9]{3}) with 6th characters? (?P<sixth>.*)"
)
MONTHS = {month.lower(): number for number, month in enumerate(calendar.month_name) if month}


@dataclass
class NoteRow:
    code: str
    type: str
    text: str
    key: str = ""
    position: int = 0


@dataclass
class Tabular:
    version: str  # the file's <version>: the fiscal year
    rows: list[CodeRow] = field(default_factory=list)
    notes: list[NoteRow] = field(default_factory=list)


@dataclass
class ReleaseInfo:
    version: str
    title: str
    effective: datetime.date | None
    end: datetime.date | None


def dotted(compact: str) -> str:
    """M4856XA -> M48.56XA (a dot after the category)."""
    return compact if len(compact) <= 3 else f"{compact[:3]}.{compact[3:]}"


def seventh_code(compact: str, char: str) -> str:
    """The full code for a 7th character: pad with placeholder X to 6 characters."""
    return dotted(f"{compact:X<6}{char}")


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _text(el) -> str:
    """An element's text including the text of children (e.g. nothing but safe)."""
    return _clean("".join(el.itertext()))


def _children(el, allowed: set[str], path: Path):
    for child in el:
        if not isinstance(child.tag, str):  # comments, processing instructions
            continue
        if child.tag not in allowed:
            raise ImportFileError(path, child.sourceline, f"unexpected <{child.tag}> in <{el.tag}>")
        yield child


def _required(el, tag: str, path: Path) -> str:
    found = el.find(tag)
    value = _clean(found.text if found is not None else "")
    if not value:
        raise ImportFileError(path, el.sourceline, f"<{el.tag}> without <{tag}>")
    return value


class _Parser:
    def __init__(self, path: Path):
        self.path = path
        self.tabular = Tabular(version="")
        self.order = 0
        # (category, 6th character) -> 7th characters that do not apply
        self.not_applicable: dict[tuple[str, str], set[str]] = {}

    def sort_key(self) -> str:
        self.order += 1
        return f"{self.order:06d}"

    def add_notes(self, code: str, el) -> None:
        position = 0
        for child in el:
            if not isinstance(child.tag, str):
                continue
            if child.tag in NOTE_TAGS:
                for note in child.iter("note"):
                    text = _text(note)
                    if found := EXCEPTION_RE.search(text):
                        for sixth in re.findall(r"(?:^|, or |, | or )(\w) - ", found["sixth"]):
                            chars = set(re.findall(r"[A-Z]", found["chars"]))
                            self.not_applicable.setdefault((found["category"], sixth), set()).update(chars)
                    if text:
                        position += 1
                        self.tabular.notes.append(NoteRow(code, NOTE_TAGS[child.tag], text, position=position))
            elif child.tag == "sevenChrDef":
                # Each extension is one 7th character; a bare <note> between extensions
                # adds an inclusion term to the extension before it.
                key = ""
                for item in child:
                    if not isinstance(item.tag, str):
                        continue
                    text = _text(item)
                    if item.tag == "extension":
                        key = (item.get("char") or "").strip()
                        if not key or not text:
                            raise ImportFileError(
                                self.path,
                                item.sourceline,
                                "<extension> without char or text",
                            )
                    elif item.tag != "note" or not key:
                        raise ImportFileError(
                            self.path,
                            item.sourceline,
                            f"unexpected <{item.tag}> in <sevenChrDef>",
                        )
                    position += 1
                    self.tabular.notes.append(NoteRow(code, Note.Type.SEVENTH, text, key=key, position=position))

    def seventh_chars(self, el) -> list[tuple[str, str]] | None:
        definition = el.find("sevenChrDef")
        if definition is None:
            return None
        return [(ext.get("char").strip(), _text(ext)) for ext in definition.findall("extension")]

    def parse(self) -> Tabular:
        try:
            with open_binary(self.path) as f:
                root = etree.parse(f, etree.XMLParser(remove_comments=True)).getroot()
        except etree.XMLSyntaxError as exc:
            raise ImportFileError(self.path, exc.lineno, f"not well-formed XML: {exc.msg}") from exc
        if root.tag != "ICD10CM.tabular":
            raise ImportFileError(
                self.path,
                root.sourceline,
                f"expected <ICD10CM.tabular>, found <{root.tag}>",
            )
        for child in _children(root, {"version", "introduction", "chapter"}, self.path):
            if child.tag == "version":
                self.tabular.version = _clean(child.text)
            elif child.tag == "chapter":
                self.chapter(child)
        if not self.tabular.version:
            raise ImportFileError(self.path, None, "no <version>")
        if not self.tabular.rows:
            raise ImportFileError(self.path, None, "no chapters")
        return self.tabular

    def chapter(self, el) -> None:
        list(_children(el, CHAPTER_TAGS, self.path))  # reject unknown elements
        number, title = (
            _required(el, "name", self.path),
            _required(el, "desc", self.path),
        )
        found = re.search(r"\(([A-Z0-9]{3}-[A-Z0-9]{3})\)\s*$", title)
        self.tabular.rows.append(
            CodeRow(
                code=number,
                title=title,
                kind="chapter",
                sort_key=self.sort_key(),
                data={"range": found[1] if found else ""},
            )
        )
        self.add_notes(number, el)
        for section in el.findall("section"):
            self.section(section, number)

    def section(self, el, chapter: str) -> None:
        list(_children(el, SECTION_TAGS, self.path))
        section_id = (el.get("id") or "").strip()
        if not section_id:
            raise ImportFileError(self.path, el.sourceline, "<section> without id")
        # A one-category section ("B10") would clash with its category's code.
        code = section_id if "-" in section_id else f"{section_id}-{section_id}"
        title = _required(el, "desc", self.path)
        self.tabular.rows.append(
            CodeRow(
                code=code,
                title=title,
                kind="section",
                parent=chapter,
                sort_key=self.sort_key(),
                data={"range": section_id},
            )
        )
        self.add_notes(code, el)
        for diag in el.findall("diag"):
            self.diag(diag, code, None)

    def diag(self, el, parent: str, inherited: list[tuple[str, str]] | None) -> None:
        list(_children(el, DIAG_TAGS, self.path))
        code, title = _required(el, "name", self.path), _required(el, "desc", self.path)
        if not CODE_RE.match(code):
            raise ImportFileError(
                self.path,
                el.find("name").sourceline,
                f"{code!r} is not an ICD-10-CM code",
            )
        compact = compact_code(code)
        seventh = self.seventh_chars(el) or inherited
        children = el.findall("diag")
        row = CodeRow(code=code, title=title, parent=parent, sort_key=self.sort_key())
        self.tabular.rows.append(row)
        self.add_notes(code, el)
        if children:
            row.kind = "category" if len(compact) == 3 else "subcategory"
            for child in children:
                self.diag(child, code, seventh)
        elif seventh and len(compact) < 7:
            # A leaf under a 7th-character definition is a header of its expansions.
            row.kind = "category" if len(compact) == 3 else "subcategory"
            row.data = {"needs_seventh": True}
            skip = self.not_applicable.get((compact[:3], f"{compact:X<6}"[5]), set())
            for char, text in seventh:
                if char in skip:
                    continue
                self.tabular.rows.append(
                    CodeRow(
                        code=seventh_code(compact, char),
                        title=f"{title}, {text}",
                        parent=code,
                        billable=True,
                        sort_key=self.sort_key(),
                        data={"seventh": char},
                    )
                )
        else:
            row.kind = "category" if len(compact) == 3 else "code"
            row.billable = True


def parse_tabular(*, path: Path | str) -> Tabular:
    """Read the tabular XML into code rows (7th characters expanded) and notes."""
    return _Parser(Path(path)).parse()


def release_info(
    *,
    path: Path | str,
    fiscal_year: str,
    version: str | None = None,
    effective: datetime.date | None = None,
    end: datetime.date | None = None,
) -> ReleaseInfo:
    """Version and dates of a tabular file. The XML only names the fiscal year; an
    off-cycle update (April 1) is named in the CDC file name ("...-April-1-2026.xml")."""
    year = int(fiscal_year) if fiscal_year.isdigit() else None
    found = re.search(r"(?i)(" + "|".join(MONTHS) + r")[-_ ]?(\d{1,2})[-_ ]?(\d{4})", Path(path).name)
    update = None
    if found:
        update = datetime.date(int(found[3]), MONTHS[found[1].lower()], int(found[2]))
    default_effective = update or (datetime.date(year - 1, 10, 1) if year else None)
    default_version = f"{fiscal_year}-{update.month:02d}" if update and update.month != 10 else fiscal_year
    effective = effective or default_effective
    title = f"ICD-10-CM FY{fiscal_year}"
    if update and update.month != 10:
        title += f" ({update:%B} {update.day}, {update.year} update)"
    return ReleaseInfo(
        version=version or default_version,
        title=title,
        effective=effective,
        end=end or (datetime.date(year, 9, 30) if year else None),
    )


def _check_order(path: Path | str, effective: datetime.date | None) -> None:
    """Refuse an older release once a newer one is in: it would mark newer codes deleted."""
    if effective is None:
        return
    newer = Release.objects.filter(dataset=DATASET, effective_date__gt=effective).order_by("-effective_date").first()
    if newer:
        raise ImportFileError(
            path,
            None,
            f"release {newer.version} (effective {newer.effective_date}) is newer; import releases oldest first",
        )


def relink_deleted() -> int:
    """Give each deleted ICD-10-CM code the nearest current ancestor by prefix as its
    parent (its category if nothing closer exists) and a sort key right after the
    current code before it, so it still shows in its place in the hierarchy."""
    rows = list(
        Code.objects.filter(system=SYSTEM).values_list(
            "pk", "compact", "deleted", "parent_id", "lineage", "sort_key", "kind"
        )
    )
    active = {
        compact: (pk, lineage, sort_key)
        for pk, compact, deleted, _, lineage, sort_key, kind in rows
        if not deleted and kind not in {"chapter", "section"}
    }
    ordered = sorted(active)
    changed = []
    for pk, compact, deleted, parent_id, lineage, sort_key, _kind in rows:
        if not deleted:
            continue
        parent = next(
            (active[compact[:n]] for n in range(len(compact) - 1, 2, -1) if compact[:n] in active),
            None,
        )
        before = ordered[bisect_right(ordered, compact) - 1] if ordered and ordered[0] < compact else None
        new_sort = f"{active[before][2]}.{compact}" if before else f"~{compact}"
        new_parent = parent[0] if parent else None
        new_lineage = [*parent[1], parent[0]] if parent else []
        if (parent_id, lineage, sort_key) != (new_parent, new_lineage, new_sort):
            changed.append(Code(pk=pk, parent_id=new_parent, lineage=new_lineage, sort_key=new_sort))
    Code.objects.bulk_update(changed, ["parent", "lineage", "sort_key"], batch_size=BATCH_SIZE)
    return len(changed)


@dataclass
class TabularResult:
    release: Release
    sync: SyncResult
    codes: int
    billable: int
    notes: int
    relinked: int


def import_tabular(
    *,
    path: Path | str,
    version: str | None = None,
    effective: datetime.date | None = None,
    end: datetime.date | None = None,
    progress: Progress | None = None,
) -> TabularResult:
    """Import a tabular XML file: codes (through sync_codes) and all their notes."""
    tabular = parse_tabular(path=path)
    info = release_info(
        path=path,
        fiscal_year=tabular.version,
        version=version,
        effective=effective,
        end=end,
    )
    if progress:
        progress.total = len(tabular.rows)
    with transaction.atomic():
        _check_order(path, info.effective)
        release = register_release(
            dataset=DATASET,
            version=info.version,
            title=info.title,
            path=path,
            source=SOURCE,
            effective_date=info.effective,
            end_date=info.end,
        )
        sync = sync_codes(system=SYSTEM, release=release, rows=tabular.rows, progress=progress)
        ids = dict(Code.objects.filter(system=SYSTEM).values_list("code", "pk"))
        # Notes belong to the current tabular only: replace them all.
        Note.objects.filter(code__system=SYSTEM).delete()
        write_rows(
            Note,
            ["code_id", "type", "text", "key", "position"],
            ((ids[n.code], n.type, n.text, n.key, n.position) for n in tabular.notes),
        )
        relinked = relink_deleted()
        billable = sum(row.billable for row in tabular.rows)
        release.row_count = billable
        release.save(update_fields=["row_count"])
    return TabularResult(release, sync, len(tabular.rows), billable, len(tabular.notes), relinked)


# --- CDC code-description text files (older fiscal years, for history) ---

LINE_RE = re.compile(r"^([A-Z][0-9A-Z]{2,6})\s+(\S.*)$")


def parse_codes_file(*, path: Path | str) -> list[CodeRow]:
    """`icd10cm-codes-YYYY.txt`: the billable code (no dot, padded) then its long title."""
    rows = []
    with open_text(path) as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            found = LINE_RE.match(line)
            if not found:
                raise ImportFileError(
                    path,
                    number,
                    f"expected a code and its description, found {line[:40]!r}",
                )
            compact, title = found[1], found[2].strip()
            rows.append(
                CodeRow(
                    code=dotted(compact),
                    compact=compact,
                    title=title,
                    billable=True,
                    sort_key=f"{number:06d}",
                )
            )
    if not rows:
        raise ImportFileError(path, None, "no codes")
    return rows


def import_codes_file(
    *,
    path: Path | str,
    version: str,
    effective: datetime.date | None = None,
    end: datetime.date | None = None,
    progress: Progress | None = None,
) -> tuple[Release, SyncResult, int]:
    """Import the billable codes of an older fiscal year, so that a later tabular import
    records what was added, revised and deleted since."""
    rows = parse_codes_file(path=path)
    if progress:
        progress.total = len(rows)
    with transaction.atomic():
        _check_order(path, effective)
        release = register_release(
            dataset=DATASET,
            version=version,
            title=f"ICD-10-CM FY{version} (code descriptions)",
            path=path,
            source=CODES_SOURCE,
            effective_date=effective,
            end_date=end,
        )
        # Headers are not in this format: only billable codes can vanish from it.
        scope = Code.objects.filter(system=SYSTEM, billable=True)
        result = sync_codes(system=SYSTEM, release=release, rows=rows, scope=scope, progress=progress)
        relink_deleted()
        release.row_count = len(rows)
        release.save(update_fields=["row_count"])
    return release, result, len(rows)
