"""NCCI tools: procedure-to-procedure edits, medically unlikely edits, add-on code edits."""

from __future__ import annotations

import re

from django.db.models import Q
from django.urls import reverse

from codes.edits import system_of
from codes.models import AddOnEdit, Code, Mue, PtpEdit, Setting

from .base import (
    NO_PRIMARY,
    PROCEDURE_SYSTEMS,
    SHOWN,
    Citation,
    ToolResult,
    code_ref,
    iso_date,
    latest_release,
    procedure_code,
    system_label,
)

EM = re.compile(r"99[2-4]\d\d$")  # evaluation and management codes


def _edits_citation(code: str, *, role: str, setting: str, version: str) -> Citation:
    url = reverse("codes:ptp_edits", args=[system_of(code), code]) + f"?role={role}&setting={setting}&status=all"
    return Citation(f"NCCI PTP edits of {code} ({Setting(setting).label}, {version})", url)


def ptp_edit(code_a: str, code_b: str) -> ToolResult:
    """The NCCI procedure-to-procedure edit of a pair of codes, for each claim type."""
    a, b = procedure_code(code_a), procedure_code(code_b)
    edits = list(
        PtpEdit.objects.filter(Q(column1=a, column2=b) | Q(column1=b, column2=a))
        .select_related("release")
        .order_by("setting")
    )
    refs = [code_ref(c) for c in Code.objects.filter(system__in=PROCEDURE_SYSTEMS, code__in=[a, b])]
    if not edits:
        release = latest_release("ncci-ptp-practitioner")
        version = release.version if release else ""
        return ToolResult(
            "ptp_edit",
            True,
            [
                f"No NCCI PTP edit pairs {a} and {b} in the {version} files (practitioner or outpatient hospital): "
                "NCCI does not bundle them. Payer policies, MUEs and global surgery rules may still apply."
            ],
            [_edits_citation(a, role="column1", setting=Setting.PRACTITIONER, version=version)],
            refs,
            {"pair": [a, b], "edits": []},
        )
    order = [Setting.PRACTITIONER, Setting.OUTPATIENT, Setting.DME]
    edits.sort(key=lambda e: order.index(e.setting) if e.setting in order else 9)
    facts, cites, data = [_ptp_lead(edits)], [], []
    for edit in edits:
        setting = Setting(edit.setting).label
        status = f"deleted {iso_date(edit.deletion_date)}" if edit.deletion_date else "in effect"
        facts.append(
            f"{setting} ({edit.release.version}): {edit.column1} is column 1 and {edit.column2} is column 2 — "
            f"{edit.column2} is not paid with {edit.column1} for the same patient on the same day. "
            f"Modifier indicator {edit.modifier_indicator}: {edit.modifier_meaning} "
            f"Rationale: {edit.rationale or 'not given'}. This edit is {status}."
        )
        cites.append(_edits_citation(edit.column1, role="column1", setting=edit.setting, version=edit.release.version))
        data.append({
            "setting": edit.setting, "column1": edit.column1, "column2": edit.column2,
            "modifier_indicator": edit.modifier_indicator, "modifier_meaning": edit.modifier_meaning,
            "rationale": edit.rationale, "deletion_date": iso_date(edit.deletion_date) or None, "release": edit.release.version,
        })  # fmt: skip
    settings_found = {e.setting for e in edits}
    for setting in (Setting.PRACTITIONER, Setting.OUTPATIENT):
        if setting not in settings_found:
            facts.append(f"There is no {Setting(setting).label.lower()} edit for this pair.")
    return ToolResult("ptp_edit", True, facts, cites, refs, {"pair": [a, b], "edits": data})


def _ptp_lead(edits: list[PtpEdit]) -> str:
    """The short answer first: can the pair be paid together on the same day?"""
    active = [e for e in edits if e.deletion_date is None]
    if not active:
        dates = sorted({iso_date(e.deletion_date) for e in edits})
        return f"Yes, as far as NCCI goes: the edit between {edits[0].column1} and {edits[0].column2} was deleted ({', '.join(dates)})."
    first = active[0]
    if all(e.modifier_indicator == "0" for e in active):
        return (
            f"No: NCCI bundles {first.column2} into {first.column1} on the same day, and no modifier lets both be paid "
            "(modifier indicator 0)."
        )
    if all(e.modifier_indicator == "1" for e in active) and EM.match(first.column2):
        return (
            f"Only with modifier 25 on the E/M: {first.column2} is bundled into {first.column1} unless the visit was a "
            "significant, separately identifiable E/M service beyond the procedure's own pre- and post-service work "
            "(modifier indicator 1; modifier 59 or the X modifiers are not used on an E/M)."
        )
    if all(e.modifier_indicator == "1" for e in active):
        return (
            f"Only with a modifier: {first.column2} is bundled into {first.column1} unless the services were distinct "
            "(separate encounter, structure or practitioner) and a modifier such as 59, XE, XS, XP or XU says so "
            "(modifier indicator 1)."
        )
    return (
        f"It depends on the claim type: the edits between {first.column1} and {first.column2} differ by setting, below."
    )


