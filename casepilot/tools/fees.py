"""Medicare Physician Fee Schedule tools: RVUs, indicators, national and GPCI-adjusted payment."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse

from codes.edits import system_of
from codes.models import Code, FeeSchedule, Locality
from codes.sections import pfs as pfs_section

from .base import PROCEDURE_SYSTEMS, Citation, ToolResult, code_ref, procedure_code, system_label

CENT = Decimal("0.01")
X = "\N{MULTIPLICATION SIGN}"


def _money(value: Decimal) -> str:
    return f"${value.quantize(CENT, rounding=ROUND_HALF_UP):,}"


def gpci_payment(fee: FeeSchedule, locality: Locality) -> dict[str, str] | None:
    """(work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x conversion factor."""
    if fee.conversion_factor is None or fee.work_rvu is None or fee.mp_rvu is None:
        return None
    amounts = {}
    for place, pe in (("nonfacility", fee.pe_nonfacility_rvu), ("facility", fee.pe_facility_rvu)):
        if pe is None:
            continue
        total = fee.work_rvu * locality.gpci_work + pe * locality.gpci_pe + fee.mp_rvu * locality.gpci_mp
        amounts[place] = _money(total * fee.conversion_factor)
    return amounts


GENERIC_LOCALITY_WORDS = {"rest of state", "statewide", "cnty", "cntys"}


def _locality_keys(locality: Locality) -> list[str]:
    """The phrases that name a locality: its whole name and each city in it ("los angeles", "anaheim")."""
    name = locality.name.lower()
    parts = [p.strip(" .") for p in re.split(r"[-/()+]|\bcnty\b|\bcntys\b", name)]
    keys = [name, *(p for p in parts if len(p) > 3 and p not in GENERIC_LOCALITY_WORDS)]
    return [k for k in keys if k not in GENERIC_LOCALITY_WORDS]


def find_localities(text: str) -> list[Locality]:
    """Localities a phrase or a whole question names: a locality or city ("Manhattan", "Los Angeles"),
    else a state by name ("Texas") or, after "in", by abbreviation ("in TX"). Empty when none."""
    lowered = f" {text.lower()} "
    localities = list(Locality.objects.order_by("state", "number"))
    best, best_length = [], 0
    for loc in localities:
        for key in _locality_keys(loc):
            if re.search(rf"(?<![a-z]){re.escape(key)}(?![a-z])", lowered) and len(key) >= best_length:
                if len(key) > best_length:
                    best, best_length = [], len(key)
                if loc not in best:
                    best.append(loc)
    if best:
        return best
    state = None
    for name in sorted(STATES, key=len, reverse=True):
        if re.search(rf"(?<![a-z]){name}(?![a-z])", lowered):
            state = STATES[name]
            break
    if state is None:
        stripped = text.strip()
        match = re.search(r"\bin ([A-Z]{2})\b", text) or (
            re.fullmatch(r"[A-Za-z]{2}", stripped) and re.match(r"(.*)", stripped)
        )
        if match and match.group(1).upper() in STATES.values():
            state = match.group(1).upper()
    return [loc for loc in localities if loc.state == state] if state else []


SURGERY_INDICATORS = {"Bilateral surgery", "Assistant at surgery", "Co-surgeons", "Team surgery", "Multiple procedures"}


def fee_schedule(code: str, *, locality: str | None = None) -> ToolResult:
    """RVUs, global period, PC/TC and surgery indicators; national payment and, for a locality, the GPCI-adjusted one."""
    c = procedure_code(code)
    system = system_of(c)
    row = Code.objects.filter(system__in=PROCEDURE_SYSTEMS, code=c).first() or Code(system=system, code=c)
    ctx = pfs_section.context(row)
    cite_url = reverse("codes:code", args=[row.system, c])
    if not ctx:
        return ToolResult(
            "fee_schedule",
            False,
            [f"{c} is not in the Medicare Physician Fee Schedule file loaded here."],
            [Citation(f"{system_label(row.system)} {c}: code page", cite_url)],
            data={"code": c},
        )
    cite = [Citation(f"{system_label(row.system)} {c}: fee schedule section ({ctx['release']})", cite_url)]
    facts = [
        f"Medicare Physician Fee Schedule ({ctx['release']}), {c}: status {ctx['status']['value']} — {ctx['status']['meaning']}"
    ]
    for r in ctx["rows"]:
        facts.append(
            f"{r['label']}: work RVU {r['work']}, practice expense RVU {r['pe_nonfacility']} non-facility / {r['pe_facility']} facility, "
            f"malpractice RVU {r['mp']}; total {r['total_nonfacility']} non-facility / {r['total_facility']} facility."
        )
    facts.append(f"Global period {ctx['global_days']['value']}: {ctx['global_days']['meaning']}")
    surgical = ctx["global_days"]["value"] in {"000", "010", "090"}
    for ind in ctx["indicators"]:
        if ind["name"] in SURGERY_INDICATORS and not surgical:
            continue  # bilateral, assistant, co- and team surgery rules matter for procedures only
        if ind["value"] and ind["meaning"] and (ind["name"] == "Professional/technical split" or ind["value"] != "9"):
            facts.append(f"{ind['name']} indicator {ind['value']}: {ind['meaning']}")
    if ctx["surgery_split"]:
        s = ctx["surgery_split"]
        facts.append(
            f"Global surgery split: pre-operative {s['pre_op']}, intra-operative {s['intra_op']}, post-operative {s['post_op']}."
        )
    main = ctx["rows"][0]
    if ctx["paid"] and main["payment_nonfacility"]:
        facts.append(
            f"National payment estimate (total RVUs {X} conversion factor {ctx['conversion_factor']}): "
            f"{_money(Decimal(main['payment_nonfacility']))} non-facility, {_money(Decimal(main['payment_facility']))} facility, "
            "before geographic adjustment."
        )
    elif not ctx["paid"]:
        facts.append("No fee schedule payment is computed for this status.")
    data = {"code": c, **ctx}
    if locality:
        found = find_localities(locality)
        if len(found) == 1 and ctx["paid"]:
            loc = found[0]
            fee = FeeSchedule.objects.filter(code=c, modifier="").order_by("-release__effective_date").first()
            amounts = gpci_payment(fee, loc) if fee else None
            if amounts:
                facts.append(
                    f"In locality {loc.name} ({loc.state}, MAC {loc.mac}, locality {loc.number}; GPCIs work {loc.gpci_work}, PE {loc.gpci_pe}, MP {loc.gpci_mp}): "
                    f"(work RVU {X} work GPCI + PE RVU {X} PE GPCI + MP RVU {X} MP GPCI) {X} CF = {amounts.get('nonfacility', 'n/a')} non-facility, "
                    f"{amounts.get('facility', 'n/a')} facility."
                )
                data["locality"] = {
                    "name": loc.name,
                    "state": loc.state,
                    "mac": loc.mac,
                    "number": loc.number,
                    **amounts,
                }
        elif len(found) > 1:
            names = ", ".join(f"{loc.name}" for loc in found[:20])
            facts.append(
                f"“{locality}” matches {len(found)} Medicare localities: {names}. Name one for a GPCI-adjusted amount."
            )
        elif not found:
            facts.append(
                f"“{locality}” is not a Medicare payment locality or state I know; only the national amount is given."
            )
    refs = [code_ref(row)] if row.pk else []
    return ToolResult("fee_schedule", True, facts, cite, refs, data)


STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "washington dc": "DC", "florida": "FL",
    "georgia": "GA", "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI",
    "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI",
    "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT",
    "virginia": "VA", "washington": "WA", "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY",
    "puerto rico": "PR", "virgin islands": "VI", "guam": "GU",
}  # fmt: skip
