"""CPT code numbers, collected from the CMS files (fee schedule and NCCI edits).

CMS files name CPT codes but the descriptors are AMA licensed text, so this importer
creates code rows with numbers only: it never writes a title of its own, and keeps the
title (and short title) a licensee's descriptor file may already have set (`import_cpt`).

What it decides from the CMS data:
- a code is current when the fee schedule lists it (status other than D), or an MUE, an
  add-on edit or an in-effect PTP edit names it;
- a code that only PTP edits with a deletion date name (or that the fee schedule marks
  D) is deleted, terminated on the latest deletion date seen;
- codes listed in our curated `fixtures/cpt/replacements.tsv` are deleted, with the codes
  that replaced them.

The hierarchy is our own range table (`fixtures/cpt/ranges.tsv`, titles in our words):
ranges become section rows and each code hangs under the narrowest range holding it.
Run it after the PFS and NCCI imports.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Q

from codes.models import (
    AddOnEdit,
    Code,
    FeeSchedule,
    Kind,
    Mue,
    PtpEdit,
    Release,
    System,
)

from .base import (
    CodeRow,
    ImportFileError,
    Progress,
    SyncResult,
    open_text,
    register_release,
    sync_codes,
)

DATASET = "cpt-codes"
VERSION = "2024Q3"
EFFECTIVE = datetime.date(2024, 7, 1)
# Category I (5 digits), and 4 digits + a letter: vaccine codes (A), Category II (F),
# MAAA (M), Category III (T), PLA (U). HCPCS Level II codes start with a letter instead.
CPT_SHAPE = re.compile(r"^[0-9]{4}[0-9AFMTU]$")
SUFFIX_ORDER = "0AFMTU"  # numeric codes first, then each lettered group


def is_cpt(code: str) -> bool:
    return bool(CPT_SHAPE.match(code))


def sort_key(code: str) -> str:
    """Numeric codes in order, then the lettered groups ("0001F" after "99607")."""
    suffix = code[-1] if not code[-1].isdigit() else "0"
    return f"{SUFFIX_ORDER.index(suffix)}{code}"


def default_dir() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "cpt"


@dataclass
class Range:
    code: str  # "10004-19499"
    start: str
    end: str
    parent: str | None
    title: str

    @cached_property
    def bounds(self) -> tuple[str, str]:
        """The sort keys of its first and last code (each range is asked about every code)."""
        return sort_key(self.start), sort_key(self.end)

    def holds(self, key: str) -> bool:
        """Whether the code of this sort key is in the range: the same letter group, and within the
        bounds (same-length strings compare in order)."""
        start, end = self.bounds
        return start <= key <= end

    @property
    def span(self) -> int:
        return (
            int(self.end[:4]) * 10
            + (int(self.end[4]) if self.end[4].isdigit() else 0)
            - (int(self.start[:4]) * 10 + (int(self.start[4]) if self.start[4].isdigit() else 0))
        )


def _tsv_lines(path: Path):
    """(line number, cells) for data lines: skips comments (#), blank lines and the header."""
    with open_text(path) as f:
        header_seen = False
        for number, text in enumerate(f, start=1):
            text = text.rstrip("\r\n")
            if not text.strip() or text.startswith("#"):
                continue
            if not header_seen:
                header_seen = True
                continue
            yield number, text.split("\t")


def read_ranges(path: Path | str) -> list[Range]:
    path = Path(path)
    ranges: dict[str, Range] = {}
    for line, cells in _tsv_lines(path):
        if len(cells) != 3:
            raise ImportFileError(path, line, "expected range<TAB>parent<TAB>title")
        code, parent, title = (c.strip() for c in cells)
        start, _, end = code.partition("-")
        if not (is_cpt(start) and is_cpt(end) and sort_key(start) <= sort_key(end)):
            raise ImportFileError(path, line, f"{code!r} is not a range of CPT codes")
        if sort_key(start)[0] != sort_key(end)[0]:
            raise ImportFileError(path, line, f"{code!r} mixes code groups")
        if parent and parent not in ranges:
            raise ImportFileError(path, line, f"parent {parent!r} is not listed above")
        ranges[code] = Range(code=code, start=start, end=end, parent=parent or None, title=title)
    return list(ranges.values())


@dataclass
class Replacement:
    codes: list[str]
    year: int
    note: str


def read_replacements(path: Path | str) -> dict[str, Replacement]:
    path = Path(path)
    replacements = {}
    for line, cells in _tsv_lines(path):
        if len(cells) != 4:
            raise ImportFileError(path, line, "expected code<TAB>replaced_by<TAB>year<TAB>note")
        code, replaced_by, year, note = (c.strip() for c in cells)
        codes = [c.strip() for c in replaced_by.split(",") if c.strip()]
        if not is_cpt(code) or not codes or not all(is_cpt(c) for c in codes):
            raise ImportFileError(path, line, "codes must be CPT code numbers")
        if not year.isdigit():
            raise ImportFileError(path, line, f"year {year!r} is not a year")
        replacements[code] = Replacement(codes=codes, year=int(year), note=note)
    return replacements


@dataclass
class Evidence:
    """What the CMS files say about the CPT-shaped codes they name."""

    current: dict[str, set[str]]  # code -> the sources that list it as current
    deleted: dict[str, datetime.date]  # code -> latest deletion date seen (not current anywhere)


def collect_codes() -> Evidence:
    """Gather CPT-shaped codes from the fee schedule and NCCI tables (grouped queries)."""
    current: dict[str, set[str]] = defaultdict(set)
    deleted: dict[str, datetime.date] = {}
    pfs = Release.objects.filter(dataset="pfs").order_by("-effective_date").first()
    pfs_end = datetime.date(pfs.effective_date.year - 1, 12, 31) if pfs and pfs.effective_date else None
    # The current year's fee schedule: older years are kept for history, not as evidence.
    for code, status in FeeSchedule.objects.filter(release=pfs, modifier="").values_list("code", "status_code"):
        if status == "D":  # deleted code, paid only during a grace period
            if pfs_end:
                deleted[code] = pfs_end
        else:
            current[code].add("pfs")
    for code in Mue.objects.values_list("code", flat=True).distinct():
        current[code].add("mue")
    for addon, primary in AddOnEdit.objects.in_effect().values_list("addon_code", "primary_code").distinct():
        current[addon].add("aoc")
        current[primary].add("aoc")
    for column in ("column1", "column2"):
        groups = PtpEdit.objects.values_list(column).annotate(
            in_effect=Count("pk", filter=Q(deletion_date__isnull=True)),
            last=Max("deletion_date"),
        )
        for code, in_effect, last in groups.order_by():
            if in_effect:
                current[code].add("ptp")
            elif last and (code not in deleted or last > deleted[code]):
                deleted[code] = last
    current = {code: sources for code, sources in current.items() if is_cpt(code)}
    deleted = {code: date for code, date in deleted.items() if is_cpt(code) and code not in current}
    return Evidence(current=current, deleted=deleted)


def build_rows(*, evidence: Evidence, ranges: list[Range], replacements: dict[str, Replacement]) -> list[CodeRow]:
    """Range rows and code rows, keeping the titles and data already stored."""
    existing = {
        code: (title, short_title, data)
        for code, title, short_title, data in Code.objects.filter(system=System.CPT).values_list(
            "code", "title", "short_title", "data"
        )
    }
    rows = [
        CodeRow(
            code=r.code,
            title=r.title,
            kind=Kind.SECTION,
            parent=r.parent,
            sort_key=sort_key(r.start),
            data={"start": r.start, "end": r.end},
        )
        for r in ranges
    ]
    # Narrowest range first, so the first range that holds a code is its parent.
    by_span = sorted(ranges, key=lambda r: r.span)
    codes = set(evidence.current) | set(evidence.deleted) | set(replacements)
    for code in sorted(codes, key=sort_key):
        title, short_title, data = existing.get(code, ("", "", {}))
        data = dict(data or {})
        data.pop("replacement", None)
        data["sources"] = sorted(evidence.current.get(code, ())) or ["ptp-deleted"]
        replacement = replacements.get(code)
        termination = evidence.deleted.get(code)
        deleted = code not in evidence.current
        if replacement:
            deleted = True
            termination = datetime.date(replacement.year - 1, 12, 31)
            data["replacement"] = {"year": replacement.year, "note": replacement.note}
            if code not in evidence.current and code not in evidence.deleted:
                data["sources"] = ["replacements"]
        key = sort_key(code)
        parent = next((r.code for r in by_span if r.holds(key)), None)
        rows.append(
            CodeRow(
                code=code,
                title=title,
                short_title=short_title,
                kind=Kind.CODE,
                billable=not deleted,
                parent=parent,
                sort_key=key,
                data=data,
                termination_date=termination if deleted else None,
                deleted=deleted,
            )
        )
    return rows


def import_cpt_codes(
    *,
    ranges_path: Path | str | None = None,
    replacements_path: Path | str | None = None,
    version: str = VERSION,
    effective_date: datetime.date | None = EFFECTIVE,
    progress: Progress | None = None,
) -> SyncResult:
    ranges_path = Path(ranges_path or default_dir() / "ranges.tsv")
    replacements_path = Path(replacements_path or default_dir() / "replacements.tsv")
    ranges = read_ranges(ranges_path)
    replacements = read_replacements(replacements_path)
    with transaction.atomic():
        release = register_release(
            dataset=DATASET,
            version=version,
            effective_date=effective_date,
            title=f"CPT code numbers from the CMS fee schedule and NCCI files, {version}",
            source="Code numbers found in the Physician Fee Schedule RVU file and the NCCI PTP, MUE and "
            "add-on edit files; ranges and replacements from the site's own tables. No AMA descriptors.",
            licence="Code numbers only (public domain CMS files); range titles and notes by the site",
        )
        evidence = collect_codes()
        if not evidence.current:
            raise ImportFileError(
                "fee schedule and NCCI tables",
                None,
                "no CPT codes found: import PFS and NCCI first",
            )
        rows = build_rows(evidence=evidence, ranges=ranges, replacements=replacements)
        result = sync_codes(
            system=System.CPT,
            release=release,
            rows=rows,
            progress=progress,
            # Only codes this importer wrote may vanish; descriptor-only codes stay as they are.
            scope=Code.objects.filter(system=System.CPT, release__dataset=DATASET),
        )
        replaced = Code.objects.filter(system=System.CPT).exclude(replaced_by="").exclude(code__in=replacements)
        replaced.update(replaced_by="")
        targets = {code: ",".join(r.codes) for code, r in replacements.items()}
        to_update = []
        for obj in Code.objects.filter(system=System.CPT, code__in=list(targets)).only("pk", "code", "replaced_by"):
            if obj.replaced_by != targets[obj.code]:
                obj.replaced_by = targets[obj.code]
                to_update.append(obj)
        Code.objects.bulk_update(to_update, ["replaced_by"], batch_size=500)
        release.row_count = result.total
        release.save(update_fields=["row_count"])
    return result
