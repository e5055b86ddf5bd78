"""Medicare Physician Fee Schedule: the RVU file (PPRRVU), GPCIs and payment localities.

The files are read as CSV with a header row and columns found by name, so a file with
the columns in another order, or with CMS's own header names ("HCPCS", "WORK RVU",
"GLOB DAYS"...), loads the same way. Only codes, numbers and indicators are kept:
the `description` column is never read, because for CPT rows it is AMA text.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from codes.importers.base import ImportFileError, Progress, open_text, register_release, write_rows
from codes.models import FeeSchedule, Locality, Release

DATASET = "pfs"
VERSION = "2024-07"
TITLE = "Medicare Physician Fee Schedule, CY2024 RVU file RVU24C (July 2024)"
SOURCE = "CMS, Physician Fee Schedule relative value files (PPRRVU, GPCI, LOCCO)"
EFFECTIVE = datetime.date(2024, 7, 1)
END = datetime.date(2024, 12, 31)
CONVERSION_FACTOR = Decimal("33.2875")

# Model field -> accepted header names (normalised: lower case, runs of other characters as "_").
# The first name is the one in our bundled file; the others are CMS's spellings.
PPRRVU_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("hcpcs", "hcpcs_code"),
    "modifier": ("mod", "modifier"),
    "status_code": ("status_code", "status"),
    "work_rvu": ("work_rvu", "work_rvus"),
    "pe_nonfacility_rvu": (
        "non_fac_pe_rvu",
        "non_facility_pe_rvus",
        "fully_implemented_non_facility_pe_rvus",
    ),
    "pe_facility_rvu": (
        "facility_pe_rvu",
        "facility_pe_rvus",
        "fully_implemented_facility_pe_rvus",
    ),
    "mp_rvu": ("mp_rvu", "mp_rvus", "malpractice_rvus"),
    "total_nonfacility": ("non_facility_total", "non_facility_total_rvus"),
    "total_facility": ("facility_total", "facility_total_rvus"),
    "pctc": ("pctc_ind", "pctc_indicator", "pctc"),
    "global_days": ("glob_days", "global_days", "global"),
    "pre_op": ("pre_op",),
    "intra_op": ("intra_op",),
    "post_op": ("post_op",),
    "mult_proc": ("mult_proc", "mult_surg"),
    "bilat_surg": ("bilat_surg",),
    "asst_surg": ("asst_surg",),
    "co_surg": ("co_surg",),
    "team_surg": ("team_surg",),
    "endo_base": ("endo_base",),
    "conversion_factor": ("conv_factor", "conversion_factor"),
    "supervision": (
        "physician_supervision_of_diagnostic_procedures",
        "physician_supervision",
    ),
    "imaging_family": (
        "diagnostic_imaging_family_indicator",
        "diagnostic_imaging_family",
    ),
}
REQUIRED = ("code", "status_code", "work_rvu", "global_days")
DECIMALS = {
    "work_rvu",
    "pe_nonfacility_rvu",
    "pe_facility_rvu",
    "mp_rvu",
    "total_nonfacility",
    "total_facility",
    "pre_op",
    "intra_op",
    "post_op",
    "conversion_factor",
}
CODE_RE = re.compile(r"^[0-9A-Z]{5}$")


def normalise_header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


MONTHS = {"jan": 1, "apr": 4, "jul": 7, "oct": 10}


def release_from_name(path: Path | str) -> dict | None:
    """Version, title and dates from a CMS file name: PPRRVU26_APR (RVU26B) is CY2026's April
    release, in effect from 2026-04-01 to the end of the year (the next release replaces it)."""
    name = Path(path).name.lower()
    match = re.search(r"pprrvu(\d{2})_?(jan|apr|jul|oct)", name)
    if not match:
        return None
    year, month = 2000 + int(match.group(1)), MONTHS[match.group(2)]
    letter = re.search(r"rvu\d{2}([a-d])", name)
    package = f" RVU{match.group(1)}{letter.group(1).upper()}" if letter else ""
    return {
        "version": f"{year}-{month:02d}",
        "title": f"Medicare Physician Fee Schedule, CY{year} RVU file{package} ({match.group(2).title()} {year})",
        "effective_date": datetime.date(year, month, 1),
        "end_date": datetime.date(year, 12, 31),
    }


def _column_map(header: list[str], columns: dict[str, tuple[str, ...]], required, *, path) -> dict[str, int]:
    # CMS puts the year in some headers ("2026 PE GPCI"): names are matched without it.
    positions = {re.sub(r"^\d{4}_", "", normalise_header(name)): i for i, name in enumerate(header)}
    found = {}
    for field, names in columns.items():
        for name in names:
            if name in positions:
                found[field] = positions[name]
                break
    missing = [columns[field][0] for field in required if field not in found]
    if missing:
        raise ImportFileError(path, 1, f"missing column(s): {', '.join(missing)}")
    return found


def _decimal(value: str, *, field: str, path, line: int) -> Decimal | None:
    value = value.strip()
    if not value or value.upper() == "NA":
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ImportFileError(path, line, f"{field}: {value!r} is not a number") from None
    if not number.is_finite():
        raise ImportFileError(path, line, f"{field}: {value!r} is not a number")
    return number


def _csv_rows(path: Path | str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for every non-blank line; line 1 is the header."""
    with open_text(path, encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        try:
            for cells in reader:
                if any(cell.strip() for cell in cells):
                    yield reader.line_num, cells
        except csv.Error as exc:
            raise ImportFileError(path, reader.line_num, f"not a CSV line ({exc})") from None


def _header(rows: Iterator[tuple[int, list[str]]], path) -> list[str]:
    """The header row: CMS's GPCI and locality files put a title and blank lines above it."""
    line = None
    for line, cells in rows:
        if any(normalise_header(cell) in ("locality", "locality_number") for cell in cells):
            return cells
        if line > 10:
            break
    if line is None:
        raise ImportFileError(path, None, "empty file")
    raise ImportFileError(path, None, "no header row (a locality column) in the first 10 lines")


def parse_pprrvu(path: Path | str, *, conversion_factor: Decimal = CONVERSION_FACTOR) -> Iterator[dict]:
    """Yield one dict of FeeSchedule field values per RVU row."""
    rows = _csv_rows(path)
    try:
        _, header = next(rows)
    except StopIteration:
        raise ImportFileError(path, None, "empty file") from None
    columns = _column_map(header, PPRRVU_COLUMNS, REQUIRED, path=path)
    width = max(columns.values()) + 1
    seen: set[tuple[str, str]] = set()
    for line, cells in rows:
        if len(cells) < width:
            raise ImportFileError(path, line, f"expected at least {width} columns, found {len(cells)}")
        values = {}
        for field, i in columns.items():
            cell = cells[i].strip()
            values[field] = _decimal(cell, field=field, path=path, line=line) if field in DECIMALS else cell.upper()
        if not CODE_RE.match(values["code"]):
            raise ImportFileError(path, line, f"{values['code']!r} is not a HCPCS/CPT code")
        if len(values.get("modifier", "")) > 2:
            raise ImportFileError(path, line, f"{values['modifier']!r} is not a modifier")
        key = (values["code"], values.get("modifier", ""))
        if key in seen:
            raise ImportFileError(path, line, f"{key[0]} {key[1]} is listed twice".strip())
        seen.add(key)
        if values.get("conversion_factor") is None:
            values["conversion_factor"] = conversion_factor
        for field in ("endo_base", "supervision", "imaging_family", "global_days"):
            limit = FeeSchedule._meta.get_field(field).max_length
            if len(values.get(field, "")) > limit:
                raise ImportFileError(path, line, f"{field}: {values[field]!r} is too long")
        yield values


# The work GPCI: CMS's Addendum E gives it with and without the statutory 1.0 floor. CMS pays
# with the floored value while the law extends the floor (as it has since 2004), so that is
# `gpci_work`; the value without the floor is kept beside it. Checked for CY2026 (the bundled
# Addendum E, GPCI2026.csv): the floor is in force, Alabama 00 is paid at 1.000 (0.988 without it),
# and the code page's payment note says which value it uses.
GPCI_COLUMNS = {
    "mac": ("mac", "medicare_administrative_contractor_mac", "contractor"),
    "state": ("state",),
    "number": ("locality_number", "locality"),
    "name": ("locality_name",),
    "gpci_work": ("gpci_work", "pw_gpci_with_1_0_floor", "pw_gpci"),
    "gpci_pe": ("gpci_pe", "pe_gpci"),
    "gpci_mp": ("gpci_mp", "mp_gpci"),
}
GPCI_OPTIONAL = {"gpci_work_unfloored": ("pw_gpci_without_1_0_floor",)}
LOCCO_COLUMNS = {
    "mac": (
        "mac",
        "medicare_adminstrative_contractor",
        "medicare_administrative_contractor",
    ),
    "number": ("locality_number", "locality"),
    "state_name": ("state",),
    "area": ("fee_schedule_area",),
    "counties": ("counties",),
}


def parse_localities(gpci_path: Path | str, locco_path: Path | str) -> list[dict]:
    """GPCIs joined with the locality file on (MAC, locality number).

    The locality file ends with footnotes ("* Payment locality is serviced by two
    carriers.") and names some localities on two lines; lines without a MAC are
    skipped and counties of repeated (MAC, locality) pairs are joined.
    """
    areas: dict[tuple[str, str], dict] = {}
    rows = _csv_rows(locco_path)
    header = _header(rows, locco_path)
    columns = _column_map(header, LOCCO_COLUMNS, ("mac", "number", "counties"), path=locco_path)
    for _line, cells in rows:
        cells = cells + [""] * (len(header) - len(cells))
        # Spreadsheet exports drop leading zeros (25LOCCO: MAC "2102", locality "1").
        mac = cells[columns["mac"]].strip()
        mac = mac.zfill(5) if re.match(r"^\d{4}$", mac) else mac
        number = cells[columns["number"]].strip().zfill(2)
        if not re.match(r"^\d{5}$", mac):
            continue  # footnote or blank line
        counties = cells[columns["counties"]].strip()
        area = cells[columns["area"]].strip() if "area" in columns else ""
        if (mac, number) in areas:
            previous = areas[(mac, number)]
            if counties and counties not in previous["counties"]:
                previous["counties"] = ", ".join(c for c in (previous["counties"], counties) if c)
        else:
            areas[(mac, number)] = {"counties": counties, "area": area}

    localities = []
    seen = set()
    rows = _csv_rows(gpci_path)
    header = _header(rows, gpci_path)
    columns = _column_map(header, GPCI_COLUMNS | GPCI_OPTIONAL, tuple(GPCI_COLUMNS), path=gpci_path)
    for line, cells in rows:
        if not any(cell.strip() for cell in cells[1:]):
            continue  # a footnote under the table
        if len(cells) < len(header):
            raise ImportFileError(gpci_path, line, f"expected {len(header)} columns, found {len(cells)}")
        mac = cells[columns["mac"]].strip()
        if not re.match(r"^\d{5}$", mac):
            raise ImportFileError(gpci_path, line, f"{mac!r} is not a MAC number")
        number = cells[columns["number"]].strip().zfill(2)
        if (mac, number) in seen:
            raise ImportFileError(gpci_path, line, f"locality {mac}/{number} is listed twice")
        seen.add((mac, number))
        area = areas.get((mac, number), {})
        state = cells[columns["state"]].strip().upper()
        if len(state) != 2:
            raise ImportFileError(gpci_path, line, f"{state!r} is not a state abbreviation")
        localities.append(
            {
                "mac": mac,
                "number": number,
                "state": state,
                "name": area.get("area") or cells[columns["name"]].strip(),
                "counties": area.get("counties", ""),
                **{
                    field: _decimal(cells[columns[field]], field=field, path=gpci_path, line=line)
                    for field in ("gpci_work", "gpci_pe", "gpci_mp", "gpci_work_unfloored")
                    if field in columns
                },
            }
        )
        if any(localities[-1][field] is None for field in ("gpci_work", "gpci_pe", "gpci_mp")):
            raise ImportFileError(gpci_path, line, "a GPCI is missing")
    return localities


def import_pfs(
    *,
    pprrvu: Path | str,
    gpci: Path | str | None = None,
    localities: Path | str | None = None,
    version: str | None = None,
    title: str | None = None,
    effective_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    progress: Progress | None = None,
) -> tuple[Release, int, int]:
    """Load one release's RVUs (and, when given, its GPCIs and localities).

    The fee schedule keeps one release per calendar year, so a code page can show its RVUs
    by year: this release replaces the rows of any other release of its year (RVU26B
    replaces RVU26A) and leaves other years alone. Localities are those of the newest
    release only (a payment is worked out with the current GPCIs). Names and dates not
    given come from the CMS file name (PPRRVU26_APR = CY2026, from 2026-04-01), else the
    CY2024 defaults. Returns the release and the numbers of RVU and locality rows written.
    """
    if (gpci is None) != (localities is None):
        raise ValueError("give both the GPCI and the locality file, or neither")
    named = release_from_name(pprrvu) or {
        "version": VERSION,
        "title": TITLE,
        "effective_date": EFFECTIVE,
        "end_date": END,
    }
    version = version or named["version"]
    effective_date = effective_date or named["effective_date"]
    end_date = end_date or named["end_date"]
    title = title or named["title"]
    # Parse everything before writing, so a bad line leaves the database untouched
    # even outside a transaction, and the transaction stays short.
    rvus = list(parse_pprrvu(pprrvu))
    places = parse_localities(gpci, localities) if gpci is not None else None
    with transaction.atomic():
        release = register_release(
            dataset=DATASET,
            version=version,
            title=title,
            path=pprrvu,
            source=SOURCE,
            effective_date=effective_date,
            end_date=end_date,
        )
        same_year = Release.objects.filter(dataset=DATASET)
        same_year = same_year.filter(effective_date__year=effective_date.year) if effective_date else same_year.none()
        FeeSchedule.objects.filter(release__in=[release, *same_year]).delete()
        # Every column, with the model's default where a file lacks one (blank indicators).
        fields = [f for f in FeeSchedule._meta.concrete_fields if f.attname not in ("id", "release_id")]
        count = write_rows(
            FeeSchedule,
            ["release_id", *(f.attname for f in fields)],
            ([release.pk, *(v.get(f.attname, f.get_default()) for f in fields)] for v in rvus),
        )
        if progress:
            progress.advance(count)
        newer = Release.objects.filter(dataset=DATASET, effective_date__gt=effective_date) if effective_date else None
        if places is not None and not (newer and newer.exists()):
            Locality.objects.all().delete()
            Locality.objects.bulk_create([Locality(release=release, **values) for values in places])
        release.row_count = count
        release.save(update_fields=["row_count"])
    if progress:
        progress.finish()
    return release, count, len(places or [])
