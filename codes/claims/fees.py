"""Physician Fee Schedule indicators of each line's code, for the year of the date of service:
status (bundled, not covered, not valid for Medicare...), bilateral surgery and assistant at surgery.
The fee schedule pays practitioners: outpatient hospital claims are paid under OPPS, so these
indicators are not checked for them."""

from __future__ import annotations

from codes.edits import system_of
from codes.sections.pfs import ASSISTANT, BILATERAL, PAID_STATUSES, STATUS

from .data import ClaimData
from .registry import Finding, Source, code_url, release_label, rule

# Status codes a claim line should not carry as is, and how bad it is.
STATUS_SEVERITY = {
    "B": "warning",
    "P": "warning",
    "N": "warning",
    "E": "warning",
    "X": "warning",
    "M": "info",
    "G": "error",
    "I": "error",
}
BILATERAL_MODIFIER = "50"
ASSISTANT_MODIFIERS = ("80", "81", "82", "AS")


def _source(data: ClaimData, code: str) -> Source:
    return Source(
        title="Medicare Physician Fee Schedule (RVU file)",
        release=release_label(data.fee_release),
        url=code_url(system_of(code), code),
    )


@rule("pfs_indicator", family="fees", title="Fee schedule status, bilateral and assistant-at-surgery indicators")
def pfs_indicator(claim, data: ClaimData):
    findings, checked = [], 0
    if claim.setting != "practitioner" or data.fee_release is None:
        return findings, 0
    paid = {
        line.code
        for line in claim.lines
        if (fee := data.fees.get((line.code, ""))) and fee.status_code in PAID_STATUSES
    }
    for line in claim.lines:
        fee = data.fees.get((line.code, ""))
        if fee is None:
            continue
        checked += 1

        def add(severity: str, message: str, line=line) -> None:
            findings.append(
                Finding(severity, "pfs_indicator", (line.number,), (line.code,), message, _source(data, line.code))
            )

        status = fee.status_code
        if status in STATUS_SEVERITY:
            add(STATUS_SEVERITY[status], f"{line.code} has fee schedule status {status}: {STATUS[status]}")
        elif status == "T" and paid - {line.code}:
            add(
                "warning",
                f"{line.code} has status T ({STATUS['T']}) and the claim has other paid services "
                f"({', '.join(sorted(paid - {line.code}))}): it will not be paid separately.",
            )
        if BILATERAL_MODIFIER in line.modifiers:
            if line.units > 1:
                add(
                    "error",
                    f"Modifier 50 goes with 1 unit: {line.code} is billed with {line.units} units on line {line.number}.",
                )
            if fee.bilat_surg in ("0", "2", "9"):
                add(
                    "error",
                    f"Modifier 50 is not allowed on {line.code}: bilateral indicator {fee.bilat_surg}, "
                    f"“{BILATERAL[fee.bilat_surg]}”",
                )
        assistant = [m for m in line.modifiers if m in ASSISTANT_MODIFIERS]
        if assistant and fee.asst_surg in ("1", "9"):
            add(
                "error",
                f"Modifier {assistant[0]} on {line.code}: assistant at surgery indicator {fee.asst_surg}, "
                f"“{ASSISTANT[fee.asst_surg]}”",
            )
        elif assistant and fee.asst_surg == "0":
            add("warning", f"Modifier {assistant[0]} on {line.code}: {ASSISTANT['0']}")
    return findings, checked
