"""MS-DRG tables of the CMS IPPS Final Rule: Table 5 (DRGs, weights, lengths of stay),
Tables 6I and 6J (MCC and CC lists) and Table 6K (CC exclusions).

The DRGs become `Code` rows of system "ms-drg" under one node per MDC. The MDC nodes
have the URL-safe codes "MDC-01" ... "MDC-25", "MDC-PRE" for the Pre-MDC transplant and
tracheostomy DRGs, and "MDC-ALL" for the DRGs that Table 5 gives no MDC (981-989
"O.R. procedure unrelated to principal diagnosis", 998 and 999), which the Definitions
Manual lists as "DRGs associated with all MDCs". Their titles come from
`fixtures/ms_drg/mdc.tsv`, since no CMS table in this set names the MDCs.

CC/MCC severity (`CcCode`) and the PDX exclusion lists (`DrgCcExclusion`) are not codes:
each import replaces them. The ICD-10-CM codes of Table 6K have no dots; they are
stored in canonical form (dot after the third character).
"""

from __future__ import annotations

import csv
import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from codes.models import CcCode, DrgCcExclusion, Kind, Release, System

from .base import (
    BATCH_SIZE,
    CodeRow,
    ImportFileError,
    Progress,
    SyncResult,
    open_text,
    register_release,
    sync_codes,
    write_rows,
)

MDC_TITLES = Path(settings.BASE_DIR) / "fixtures" / "ms_drg" / "mdc.tsv"
DATASET = "ms-drg"
# MS-DRG version 25 was FY2008, the first MS-DRG year: version = FY - 1983.
VERSION_OFFSET = 1983

# Severity suffixes of a DRG title: "... WITH MCC", "... WITHOUT CC/MCC", "... WITH CC OR TPA IN 24 HRS".
_SEVERITY = re.compile(r"\s+WITH(?:OUT)?\s+(?:MCC|CC/MCC|CC)\b.*$")
_ICD10CM = re.compile(r"^[A-Z][0-9A-Z]{2,6}$")  # FY2026 added "QA0.0101"


def icd10cm_dotted(code: str) -> str:
    """'A0223' -> 'A02.23'; codes of three characters stay as they are."""
    code = code.replace(".", "").strip().upper()
    return f"{code[:3]}.{code[3:]}" if len(code) > 3 else code


def mdc_node(mdc: str) -> str:
    """Code of the MDC browse node: '08' -> 'MDC-08', 'PRE' -> 'MDC-PRE', '' -> 'MDC-ALL'."""
    return f"MDC-{mdc or 'ALL'}"


def drg_family(title: str) -> str:
    """The title without its severity split: DRGs 469-470 share 'MAJOR HIP AND KNEE JOINT ...'."""
    return _SEVERITY.sub("", title).strip()


def read_mdc_titles(*, path: Path | str = MDC_TITLES) -> dict[str, str]:
    """MDC number ('PRE', '01'...'25', 'ALL') -> official title."""
    titles = {}
    with open_text(path) as f:
        for number, line in enumerate(f, start=1):
            line = line.rstrip("\r\n")
            if number == 1 or not line.strip():
                continue  # header
            parts = line.split("\t")
            if len(parts) != 2 or not parts[1].strip():
                raise ImportFileError(path, number, "expected 'mdc<TAB>title'")
            titles[parts[0].strip()] = parts[1].strip()
    return titles


@dataclass
class Drg:
    code: str
    title: str
    mdc: str  # "01".."25", "PRE" or "" (all MDCs)
    type: str  # "MED", "SURG" or "" (998, 999)
    weight: float | None
    weight_before_cap: float | None
    gmlos: float | None
    amlos: float | None
    post_acute: bool
    special_pay: bool


def _column(header: list[str], *words: str, path, line, required: bool = True) -> int | None:
    """Index of the header cell containing all `words` (CMS adds the year to some names)."""
    for i, name in enumerate(header):
        if all(word.lower() in name.lower() for word in words):
            return i
    if required:
        raise ImportFileError(path, line, f"no column named like {' '.join(words)!r} in the header")
    return None


def _number(value: str, *, path, line) -> float | None:
    value = value.strip()
    if value in {"", "."}:  # 998 and 999 have no weight
        return None
    try:
        return float(value.replace(",", ""))
    except ValueError:
        raise ImportFileError(path, line, f"{value!r} is not a number") from None


def _yes_no(value: str, *, path, line) -> bool:
    value = value.strip().lower()
    if value not in {"yes", "no"}:
        raise ImportFileError(path, line, f"expected Yes or No, got {value!r}")
    return value == "yes"


