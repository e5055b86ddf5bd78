"""The Official Guidelines for Coding and Reporting, section by section.

ICD-10-CM: read from the text layer of the NCHS/CMS PDF (one line per PDF line, pages
announced by the running header "ICD-10-CM Official Guidelines for Coding and Reporting /
FY 2026 / Page N of M"). The reader drops the running headers and the table of contents,
joins wrapped lines into paragraphs (a line ending in "-" is joined without a space), mends
the text layer's stray spaces ("ICD -10-CM", "non- insulin", "achiev e") and finds the
numbered headings: "Section I.", "A.", "1.", "a.", "1)", "(a)", "(i)". A line that looks like
a heading is one only if its number is the next one where it stands (the first child of the
current section, or the next sibling of it or of a section above): list items and
parenthesised words at the start of a line stay text. Numbers are the guidelines' own
("I.C.4.a.1" is "1)" under "a." under "4." under "C." of Section I).

ICD-10-PCS: the paragraphs of a TSV (`paragraph, section, topic, text`, newlines as `\\n`),
grouped under their section letter (A conventions, B medical and surgical, C obstetrics,
F selection of principal procedure) and, in B, their guideline group ("B3" root operation).
"""

from __future__ import annotations

import collections
import csv
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction

from codes.models import GuidelineSection, System

from .base import BATCH_SIZE, ImportFileError, open_text, register_release

RUNNING_TITLE = "ICD-10-CM Official Guidelines for Coding and Reporting"
PAGE = re.compile(r"^Page (\d+) of (\d+)$")
EDITION = re.compile(r"^FY (\d{4})\b")
TOC_NUMBER = re.compile(r"^(Section [IV]+\.|[A-Z]\.|\d+\.|[a-z]\.)\s*")
TOC_LINE = re.compile(r"(\.{4,}|\s)\s*\d+\s*$")
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10, "xi": 11}
SECTIONS = {"I": 1, "II": 2, "III": 3, "IV": 4}
# (level, pattern): the marker is group 1, the title group 2. Level 1 is "Section I." / "Appendix I".
MARKERS = [
    (2, re.compile(r"^([A-Z])\.\s+(.+)$")),
    (3, re.compile(r"^(\d{1,2})\.\s+(.+)$")),
    (4, re.compile(r"^([a-z])\.\s+(.+)$")),
    (5, re.compile(r"^(\d{1,2})\)\s*(.+)$")),
    (6, re.compile(r"^\(([a-z])\)\s*(.+)$")),
    (7, re.compile(r"^\(([ivx]+)\)\s*(.+)$")),
]
SECTION_LINE = re.compile(r"^Section (I|II|III|IV)\.\s*(.*)$")
APPENDIX_LINE = re.compile(r"^Appendix (I|II)\s*$")
TITLE_MAX = 160
SOFT_BREAK = "\u00ad"  # where a line ended in "-" and the word went on
# A heading line that ends in one of these wraps onto the next line.
OPEN_WORDS = {"and", "or", "of", "the", "with", "to", "for", "in", "a", "an", "by", "due", "on"}


@dataclass
class SectionRow:
    number: str
    title: str
    level: int
    page: int | None
    lines: list[str] = field(default_factory=list)
    parent: SectionRow | None = None
    body: str = ""


@dataclass
class GuidelineDocument:
    system: str
    version: str
    title: str
    sections: list[SectionRow]


def _ordinal(level: int, marker: str) -> int:
    if level in (2, 4, 6):
        return ord(marker.lower()) - ord("a") + 1
    if level == 7:
        return ROMAN.get(marker, 0)
    return int(marker)


