"""NCCI edits for the claim's setting in force on the date of service: procedure-to-procedure
pairs, medically unlikely edits and add-on codes."""

from __future__ import annotations

from collections import defaultdict

from django.urls import reverse

from codes.edits import system_of
from codes.importers.ncci import SETTING_TITLES
from codes.models import Mue, PtpEdit

from .data import ClaimData
from .registry import Finding, Source, absolute, code_url, release_label, rule

EM_MODIFIERS = ("25", "57")
DISTINCT_MODIFIERS = ("59", "XE", "XS", "XP", "XU")
# NCCI-associated anatomic modifiers (NCCI policy manual, chapter I): sides, eyelids, fingers, toes,
# coronary arteries.
ANATOMIC_MODIFIERS = (
    "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "LC", "LD", "LM", "LT",
    "RC", "RI", "RT", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9",
)  # fmt: skip
WHEN_JUSTIFIED_EM = (
    "25 is justified only when the E/M service is significant and separately identifiable from the procedure "
    "(documented apart from its usual pre- and post-service work); 57 when the visit is where the decision for "
    "major surgery was made."
)
WHEN_JUSTIFIED = (
    "it is justified only when the two services are truly distinct: a different session or encounter (XE), a "
    "separate organ or structure (XS), a different practitioner (XP), an unusual non-overlapping service (XU), or "
    "59 when no X modifier describes it; anatomic modifiers when the services were on different sides or digits."
)


def _lines_of(claim) -> dict[str, list]:
    lines = defaultdict(list)
    for line in claim.lines:
        lines[line.code].append(line)
    return lines


def _ptp_source(edit: PtpEdit, release=None) -> Source:
    url = absolute(reverse("codes:ptp_edits", args=[system_of(edit.column1), edit.column1]))
    return Source(
        title=f"NCCI procedure-to-procedure edits, {SETTING_TITLES.get(edit.setting, edit.setting)}",
        release=release.version if release else "",
        url=f"{url}?setting={edit.setting}",
    )


def ptp_finding(edit: PtpEdit, col1, col2, *, release=None) -> Finding | None:
    """The finding of one PTP edit between a column 1 line and a column 2 line (None: no edit applies)."""
    pair = f"{edit.column1} (column 1) and {edit.column2} (column 2)"
    facts = {
        "column1": edit.column1,
        "column2": edit.column2,
        "indicator": edit.modifier_indicator,
        "meaning": edit.modifier_meaning,
    }
    lines = tuple(sorted({col1.number, col2.number}))
    codes = (edit.column1, edit.column2)
    if edit.modifier_indicator == "0":
        message = (
            f"NCCI bundles {pair}: modifier indicator 0, no modifier lets {edit.column2} be paid with "
            f"{edit.column1} on the same day. Remove {edit.column2} unless it was on a different day."
        )
        return Finding("error", "ncci_ptp", lines, codes, message, _ptp_source(edit, release), facts)
    if edit.modifier_indicator != "1":
        return None  # 9: the edit was deleted before it took effect
    if PtpEdit.is_em(edit.column2):
        allowed, justified = EM_MODIFIERS, WHEN_JUSTIFIED_EM
    else:
        allowed, justified = DISTINCT_MODIFIERS + ANATOMIC_MODIFIERS, WHEN_JUSTIFIED
    used = [m for m in col2.modifiers if m in allowed]
    if used:
        message = (
            f"NCCI bundles {pair} (modifier indicator 1); modifier {used[0]} on line {col2.number} bypasses the edit: "
            f"{justified[0].lower() + justified[1:]}"
        )
        return Finding(
            "info", "ncci_ptp", lines, codes, message, _ptp_source(edit, release), {**facts, "bypassed": used[0]}
        )
    named = "25 or 57" if allowed == EM_MODIFIERS else "59, XE, XS, XP or XU, or an anatomic modifier (e.g. RT, LT, F1)"
    message = (
        f"NCCI bundles {pair}: modifier indicator 1, so {edit.column2} is denied unless an NCCI-associated modifier "
        f"({named}) is on line {col2.number}. "
        f"{'Modifier ' if allowed == EM_MODIFIERS else 'The modifier: '}{justified}"
    )
    return Finding("error", "ncci_ptp", lines, codes, message, _ptp_source(edit, release), facts)