def parse_drg_weights(*, path: Path | str) -> tuple[int, list[Drg]]:
    """Table 5 (tab separated, Latin-1, a quoted two-line title): the fiscal year and the DRGs."""
    fiscal_year = None
    header = None
    drgs: list[Drg] = []
    with open_text(path, encoding="latin-1") as f:
        reader = csv.reader(f, delimiter="\t")
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                if fiscal_year is None and (match := re.search(r"FY\s*(\d{4})", " ".join(cells))):
                    fiscal_year = int(match.group(1))
                if cells[0].strip().upper() == "MS-DRG":
                    header = cells
                    cols = {
                        "post_acute": _column(header, "post-acute", path=path, line=line),
                        "special_pay": _column(header, "special pay", path=path, line=line),
                        "mdc": _column(header, "mdc", path=path, line=line),
                        "type": _column(header, "type", path=path, line=line),
                        "title": _column(header, "title", path=path, line=line),
                        "gmlos": _column(header, "geometric", path=path, line=line),
                        "amlos": _column(header, "arithmetic", path=path, line=line),
                    }
                    # Since FY2023 weight changes are capped at 10%; the capped weight is the one paid.
                    capped = _column(header, "cap applied", path=path, line=line, required=False)
                    before = _column(header, "before cap", path=path, line=line, required=False)
                    cols["weight"] = capped if capped is not None else _column(header, "weight", path=path, line=line)
                    cols["weight_before_cap"] = before if before is not None else cols["weight"]
                    width = max(cols.values()) + 1
                continue
            code = cells[0].strip()
            if not re.fullmatch(r"\d{3}", code):
                raise ImportFileError(path, line, f"{code!r} is not a three-digit MS-DRG")
            if len(cells) < width:
                raise ImportFileError(path, line, f"expected {width} columns, found {len(cells)}")
            mdc = cells[cols["mdc"]].strip().upper()
            if mdc and mdc != "PRE" and not re.fullmatch(r"\d{2}", mdc):
                raise ImportFileError(path, line, f"{mdc!r} is not an MDC")
            drg_type = cells[cols["type"]].strip().upper()
            if drg_type not in {"MED", "SURG", "**", ""}:
                raise ImportFileError(path, line, f"{drg_type!r} is not MED or SURG")
            title = " ".join(cells[cols["title"]].split())
            if not title:
                raise ImportFileError(path, line, "missing title")
            drgs.append(
                Drg(
                    code=code,
                    title=title,
                    mdc=mdc,
                    type=drg_type.strip("*"),
                    weight=_number(cells[cols["weight"]], path=path, line=line),
                    weight_before_cap=_number(cells[cols["weight_before_cap"]], path=path, line=line),
                    gmlos=_number(cells[cols["gmlos"]], path=path, line=line),
                    amlos=_number(cells[cols["amlos"]], path=path, line=line),
                    post_acute=_yes_no(cells[cols["post_acute"]], path=path, line=line),
                    special_pay=_yes_no(cells[cols["special_pay"]], path=path, line=line),
                )
            )
    if header is None:
        raise ImportFileError(path, None, "no 'MS-DRG' header row: not a Table 5 file")
    if fiscal_year is None:
        raise ImportFileError(path, None, "no 'FY yyyy' in the title: cannot tell the MS-DRG version")
    if not drgs:
        raise ImportFileError(path, None, "no MS-DRG rows")
    return fiscal_year, drgs


def parse_cc_list(*, path: Path | str) -> dict[str, int]:
    """Table 6I or 6J: code (with a dot) and description, tab separated. Returns code -> line."""
    codes: dict[str, int] = {}
    started = False
    with open_text(path, encoding="latin-1") as f:
        for number, line in enumerate(f, start=1):
            cells = line.rstrip("\r\n").split("\t")
            first = cells[0].strip()
            if not started:
                started = first.lower() == "diagnosis code"
                continue
            if not first:
                # A blank line ends the list; CMS may add a "Notes:" block after it.
                if len(codes):
                    break
                continue
            compact = first.replace(".", "").upper()
            if not _ICD10CM.match(compact) or len(cells) < 2:
                raise ImportFileError(path, number, f"{first!r} is not an ICD-10-CM code and description")
            code = icd10cm_dotted(compact)
            if code in codes:
                raise ImportFileError(
                    path,
                    number,
                    f"{code} is listed twice (first on line {codes[code]})",
                )
            codes[code] = number
    if not started:
        raise ImportFileError(path, None, "no 'Diagnosis Code' header row: not a Table 6I/6J file")
    return codes


