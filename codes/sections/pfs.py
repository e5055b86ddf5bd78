"""Medicare Physician Fee Schedule data of a CPT or HCPCS code: relative value units of the
global, professional (26) and technical (TC) rows of the current year's release, the payment
policy indicators in words, national payment estimates, and the totals by year of every
release loaded (one a year). Every amount and RVU names its year. One query (RVU rows of
all years with their release)."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse

from codes.edits import system_of
from codes.models import Code, FeeSchedule, System

MODIFIERS = {
    "": "Global (whole service)",
    "26": "Professional component (modifier 26)",
    "TC": "Technical component (modifier TC)",
    "53": "Discontinued procedure (modifier 53)",
}
MODIFIER_ORDER = ["", "26", "TC", "53"]

STATUS = {
    "A": "Active: paid separately under the fee schedule.",
    "B": "Bundled: payment is included in other services; never paid separately.",
    "C": "Contractor priced: the Medicare contractor sets the payment case by case.",
    "D": "Deleted: the code is no longer valid (a grace period may apply).",
    "E": "Excluded from the fee schedule by regulation; paid another way or not at all.",
    "F": "Deleted with no grace period.",
    "G": "Not valid for Medicare: another code is used instead.",
    "H": "Deleted modifier for this code.",
    "I": "Not valid for Medicare: another code is used instead.",
    "J": "Anesthesia service: paid with anesthesia base and time units, not these RVUs.",
    "M": "Measurement code: reported for quality programs; no payment.",
    "N": "Not covered by Medicare.",
    "P": "Bundled or excluded: no separate payment under the fee schedule.",
    "R": "Restricted coverage: paid only in special circumstances.",
    "T": "Paid only when no other fee schedule service is billed on the same day.",
    "X": "Excluded by law (statutory exclusion): not a physician service under Medicare.",
}
# Status codes under which the RVUs lead to a fee schedule payment.
PAID_STATUSES = {"A", "R", "T"}

GLOBAL_DAYS = {
    "000": "0-day global period: the procedure day only; visits that day are included.",
    "010": "10-day global period: minor procedure; care on the day and 10 days after is included.",
    "090": "90-day global period: major surgery; the day before, the day of and 90 days after are included.",
    "XXX": "No global period: the global surgery rules do not apply.",
    "YYY": "The contractor sets the global period.",
    "ZZZ": "Add-on code: falls within the global period of the primary procedure.",
    "MMM": "Maternity code: the usual global surgery rules do not apply.",
}

PCTC = {
    "0": "Physician service: no professional/technical split; modifiers 26 and TC do not apply.",
    "1": "Diagnostic test with professional (26) and technical (TC) components, billable apart or together.",
    "2": "Professional component only: a stand-alone code for the interpretation.",
    "3": "Technical component only: a stand-alone code for the technical part.",
    "4": "Global test only: separate codes exist for its professional and technical parts.",
    "5": "Incident-to service: done by staff under physician supervision; modifiers 26 and TC do not apply.",
    "6": "Laboratory physician interpretation: modifier 26 may be paid; TC does not apply.",
    "7": "Physical therapy service: not paid when done by an independent therapist for a hospital patient.",
    "8": "Physician interpretation of an abnormal smear for a hospital inpatient.",
    "9": "Professional/technical component concept does not apply.",
}

MULT_PROC = {
    "0": "No multiple procedure reduction.",
    "1": "Standard multiple procedure reduction (older rule).",
    "2": "Standard reduction: the highest-valued procedure at 100%, others on the same day at 50%.",
    "3": "Endoscopy rule: related endoscopies are paid from the same base endoscopy.",
    "4": "Diagnostic imaging reduction: technical and professional parts of further images are reduced.",
    "5": "Therapy reduction: practice expense of further therapy services is reduced.",
    "6": "Diagnostic cardiovascular reduction: technical part of further services is reduced.",
    "7": "Diagnostic ophthalmology reduction: technical part of further services is reduced.",
    "9": "Concept does not apply.",
}

BILATERAL = {
    "0": "No bilateral adjustment: a bilateral modifier does not raise payment.",
    "1": "Bilateral adjustment: both sides paid at 150% of one side.",
    "2": "Already bilateral: the value covers both sides; no further adjustment.",
    "3": "Each side paid in full (100% each), no bilateral reduction.",
    "9": "Concept does not apply.",
}

ASSISTANT = {
    "0": "Assistant at surgery paid only with documentation of medical necessity.",
    "1": "Assistant at surgery not paid (statutory restriction).",
    "2": "Assistant at surgery may be paid.",
    "9": "Concept does not apply.",
}

CO_SURGEONS = {
    "0": "Co-surgeons not permitted.",
    "1": "Co-surgeons paid with documentation of medical necessity.",
    "2": "Co-surgeons permitted (with two surgeons of different specialties).",
    "9": "Concept does not apply.",
}

TEAM = {
    "0": "Team surgery not permitted.",
    "1": "Team surgery paid with documentation of medical necessity.",
    "2": "Team surgery permitted.",
    "9": "Concept does not apply.",
}

CENT = Decimal("0.01")


def _number(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _payment(total: Decimal | None, factor: Decimal | None) -> str | None:
    if total is None or factor is None:
        return None
    return str((total * factor).quantize(CENT, rounding=ROUND_HALF_UP))


def _indicator(value: str, meanings: dict[str, str]) -> dict:
    return {"value": value, "meaning": meanings.get(value, "")}


def _row(fee: FeeSchedule) -> dict:
    paid = fee.status_code in PAID_STATUSES
    return {
        "modifier": fee.modifier,
        "label": MODIFIERS.get(fee.modifier, f"Modifier {fee.modifier}"),
        "status": _indicator(fee.status_code, STATUS),
        "work": _number(fee.work_rvu),
        "pe_nonfacility": _number(fee.pe_nonfacility_rvu),
        "pe_facility": _number(fee.pe_facility_rvu),
        "mp": _number(fee.mp_rvu),
        "total_nonfacility": _number(fee.total_nonfacility),
        "total_facility": _number(fee.total_facility),
        # RVUs x conversion factor: national, before geographic adjustment.
        "payment_nonfacility": _payment(fee.total_nonfacility, fee.conversion_factor) if paid else None,
        "payment_facility": _payment(fee.total_facility, fee.conversion_factor) if paid else None,
    }


def _year(release) -> str:
    return f"CY{release.effective_date.year}" if release.effective_date else release.version


def _by_year(fees: list[FeeSchedule]) -> list[dict]:
    """Total RVUs and national amounts of the global row (else the first row) per year, newest first."""
    years: dict[int, FeeSchedule] = {}
    for fee in fees:
        kept = years.get(fee.release_id)
        if kept is None or (fee.modifier == "" and kept.modifier != ""):
            years[fee.release_id] = fee
    rows = []
    for fee in sorted(years.values(), key=lambda f: f.release.effective_date or datetime.date.min, reverse=True):
        paid = fee.status_code in PAID_STATUSES
        rows.append(
            {
                "year": _year(fee.release),
                "release_version": fee.release.version,
                "release": fee.release.title,
                "modifier": fee.modifier,
                "status": fee.status_code,
                "total_nonfacility": _number(fee.total_nonfacility),
                "total_facility": _number(fee.total_facility),
                "conversion_factor": None if fee.conversion_factor is None else f"{fee.conversion_factor:.4f}",
                "payment_nonfacility": _payment(fee.total_nonfacility, fee.conversion_factor) if paid else None,
                "payment_facility": _payment(fee.total_facility, fee.conversion_factor) if paid else None,
            }
        )
    return rows


def context(code: Code) -> dict | None:
    if code.system not in (System.CPT, System.HCPCS):
        return None
    every_year = list(FeeSchedule.objects.filter(code=code.code).select_related("release"))
    if not every_year:
        return None
    release = max((fee.release for fee in every_year), key=lambda r: r.effective_date or datetime.date.min)
    fees = sorted(
        (fee for fee in every_year if fee.release_id == release.pk),
        key=lambda fee: MODIFIER_ORDER.index(fee.modifier) if fee.modifier in MODIFIER_ORDER else 99,
    )
    main = fees[0]
    factor = main.conversion_factor
    surgery = main.global_days in {"000", "010", "090"}
    indicators = [
        {"name": "Professional/technical split", **_indicator(main.pctc, PCTC)},
        {"name": "Multiple procedures", **_indicator(main.mult_proc, MULT_PROC)},
        {"name": "Bilateral surgery", **_indicator(main.bilat_surg, BILATERAL)},
        {"name": "Assistant at surgery", **_indicator(main.asst_surg, ASSISTANT)},
        {"name": "Co-surgeons", **_indicator(main.co_surg, CO_SURGEONS)},
        {"name": "Team surgery", **_indicator(main.team_surg, TEAM)},
    ]
    endo = None
    if main.endo_base:
        endo = {
            "code": main.endo_base,
            "url": reverse("codes:code", args=[system_of(main.endo_base), main.endo_base]),
        }
    return {
        "year": _year(release),
        "rows": [_row(fee) for fee in fees],
        "status": _indicator(main.status_code, STATUS),
        "global_days": _indicator(main.global_days, GLOBAL_DAYS),
        "surgery_split": (
            {
                "pre_op": f"{main.pre_op * 100:.0f}%" if main.pre_op is not None else None,
                "intra_op": f"{main.intra_op * 100:.0f}%" if main.intra_op is not None else None,
                "post_op": f"{main.post_op * 100:.0f}%" if main.post_op is not None else None,
            }
            if surgery and main.intra_op
            else None
        ),
        "indicators": indicators,
        "endoscopic_base": endo,
        "conversion_factor": None if factor is None else f"{factor:.4f}",
        "paid": main.status_code in PAID_STATUSES,
        "by_year": _by_year(every_year),
        "release": release.title,
        "release_version": release.version,
        "effective_date": release.effective_date.isoformat() if release.effective_date else None,
    }