def _mend(text: str, vocabulary: collections.Counter) -> str:
    """The text layer's stray spaces: "ICD -10" and "chapter -specific", "non- outpatient"
    (not "pre- and post-"), "( Tabular" and "Index )", and words split in two ("achiev e"):
    two pieces are joined when together they are a word the guidelines use elsewhere and one
    of them is not."""

    def unbreak(match: re.Match) -> str:
        joined = match.group(1) + match.group(2)
        known = vocabulary[joined.lower()] or vocabulary[joined.lower().removesuffix("s")]
        return joined if known else f"{match.group(1)}-{match.group(2)}"

    text = re.sub(rf"(\w+)-{SOFT_BREAK}(\w+)", unbreak, text).replace(SOFT_BREAK, "")
    text = re.sub(r"(\w) -(\w)", r"\1-\2", text)
    text = re.sub(r"(\w)- (?!and\b|or\b|to\b)(\w)", r"\1-\2", text)
    text = re.sub(r"\( ", "(", text)
    text = re.sub(r" \)", ")", text)
    text = re.sub(r"[ \t]{2,}", " ", text)

    def join(match: re.Match) -> str:
        left, right = match.group(1), match.group(2)
        joined = left + right
        known = vocabulary[joined.lower()] > 0
        broken = vocabulary[left.lower()] <= 1 or (vocabulary[right.lower()] <= 1 and len(right) > 1) or len(right) == 1
        if known and broken and right.lower() not in {"a", "i"}:
            return joined
        return match.group(0)

    return re.sub(r"\b([A-Za-z]{2,}) ([a-z]{1,4})\b", join, text)


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines to paragraphs: blank lines, list items, examples and "See Section" lines start one."""
    paragraphs: list[str] = []
    current = ""
    for raw in lines:
        line = raw.strip().replace("\uf0a7", "•")
        starts = line.startswith(("•", "Example", "See Section", "See I.", "See also Section")) or re.match(
            r"^[A-Z] [–=-] ", line
        )
        if not line or starts:
            if current:
                paragraphs.append(current)
            current = ""
            if not line:
                continue
        if current.endswith("-") and line[:1].isalnum():
            current += SOFT_BREAK + line  # _mend decides: a compound ("non-insulin") or a split word
        else:
            current = f"{current} {line}".strip()
    if current:
        paragraphs.append(current)
    return [p.replace("• ", "• ").replace("•", "• ").replace("•  ", "• ") for p in paragraphs]


class _CmReader:
    def __init__(self, path: Path):
        self.path = path
        self.sections: list[SectionRow] = []
        self.stack: list[tuple[int, int, SectionRow]] = []  # (level, ordinal, section)
        self.toc_titles: list[str] = []

    def read(self) -> GuidelineDocument:
        with open_text(self.path) as f:
            raw = [line.rstrip("\r\n") for line in f]
        if not raw or raw[0].strip() != RUNNING_TITLE:
            raise ImportFileError(self.path, 1, f"expected the title {RUNNING_TITLE!r}")
        edition = EDITION.match(raw[1].strip()) if len(raw) > 1 else None
        if edition is None:
            raise ImportFileError(self.path, 2, "expected the edition (FY YYYY)")
        version = edition.group(1)
        lines = self._pages(raw)
        if not any(page > 1 for page, _, _ in lines):
            raise ImportFileError(self.path, None, "no page headers ('Page N of M'): not the guidelines' text layer")
        body_start = self._after_contents(lines)
        intro = SectionRow("Introduction", "Introduction", 1, 1)
        intro.lines = [text for page, _, text in lines[:body_start] if page == 1][3:]
        self.sections.append(intro)
        self._body(lines[body_start:])
        vocabulary = collections.Counter(w.lower() for w in re.findall(r"[A-Za-z]+", "\n".join(t for *_, t in lines)))
        for section in self.sections:
            section.title = _mend(section.title, vocabulary).rstrip(" :")
            section.body = "\n\n".join(_mend(p, vocabulary) for p in _paragraphs(section.lines))
        title = f"ICD-10-CM Official Guidelines for Coding and Reporting FY{version}"
        return GuidelineDocument(System.ICD10CM, version, title, self.sections)

    def _pages(self, raw: list[str]) -> list[tuple[int, int, str]]:
        """(page, file line, text) without the running headers."""
        out, page, skip = [], 1, 0
        for number, line in enumerate(raw, 1):
            text = line.strip()
            if skip:
                skip -= 1
                continue
            if text == RUNNING_TITLE and number + 2 <= len(raw) and PAGE.match(raw[number + 1].strip()):
                page = int(PAGE.match(raw[number + 1].strip()).group(1))
                skip = 2
                continue
            out.append((page, number, line))
        return out

    def _after_contents(self, lines) -> int:
        """Index of the first body line: "Section I." after the table of contents."""
        in_toc, pending = False, ""
        for i, (_page, _number, text) in enumerate(lines):
            stripped = text.strip()
            if SECTION_LINE.match(stripped):
                if TOC_LINE.search(stripped) and "..." in stripped:
                    in_toc = True
                    continue
                if in_toc:
                    return i
            if in_toc and stripped:
                # An entry that wraps has its page number on its last line only.
                pending = f"{pending} {stripped}".strip()
                if "..." in stripped:
                    entry = re.sub(r"\.{3,}.*$", "", pending).strip()
                    self.toc_titles.append(TOC_NUMBER.sub("", entry))
                    pending = ""
        raise ImportFileError(self.path, None, "no 'Section I.' after the table of contents")

    def _candidates(self, text: str):
        found = SECTION_LINE.match(text)
        if found:
            yield 1, SECTIONS[found.group(1)], found.group(1), found.group(2)
            return
        found = APPENDIX_LINE.match(text)
        if found:
            yield 1, 10 + len(found.group(1)), f"Appendix-{found.group(1)}", ""
            return
        for level, pattern in MARKERS:
            found = pattern.match(text)
            if found:
                ordinal = _ordinal(level, found.group(1))
                if ordinal:
                    yield level, ordinal, found.group(1), found.group(2)

    def _place(self, text: str):
        """(level, ordinal, marker, title, depth to cut the stack to) if the line is the next heading."""
        options = list(self._candidates(text))
        if not options:
            return None
        deepest = self.stack[-1] if self.stack else None
        # The next sibling of the current section, then a first child, then the next sibling of an ancestor.
        for level, ordinal, marker, title in options:
            if deepest and level == deepest[0] and ordinal == deepest[1] + 1:
                return level, ordinal, marker, title, len(self.stack) - 1
        for level, ordinal, marker, title in options:
            if (deepest is None or level > deepest[0]) and (ordinal == 1 or level == 1):
                return level, ordinal, marker, title, len(self.stack)
        for depth in range(len(self.stack) - 2, -1, -1):
            for level, ordinal, marker, title in options:
                if level == self.stack[depth][0] and ordinal == self.stack[depth][1] + 1:
                    return level, ordinal, marker, title, depth
        for level, ordinal, marker, title in options:
            if level == 1 and (not self.stack or ordinal > self.stack[0][1]):
                return level, ordinal, marker, title, 0
        # A number further on (a section skipped or lost in the text layer) when the table of
        # contents has the heading.
        for level, ordinal, marker, title in options:
            vouched = len(title.strip()) >= 8 and any(t.startswith(title.strip()) for t in self.toc_titles)
            if not vouched:
                continue
            if deepest and level > deepest[0]:
                return level, ordinal, marker, title, len(self.stack)
            for depth in range(len(self.stack) - 1, -1, -1):
                if level == self.stack[depth][0] and ordinal > self.stack[depth][1]:
                    return level, ordinal, marker, title, depth
        return None

    def _title(self, title: str, following: list[str]) -> tuple[str, int]:
        """A heading's title, with the lines it wraps onto (the table of contents has the whole
        title of the upper levels; below them a line wraps when it ends open or runs long)."""
        used, title = 0, title.strip()
        for text in following[:3]:
            nxt = text.strip()
            if not nxt or any(self._candidates(nxt)):
                break
            joined = title + nxt if title.endswith("-") else f"{title} {nxt}"
            in_toc = any(
                len(t) > len(title) and t.startswith(title) and (t.startswith(joined) or joined.startswith(t))
                for t in self.toc_titles
            )
            ends_open = title.endswith((",", "-")) or title.split()[-1] in OPEN_WORDS
            wraps = ends_open or (len(title) >= 50 and (nxt[:1].islower() or nxt.startswith("(")))
            if not (in_toc or wraps):
                break
            title, used = joined, used + 1
        return " ".join(title.split()), used

    def _body(self, lines) -> None:
        i = 0
        current: SectionRow | None = None
        while i < len(lines):
            page, _number, text = lines[i]
            stripped = text.strip()
            placed = self._place(stripped) if stripped else None
            if placed is None:
                if current is not None:
                    current.lines.append(text)
                i += 1
                continue
            level, ordinal, marker, title, depth = placed
            following = [t for _, _, t in lines[i + 1 : i + 4]]
            if level == 1 and marker.startswith("Appendix"):
                title, used = (following[0].strip(), 1) if following else ("", 0)
            else:
                title, used = self._title(title, following)
            del self.stack[depth:]
            parent = self.stack[-1][2] if self.stack else None
            number = marker if level == 1 else f"{parent.number}.{marker}" if parent else marker
            rest = ""
            if len(title) > TITLE_MAX:  # a numbered paragraph, not a heading: its first words name it
                cut = re.search(r"[.:]\s", title[:TITLE_MAX])
                end = cut.start() + 1 if cut else TITLE_MAX
                title, rest = title[:end], title[end:].strip()
            current = SectionRow(number, title, level, page, [rest] if rest else [], parent)
            self.sections.append(current)
            self.stack.append((level, ordinal, current))
            i += 1 + used


def read_cm_guidelines(path: Path | str) -> GuidelineDocument:
    return _CmReader(Path(path)).read()


PCS_COLUMNS = ["paragraph", "section", "topic", "text"]
PCS_SECTIONS = {
    "A": "Conventions",
    "B": "Medical and Surgical Section Guidelines (section 0)",
    "C": "Obstetrics Section Guidelines (section 1)",
    "D": "Radiation Therapy Section Guidelines (section D)",
    "E": "New Technology Section Guidelines (section X)",
    "F": "Selection of Principal Procedure",
}
PCS_PARAGRAPH = re.compile(r"^([A-F])(\d+)?(?:\.(\d+)([a-z]?))?$")


def read_pcs_guidelines(path: Path | str, *, version: str = "") -> GuidelineDocument:
    """The ICD-10-PCS guidelines TSV as sections: letters, B's groups, then paragraphs."""
    sections: list[SectionRow] = []
    by_number: dict[str, SectionRow] = {}
    with open_text(path) as f:
        reader = csv.reader(f, delimiter="\t")
        if next(reader, None) != PCS_COLUMNS:
            raise ImportFileError(path, 1, f"expected the columns {', '.join(PCS_COLUMNS)}")
        for row in reader:
            line = reader.line_num
            if not any(row):
                continue
            if len(row) != len(PCS_COLUMNS):
                raise ImportFileError(path, line, f"expected {len(PCS_COLUMNS)} columns, found {len(row)}")
            number, group, topic, text = (cell.strip() for cell in row)
            found = PCS_PARAGRAPH.match(number)
            if not found or not text:
                raise ImportFileError(path, line, f"{number!r} is not a guideline paragraph number (e.g. B3.1a)")
            if number in by_number:
                raise ImportFileError(path, line, f"paragraph {number} appears twice")
            letter, group_number = found.group(1), found.group(2)
            if number == letter:  # a section that is one paragraph ("F"): its heading is in the text
                heading, _, rest = text.partition("\\n") if text.startswith("**") else ("", "", text)
                body = "\n\n".join(p.strip() for p in rest.split("\\n") if p.strip())
                title = heading.strip("* ") or PCS_SECTIONS[letter]
                by_number[number] = SectionRow(number, title, 1, None, body=body)
                sections.append(by_number[number])
                continue
            parent = by_number.get(letter)
            if parent is None:
                parent = by_number[letter] = SectionRow(letter, PCS_SECTIONS[letter], 1, None)
                sections.append(parent)
            if letter == "B" and found.group(3):
                key = f"B{group_number}"
                if key not in by_number:
                    by_number[key] = SectionRow(key, f"{group}", 2, None, parent=parent)
                    sections.append(by_number[key])
                parent = by_number[key]
            title = topic if topic != "Convention" else ""
            body = "\n\n".join(p.strip() for p in text.split("\\n") if p.strip())
            section = SectionRow(number, " ".join(title.split()), parent.level + 1, None, parent=parent, body=body)
            by_number[number] = section
            sections.append(section)
    if not sections:
        raise ImportFileError(path, None, "no guideline paragraphs")
    if not version:
        found = re.search(r"(?:fy)?(20\d\d)", Path(path).name.lower())
        version = found.group(1) if found else "2025"
    return GuidelineDocument(
        System.ICD10PCS, version, f"ICD-10-PCS Official Guidelines for Coding and Reporting FY{version}", sections
    )