@dataclass
class CcExclusions:
    """Table 6K. `codes`: code -> (level, list number or None, count stated, line)."""

    codes: dict[str, tuple[str, int | None, int, int]] = field(default_factory=dict)
    lists: dict[int, list[str]] = field(default_factory=dict)
    # Part 2: codes that are a CC or MCC only if the patient is discharged alive.
    alive_only: set[str] = field(default_factory=set)
    lines: int = 0


_PART1 = re.compile(r"^\s*([A-Z][0-9A-Z]{2,6})\s+(MCC|CC)\s+(?:(\d+):([\d,]+)\s+codes?|No Excl)\b")
_LIST_HEAD = re.compile(r"^PDX collection\s+(\d+)\s*$")
_LIST_ROW = re.compile(r"^\s+([A-Z][0-9A-Z]{2,6})(?:\s|$)")


def parse_cc_exclusions(*, path: Path | str, progress: Progress | None = None) -> CcExclusions:
    """Table 6K: Part 1 (each CC/MCC with its PDX exclusion list number) and the numbered
    PDX collections, then Part 2 (codes that are a CC or MCC only if the patient is discharged
    alive). Part 3 (severity exclusions in select MS-DRGs) ends the file and is not stored."""
    result = CcExclusions()
    section = "intro"
    current: list[str] | None = None
    with open_text(path, encoding="latin-1") as f:
        for number, raw in enumerate(f, start=1):
            result.lines = number
            if progress and number % 1000 == 0:
                progress.advance(1000)
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            if line.startswith("K Part 1"):
                section = "part1"
                continue
            if line.startswith("K Part 2"):
                section = "part2"
                continue
            if line.startswith("K Part"):
                section = "after"
                continue
            if section == "part2":
                match = _LIST_ROW.match(line)
                if not match:
                    raise ImportFileError(path, number, f"not a Part 2 row (code, description): {line.strip()[:60]!r}")
                result.alive_only.add(icd10cm_dotted(match.group(1)))
                continue
            if match := _LIST_HEAD.match(line):
                if section in ("part2", "after"):
                    raise ImportFileError(path, number, "PDX collection after Part 2/3")
                section = "lists"
                list_number = int(match.group(1))
                if list_number in result.lists:
                    raise ImportFileError(path, number, f"PDX collection {list_number} appears twice")
                current = result.lists[list_number] = []
                continue
            if section == "part1":
                if line.lstrip().startswith("I10 Dx"):
                    continue  # column headings
                match = _PART1.match(line)
                if not match:
                    raise ImportFileError(
                        path,
                        number,
                        f"not a Part 1 row (code, CC/MCC, list): {line.strip()[:60]!r}",
                    )
                code = icd10cm_dotted(match.group(1))
                if code in result.codes:
                    raise ImportFileError(path, number, f"{code} is listed twice")
                list_number = int(match.group(3)) if match.group(3) else None
                count = int(match.group(4).replace(",", "")) if match.group(4) else 0
                result.codes[code] = (match.group(2), list_number, count, number)
            elif section == "lists":
                match = _LIST_ROW.match(line)
                if not match:
                    raise ImportFileError(
                        path,
                        number,
                        f"not a PDX row (code, description): {line.strip()[:60]!r}",
                    )
                current.append(icd10cm_dotted(match.group(1)))
    if not result.codes:
        raise ImportFileError(path, None, "no 'K Part 1' CC/MCC rows: not a Table 6K file")
    # The stated sizes ("0008:934 codes") catch a truncated or garbled file.
    for code, (_, list_number, count, number) in result.codes.items():
        if list_number is None:
            continue
        if list_number not in result.lists:
            raise ImportFileError(
                path,
                number,
                f"{code} points to PDX collection {list_number}, which the file lacks",
            )
        if len(result.lists[list_number]) != count:
            raise ImportFileError(
                path,
                number,
                f"{code}: PDX collection {list_number} has {len(result.lists[list_number])} codes, not {count}",
            )
    return result


@dataclass
class MsDrgResult:
    release: Release
    codes: SyncResult
    drgs: int
    mdcs: int
    mcc: int
    cc: int
    exclusion_lists: int
    exclusion_rows: int


def drg_code_rows(*, drgs: list[Drg], mdc_titles: dict[str, str], fiscal_year: int) -> list[CodeRow]:
    """The MDC nodes that the DRGs use, then the DRGs under them."""
    rows: dict[str, CodeRow] = {}
    for drg in drgs:
        node = mdc_node(drg.mdc)
        if node not in rows:
            key = drg.mdc or "ALL"
            rows[node] = CodeRow(
                code=node,
                title=mdc_titles[key],
                kind=Kind.MDC,
                sort_key={"PRE": "00", "ALL": "99"}.get(key, key),
                data={"mdc": key},
            )
        rows[drg.code] = CodeRow(
            code=drg.code,
            title=drg.title,
            kind=Kind.CODE,
            billable=True,
            parent=node,
            sort_key=drg.code,
            data={
                "mdc": drg.mdc or "ALL",
                "type": drg.type,
                "weight": drg.weight,
                "weight_before_cap": drg.weight_before_cap,
                "gmlos": drg.gmlos,
                "amlos": drg.amlos,
                "post_acute": drg.post_acute,
                "special_pay": drg.special_pay,
                "family": drg_family(drg.title),
                "fy": fiscal_year,
            },
        )
    return list(rows.values())


