"""The claim check in bulk: a CSV of service lines (one row per line, with a claim id) in, a CSV of
findings out. Rows of one claim need not be next to each other; the claim's own fields (date,
setting, patient, diagnoses) are read from its first row and may be left blank on the others.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from .claim import Claim, ClaimError, parse

MAX_ROWS = 10_000
HEADER = (
    "claim_id",
    "date_of_service",
    "setting",
    "patient_age",
    "patient_sex",
    "diagnoses",
    "code",
    "modifiers",
    "units",
    "diagnosis_pointers",
)
REQUIRED = ("claim_id", "date_of_service", "code")
# What each column holds (the page shows it beside the upload).
COLUMNS = {
    "claim_id": "your id of the claim (up to 40 characters); its rows are its service lines",
    "date_of_service": "YYYY-MM-DD (first row of the claim)",
    "setting": "practitioner (default) or outpatient",
    "patient_age": "whole years, optional",
    "patient_sex": "F or M, optional",
    "diagnoses": "the claim's ICD-10-CM codes in order, separated by spaces (first row of the claim)",
    "code": "the line's CPT or HCPCS code",
    "modifiers": "up to 4, separated by spaces",
    "units": "1 when blank",
    "diagnosis_pointers": "positions in the diagnoses (1-25), separated by spaces",
}
OUTPUT_HEADER = ("claim_id", "severity", "rule", "lines", "codes", "message", "source", "release", "url")
SAMPLE = (
    ",".join(HEADER)
    + "\n"
    + "\n".join(
        [
            "A1001,2026-03-02,practitioner,67,F,E11.22 N18.4 I12.9,99214,25,1,1 2",
            "A1001,,,,,,11102,,1,1",
            "A1002,2026-03-02,practitioner,45,M,M48.56XA,22511,,1,1",
            "A1002,,,,,,22512,,2,1",
        ]
    )
    + "\n"
)


class BatchError(ValueError):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class BatchClaim:
    claim_id: str
    rows: list[int]  # the CSV line of each service line
    claim: Claim


def _split(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", value.strip()) if part]


def _number(value: str, default=None):
    value = value.strip()
    if not value:
        return default
    return int(value) if re.fullmatch(r"\d{1,6}", value) else value  # parse() explains what is wrong


def read(text: str) -> list[BatchClaim]:
    """The claims of a CSV upload, or BatchError naming each wrong CSV line (at most 20)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise BatchError([f"the header must name the columns {', '.join(HEADER)} (missing: {', '.join(missing)})"])
    unknown = [name for name in header if name not in HEADER]
    if unknown:
        raise BatchError([f"unknown column {', '.join(unknown)} (the columns: {', '.join(HEADER)})"])
    reader.fieldnames = header
    grouped: dict[str, dict] = {}
    errors: list[str] = []
    for count, row in enumerate(reader, start=1):
        if count > MAX_ROWS:
            raise BatchError([f"at most {MAX_ROWS:,} service lines in one file"])
        line_no = reader.line_num
        row = {k: (v or "").strip() for k, v in row.items() if k is not None}
        claim_id = row.get("claim_id", "")
        if not claim_id or len(claim_id) > 40:
            errors.append(f"line {line_no}: claim_id is required (up to 40 characters)")
            continue
        entry = grouped.get(claim_id)
        if entry is None:
            patient = {}
            if row.get("patient_age"):
                patient["age"] = _number(row["patient_age"])
            if row.get("patient_sex"):
                patient["sex"] = row["patient_sex"].upper()
            entry = grouped[claim_id] = {
                "rows": [],
                "data": {
                    "date_of_service": row.get("date_of_service", ""),
                    "setting": row.get("setting") or "practitioner",
                    "patient": patient,
                    "diagnoses": _split(row.get("diagnoses", "")),
                    "lines": [],
                },
            }
        entry["rows"].append(line_no)
        entry["data"]["lines"].append(
            {
                "code": row.get("code", ""),
                "modifiers": _split(row.get("modifiers", "")),
                "units": _number(row.get("units", ""), 1),
                "diagnosis_pointers": [_number(p) for p in _split(row.get("diagnosis_pointers", ""))],
            }
        )
    if not grouped and not errors:
        raise BatchError(["the file has a header but no service lines"])
    claims = []
    for claim_id, entry in grouped.items():
        try:
            claims.append(BatchClaim(claim_id, entry["rows"], parse(entry["data"])))
        except ClaimError as bad:
            for name, message in bad.errors.items():
                where = re.match(r"lines\[(\d+)\]", name)
                line_no = entry["rows"][int(where.group(1)) - 1] if where else entry["rows"][0]
                errors.append(f"line {line_no} (claim {claim_id}): {name}: {message}")
    if errors:
        raise BatchError(errors[:20] + ([f"... and {len(errors) - 20} more"] if len(errors) > 20 else []))
    return claims


def findings_csv(results: list[tuple[str, object]]) -> str:
    """[(claim id, Result)] as the findings CSV (one row per finding; a claim without any gets one 'ok' row)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(OUTPUT_HEADER)
    for claim_id, result in results:
        if not result.findings:
            writer.writerow([claim_id, "ok", "", "", "", "No finding.", "", "", ""])
        for f in result.findings:
            writer.writerow(
                [
                    claim_id,
                    f.severity,
                    f.rule,
                    " ".join(map(str, f.lines)),
                    " ".join(f.codes),
                    _cell(f.message),
                    f.source.title,
                    f.source.release,
                    f.source.url,
                ]
            )
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet must not run a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