@dataclass
class GuidelinesResult:
    title: str
    sections: int
    characters: int


def write_guidelines(*, document: GuidelineDocument, path: Path | str, source: str) -> GuidelinesResult:
    """Replace one system's guideline sections with the document's, in one transaction."""
    numbers = collections.Counter(s.number for s in document.sections)
    repeated = [n for n, count in numbers.items() if count > 1]
    if repeated:
        raise ImportFileError(path, None, f"section numbers appear twice: {', '.join(repeated[:5])}")
    year = int(document.version) if document.version.isdigit() else None
    with transaction.atomic():
        release = register_release(
            dataset=f"{document.system}-guidelines",
            version=document.version,
            title=document.title,
            path=path,
            source=source,
            effective_date=datetime.date(year - 1, 10, 1) if year else None,
            end_date=datetime.date(year, 9, 30) if year else None,
        )
        old = GuidelineSection.objects.filter(system=document.system)
        old.update(parent=None)
        old.delete()
        objects: dict[int, GuidelineSection] = {}
        for level in sorted({s.level for s in document.sections}):
            batch = []
            for position, section in enumerate(document.sections, 1):
                if section.level != level:
                    continue
                obj = GuidelineSection(
                    system=document.system,
                    number=section.number,
                    parent=objects[id(section.parent)] if section.parent else None,
                    level=section.level,
                    position=position,
                    title=section.title,
                    body=section.body,
                    page=section.page,
                    release=release,
                )
                objects[id(section)] = obj
                batch.append(obj)
            GuidelineSection.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        if connection.vendor == "postgresql":
            GuidelineSection.objects.filter(system=document.system).update(
                search_vector=SearchVector("number", "title", weight="A", config="english")
                + SearchVector("body", weight="B", config="english")
            )
        release.row_count = len(document.sections)
        release.save(update_fields=["row_count"])
    return GuidelinesResult(document.title, len(document.sections), sum(len(s.body) for s in document.sections))


CM_SOURCE = (
    "NCHS/CMS, ICD-10-CM Official Guidelines for Coding and Reporting (PDF, public domain); "
    "imported from the PDF's text layer"
)
PCS_SOURCE = "CMS, ICD-10-PCS Official Guidelines for Coding and Reporting (public domain), one paragraph per row"


def import_cm_guidelines(*, path: Path | str) -> GuidelinesResult:
    return write_guidelines(document=read_cm_guidelines(path), path=path, source=CM_SOURCE)


def import_pcs_guidelines(*, path: Path | str, version: str = "") -> GuidelinesResult:
    return write_guidelines(document=read_pcs_guidelines(path, version=version), path=path, source=PCS_SOURCE)