def mue(code: str, *, units: int | None = None) -> ToolResult:
    """Medically unlikely edits of a code per claim type, with the adjudication indicator."""
    c = procedure_code(code)
    order = [Setting.PRACTITIONER, Setting.OUTPATIENT, Setting.DME]
    rows = sorted(Mue.objects.filter(code=c).select_related("release"), key=lambda r: order.index(r.setting))
    refs = [code_ref(r) for r in Code.objects.filter(system__in=PROCEDURE_SYSTEMS, code=c)]
    cite = [
        Citation(
            f"{system_label(system_of(c))} {c}: code page (NCCI section)", reverse("codes:code", args=[system_of(c), c])
        )
    ]
    if not rows:
        release = latest_release("ncci-mue-practitioner")
        return ToolResult(
            "mue", False,
            [f"There is no MUE for {c} in the {release.version if release else ''} NCCI files: no per-day unit limit is published for it."],
            cite, refs, {"code": c, "mues": []},
        )  # fmt: skip
    facts = []
    for row in rows:
        facts.append(
            f"MUE for {c}, {row.get_setting_display()} claims ({row.release.version}): {row.units} unit{'s' if row.units != 1 else ''} per day; "
            f"adjudication indicator {row.mai}: {row.mai_meaning}"
            + (f" Rationale: {row.rationale}." if row.rationale else "")
        )
    if units is not None:
        for row in rows:
            verdict = "within" if units <= row.units else "over"
            facts.append(f"{units} units is {verdict} the {row.get_setting_display()} MUE of {row.units}.")
    data = [
        {
            "setting": r.setting,
            "units": r.units,
            "mai": r.mai,
            "mai_meaning": r.mai_meaning,
            "rationale": r.rationale,
            "release": r.release.version,
        }
        for r in rows
    ]
    return ToolResult("mue", True, facts, cite, refs, {"code": c, "mues": data, "units_asked": units})


def addon_codes(code: str) -> ToolResult:
    """Add-on code edits: the primary codes of an add-on code, or the add-on codes of a primary."""
    c = procedure_code(code)
    as_addon = AddOnEdit.objects.in_effect().filter(addon_code=c).select_related("release")
    as_primary = AddOnEdit.objects.in_effect().filter(primary_code=c)
    primaries = list(as_addon.order_by("primary_code")[:50])
    addons = list(as_primary.order_by("addon_code").values_list("addon_code", "edit_type")[:SHOWN])
    cite = [
        Citation(
            f"{system_label(system_of(c))} {c}: code page (NCCI add-on codes)",
            reverse("codes:code", args=[system_of(c), c]),
        )
    ]
    if not primaries and not addons:
        return ToolResult(
            "addon_codes",
            False,
            [f"{c} is not in the NCCI add-on code edits, as an add-on code or as a primary code."],
            cite,
            data={"code": c},
        )
    facts, data = [], {"code": c}
    refs_wanted = {c}
    if primaries:
        types = sorted({p.edit_type for p in primaries})
        listed = [p.primary_code for p in primaries if p.primary_code != NO_PRIMARY]
        count = as_addon.exclude(primary_code=NO_PRIMARY).count()
        facts.append(
            f"{c} is an add-on code ({primaries[0].release.version}): report it only with a primary procedure. "
            + " ".join(AddOnEdit.EDIT_TYPES.get(t, "") for t in types)
        )
        if listed:
            more = f" (the first {min(SHOWN, len(listed))} of {count})" if count > SHOWN else ""
            facts.append(f"Primary codes for {c}{more}: {', '.join(listed[:SHOWN])}.")
            refs_wanted.update(listed[:SHOWN])
        data.update({"is_addon": True, "edit_types": types, "primaries": listed[:SHOWN], "primary_count": count})
    if addons:
        count = as_primary.count()
        more = f" (the first {len(addons)} of {count})" if count > len(addons) else ""
        facts.append(
            f"Add-on codes that may be reported with {c} as the primary{more}: {', '.join(a for a, _ in addons)}."
        )
        refs_wanted.update(a for a, _ in addons)
        data.update({"addons": [a for a, _ in addons], "addon_count": count})
    refs = [code_ref(r) for r in Code.objects.filter(system__in=PROCEDURE_SYSTEMS, code__in=refs_wanted)]
    return ToolResult("addon_codes", True, facts, cite, refs, data)