def import_msdrg(
    *,
    weights: Path | str,
    mcc: Path | str,
    cc: Path | str,
    exclusions: Path | str,
    mdc_titles: Path | str = MDC_TITLES,
    stdout=None,
    verbosity: int = 1,
) -> MsDrgResult:
    """Read the four tables (all of them before writing anything), then write the DRGs,
    the CC/MCC list and the exclusion lists in one transaction."""
    fiscal_year, drgs = parse_drg_weights(path=weights)
    titles = read_mdc_titles(path=mdc_titles)
    if missing := {drg.mdc or "ALL" for drg in drgs} - titles.keys():
        raise ImportFileError(mdc_titles, None, f"no title for MDC {', '.join(sorted(missing))}")
    mcc_codes = parse_cc_list(path=mcc)
    cc_codes = parse_cc_list(path=cc)
    for code, number in cc_codes.items():
        if code in mcc_codes:
            raise ImportFileError(cc, number, f"{code} is also on the MCC list")
    progress = Progress("Table 6K lines", stdout=stdout, verbosity=verbosity, every=50000)
    table6k = parse_cc_exclusions(path=exclusions, progress=progress)
    progress.finish()
    levels = {**dict.fromkeys(mcc_codes, "MCC"), **dict.fromkeys(cc_codes, "CC")}
    for code, (level, _, _, number) in table6k.codes.items():
        if code not in levels:
            raise ImportFileError(
                exclusions,
                number,
                f"{code} is not on the MCC or CC list (Tables 6I/6J)",
            )
        if levels[code] != level:
            raise ImportFileError(
                exclusions,
                number,
                f"{code} is {level} here but {levels[code]} in Table 6I/6J",
            )

    version = f"{fiscal_year - VERSION_OFFSET}.0"
    with transaction.atomic():
        release = register_release(
            dataset=DATASET,
            version=version,
            title=f"MS-DRG v{version} (FY{fiscal_year} IPPS Final Rule)",
            path=weights,
            source=(
                f"CMS FY{fiscal_year} IPPS Final Rule, Table 5 (MS-DRGs, relative weights, mean LOS), "
                "Table 6I (MCC list), Table 6J (CC list), Table 6K (CC exclusions)"
            ),
            effective_date=datetime.date(fiscal_year - 1, 10, 1),
            end_date=datetime.date(fiscal_year, 9, 30),
        )
        rows = drg_code_rows(drgs=drgs, mdc_titles=titles, fiscal_year=fiscal_year)
        codes = sync_codes(
            system=System.MSDRG,
            release=release,
            rows=rows,
            progress=Progress("MS-DRG codes", len(rows), stdout=stdout, verbosity=verbosity),
        )

        # Severity tables hold the current MS-DRG version only: replace them whole.
        CcCode.objects.all().delete()
        DrgCcExclusion.objects.all().delete()
        CcCode.objects.bulk_create(
            (
                CcCode(
                    code=code,
                    level=level,
                    exclusion_list=table6k.codes[code][1] if code in table6k.codes else None,
                    discharged_alive_only=code in table6k.alive_only,
                    release_id=release.pk,
                )
                for code, level in levels.items()
            ),
            batch_size=BATCH_SIZE,
        )
        # Only the lists that some CC/MCC points to matter to grouping.
        used = {entry[1] for entry in table6k.codes.values() if entry[1] is not None}
        progress = Progress("CC exclusion rows", stdout=stdout, verbosity=verbosity, every=50000)
        objs = [(number, pdx, release.pk) for number in sorted(used) for pdx in table6k.lists[number]]
        write_rows(DrgCcExclusion, ["list_number", "pdx", "release_id"], objs)
        progress.advance(len(objs))
        progress.finish()
        release.row_count = len(drgs) + len(levels) + len(objs)
        release.save(update_fields=["row_count"])

    return MsDrgResult(
        release=release,
        codes=codes,
        drgs=len(drgs),
        mdcs=len(rows) - len(drgs),
        mcc=len(mcc_codes),
        cc=len(cc_codes),
        exclusion_lists=len(used),
        exclusion_rows=len(objs),
    )