@rule("ncci_ptp", family="ncci", title="NCCI procedure-to-procedure edits")
def ncci_ptp(claim, data: ClaimData):
    lines = _lines_of(claim)
    codes = sorted(lines)
    findings = []
    for edit in data.ptp:
        for col1 in lines[edit.column1]:
            for col2 in lines[edit.column2]:
                finding = ptp_finding(edit, col1, col2, release=data.release(edit.release_id))
                if finding is not None:
                    findings.append(finding)
    pairs = len(codes) * (len(codes) - 1) // 2
    return findings, pairs


def _mue_source(data: ClaimData, mue: Mue) -> Source:
    return Source(
        title=f"NCCI medically unlikely edits, {SETTING_TITLES.get(mue.setting, mue.setting)}",
        release=release_label(data.mue_release),
        url=code_url(system_of(mue.code), mue.code),
    )


APPEAL = {
    "1": "A line edit: each line is judged alone; units over the limit on one line are denied (split lines only "
    "when the services were truly separate, with an appropriate modifier).",
    "2": "MAI 2, a date of service edit based on policy: an absolute limit per day, not overturned on appeal.",
    "3": "MAI 3, a date of service edit based on clinical judgement: units over it are denied, but the denial may "
    "be appealed with documentation of medical necessity.",
}


@rule("mue", family="ncci", title="NCCI medically unlikely edits (units per line or per day)")
def mue(claim, data: ClaimData):
    findings, checked = [], 0
    if data.mue_release is None:
        if claim.lines:
            findings.append(
                Finding(
                    "info",
                    "mue",
                    (),
                    (),
                    f"No MUE release loaded here covers {data.day.isoformat()} for the "
                    f"{SETTING_TITLES[claim.setting].lower()}: units were not checked against MUEs.",
                    Source(title="NCCI medically unlikely edits"),
                )
            )
        return findings, 0
    for code, lines in _lines_of(claim).items():
        checked += 1
        edit = data.mues.get(code)
        if edit is None:
            continue
        if edit.mai == "1":
            over = [(line.units, (line.number,)) for line in lines if line.units > edit.units]
        else:
            total = sum(line.units for line in lines)
            over = [(total, tuple(line.number for line in lines))] if total > edit.units else []
        for units, numbers in over:
            where = "on one line" if edit.mai == "1" else "on the date of service"
            findings.append(
                Finding(
                    "error",
                    "mue",
                    numbers,
                    (code,),
                    f"{units} units of {code} {where}; the MUE is {edit.units} (MAI {edit.mai}). {APPEAL.get(edit.mai, '')}",
                    _mue_source(data, edit),
                    {"units": units, "limit": edit.units, "mai": edit.mai},
                )
            )
    return findings, checked


ANY_PRIMARY = "CCCCC"  # the add-on file's "no specific primary code"


@rule("add_on_without_primary", family="ncci", title="Add-on codes have an eligible primary code")
def add_on_without_primary(claim, data: ClaimData):
    findings, checked = [], 0
    on_claim = {line.code for line in claim.lines}
    add_ons = set(data.addons)
    for code, lines in _lines_of(claim).items():
        edits = data.addons.get(code)
        if not edits:
            continue
        checked += 1
        numbers = tuple(line.number for line in lines)
        kind = edits[0].edit_type
        listed = sorted({e.primary_code for e in edits} - {ANY_PRIMARY})
        present = sorted(on_claim & set(listed))
        release = data.release(edits[0].release_id)
        source = Source(
            title="NCCI add-on code edits",
            release=release.version if release else "",
            url=code_url(system_of(code), code),
        )
        if kind == "2":
            others = sorted(on_claim - add_ons)
            if others:
                continue
            message = (
                f"{code} is an add-on code (type 2: CMS lists no specific primary codes) and no other procedure on the "
                "claim can be its primary: an add-on is never paid alone. The contractor decides which primaries count."
            )
            findings.append(Finding("error", "add_on_without_primary", numbers, (code,), message, source))
            continue
        if present:
            continue
        example = ", ".join(listed[:8]) + (f" and {len(listed) - 8} more" if len(listed) > 8 else "")
        if kind == "1":
            message = (
                f"{code} is an add-on code (type 1) paid only with its listed primary codes ({example}); none of them "
                "is on the claim."
            )
            findings.append(Finding("error", "add_on_without_primary", numbers, (code,), message, source))
        else:
            message = (
                f"{code} is an add-on code (type 3) whose listed primary codes ({example}) are not on the claim. "
                "The contractor may accept another primary: check your MAC's policy before billing it."
            )
            findings.append(Finding("warning", "add_on_without_primary", numbers, (code,), message, source))
    return findings, checked
