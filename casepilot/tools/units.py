"""Drug units: the HCPCS descriptor's dosage, the dose given, and the units to bill."""

from __future__ import annotations

import math
import re
from decimal import Decimal

from codes.models import Code, Mue, System

from .base import Citation, ToolResult, code_citation, code_ref, find_codes, not_found

# Amounts in one unit of measure per kind: mass in mg, volume in ml, units as units.
FACTORS = {
    "g": ("mg", Decimal(1000)), "gm": ("mg", Decimal(1000)), "gram": ("mg", Decimal(1000)),
    "grams": ("mg", Decimal(1000)), "mg": ("mg", Decimal(1)), "mcg": ("mg", Decimal("0.001")),
    "microgram": ("mg", Decimal("0.001")), "micrograms": ("mg", Decimal("0.001")), "ug": ("mg", Decimal("0.001")),
    "ml": ("ml", Decimal(1)), "cc": ("ml", Decimal(1)), "l": ("ml", Decimal(1000)),
    "unit": ("units", Decimal(1)), "units": ("units", Decimal(1)), "iu": ("units", Decimal(1)),
}  # fmt: skip
AMOUNT = r"(\d+(?:,\d{3})*(?:\.\d+)?)\s*(grams?|gm|g|mg|mcg|micrograms?|ug|ml|cc|l|units?|iu)\b"
DOSAGE = re.compile(rf"(?:(per|up to)\s+)?{AMOUNT}", re.I)
MUE_NOTE = "The MUE is the most units one day's claim may carry, not the units to bill."
RULE = (
    "Units = the dose given divided by the amount in the descriptor, rounded up to a whole unit "
    "(CMS: bill the units that cover the dose; for “up to” descriptors, one unit covers any amount up to it)."
)


def dosage(title: str) -> tuple[str, Decimal, str] | None:
    """("per"|"up to"|"", amount, measure) of a descriptor such as "Injection, ondansetron, per 1 mg"."""
    matches = list(DOSAGE.finditer(title))
    if not matches:
        if re.search(r"\bper unit\b", title, re.I):
            return "per", Decimal(1), "units"
        return None
    match = matches[-1]
    measure, factor = FACTORS[match.group(3).lower()]
    return (match.group(1) or "").lower(), Decimal(match.group(2).replace(",", "")) * factor, measure


def parse_dose(text: str) -> tuple[Decimal, str] | None:
    """The dose of a question ("8 mg", "1 g", "5000 units"), in mg, ml or units."""
    for match in re.finditer(AMOUNT, text, re.I):
        measure, factor = FACTORS[match.group(2).lower()]
        return Decimal(match.group(1).replace(",", "")) * factor, measure
    return None


def _replacement(code: Code) -> Code | None:
    """The current code for the same drug when `code` is terminated (same drug name, active)."""
    drug = re.sub(r"^(injection|infusion|inhalation solution)[, ]+", "", code.title, flags=re.I).split(",")[0].strip()
    if not drug:
        return None
    rows = Code.objects.filter(system=System.HCPCS, deleted=False, title__icontains=drug).order_by("-effective_date")
    return next((r for r in rows if dosage(r.title)), None)


def drug_units(code: str, *, dose: str) -> ToolResult:
    """Units of a HCPCS drug code for a dose: the descriptor's amount, the conversion, the rounding."""
    rows = find_codes(code, system=System.HCPCS)
    if not rows:
        return not_found("drug_units", code, System.HCPCS)
    row = rows[0]
    facts, refs, cites = [], [code_ref(row)], [code_citation(row)]
    target = row
    if row.deleted:
        ended = f" on {row.termination_date.isoformat()}" if row.termination_date else ""
        facts.append(f"{row.code} ({row.title}) was deleted (terminated{ended}): do not bill it for current dates.")
        replacement = _replacement(row)
        if replacement is None:
            return ToolResult("drug_units", True, facts, cites, refs, {"code": row.code, "deleted": True})
        facts.append(f"The current code for this drug is {replacement.code} ({replacement.title}).")
        target = replacement
        refs.append(code_ref(replacement))
        cites.append(code_citation(replacement))
    parsed, given = dosage(target.title), parse_dose(dose)
    if parsed is None or given is None:
        facts.append(f"{target.code}: {target.title}. Its descriptor gives no amount per unit to divide the dose by.")
        return ToolResult("drug_units", bool(facts), facts, cites, refs, {"code": target.code})
    how, amount, measure = parsed
    amount_given, given_measure = given
    if measure != given_measure:
        facts.append(
            f"{target.code} is measured in {measure} ({target.title}); the dose is in {given_measure}: "
            "convert with the product's concentration first."
        )
        return ToolResult("drug_units", True, facts, cites, refs, {"code": target.code})
    units = max(1, math.ceil(amount_given / amount))
    per = f"{how} {amount.normalize():f} {measure}".strip()
    facts.insert(
        0 if not row.deleted else len(facts),
        f"{units} unit{'s' if units != 1 else ''} of {target.code}: the descriptor is “{target.title}” "
        f"({per} per unit), and {amount_given.normalize():f} {measure} / {amount.normalize():f} {measure} "
        f"= {(amount_given / amount).normalize():f}"
        + (f", rounded up to {units}." if units != amount_given / amount else "."),
    )
    facts.append(RULE)
    mues = list(Mue.objects.filter(code=target.code, setting="practitioner").select_related("release")[:1])
    if mues:
        facts.append(
            f"{MUE_NOTE} For {target.code} it is {mues[0].units} units per day on practitioner claims ({mues[0].release.version})."
        )
    cites.append(
        Citation(
            "CMS: HCPCS drug units (Medicare Claims Processing Manual, ch. 17)",
            "https://www.cms.gov/regulations-and-guidance/guidance/manuals/downloads/clm104c17.pdf",
        )
    )
    return ToolResult(
        "drug_units", True, facts, cites, refs,
        {"code": target.code, "per": per, "dose": f"{amount_given} {measure}", "units": units},
    )  # fmt: skip
