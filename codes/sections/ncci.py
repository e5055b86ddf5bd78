"""NCCI edits of a CPT or HCPCS code: medically unlikely edits (MUEs) per setting, add-on
code relationships, and a summary of procedure-to-procedure (PTP) edits with the first
edits of each role and links to the full lists.

A fixed number of queries whatever the code: MUEs (1), add-on edits (1: both roles, every pair;
a code has at most a few hundred), PTP counts (2, grouped), the first edits of each role and
setting (at most 8: in effect, then deleted ones when fewer than 10 are in effect), titles of
the codes shown (1), releases (1).

Every MUE, add-on edit and PTP summary names the quarter of its release (MUEs of one setting
may be two years older than another's), so nobody takes a 2024 hospital MUE for a current one.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse

from codes.edits import (
    PTP_SETTINGS,
    ROLES,
    counts_of,
    edit_row,
    first_edits,
    system_of,
    titles_of,
)
from codes.importers.ncci import AOC_DATASET, mue_dataset, ptp_dataset
from codes.models import AddOnEdit, Code, Mue, Release, Setting, System

SHOWN_EDITS = 10
SHOWN_ADDONS = 50
NO_PRIMARY = "CCCCC"  # add-on edit type 2: no specific primary codes


def _link(code: str) -> str:
    return reverse("codes:code", args=[system_of(code), code])


def quarter(release: Release | None) -> dict | None:
    """The release a row comes from, as a page and the API name it: "2026Q2, from 2026-04-01"."""
    if release is None:
        return None
    return {
        "version": release.version,
        "effective_date": release.effective_date.isoformat() if release.effective_date else None,
        "end_date": release.end_date.isoformat() if release.end_date else None,
        "title": release.title,
    }


def _mues(code: str, releases: dict[str, Release]) -> list[dict]:
    rows = {mue.setting: mue for mue in Mue.objects.filter(code=code)}
    return [
        {
            "setting": setting,
            "setting_label": label,
            "units": rows[setting].units,
            "mai": rows[setting].mai,
            "mai_meaning": rows[setting].mai_meaning,
            "rationale": rows[setting].rationale,
            "release": quarter(releases.get(mue_dataset(setting))),
        }
        for setting, label in Setting.choices
        if setting in rows
    ]


def _addons(code: str, releases: dict[str, Release]) -> dict | None:
    # Both roles in one query: a code is the add-on of at most a few hundred pairs, the primary of fewer.
    pairs = list(
        AddOnEdit.objects.in_effect()
        .filter(Q(addon_code=code) | Q(primary_code=code))
        .order_by("primary_code", "addon_code")
        .values_list("addon_code", "primary_code", "edit_type", "notes")
    )
    as_addon = [(p, t, n) for a, p, t, n in pairs if a == code]
    as_primary = [(a, t, n) for a, p, t, n in pairs if p == code]
    if not as_addon and not as_primary:
        return None
    primaries, addons = as_addon[:SHOWN_ADDONS], as_primary[:SHOWN_ADDONS]
    primary_count, addon_count = len(as_addon), len(as_primary)
    edit_types = sorted({edit_type for _, edit_type, _ in primaries})
    return {
        "is_addon": bool(primaries),
        "edit_types": [{"value": t, "meaning": AddOnEdit.EDIT_TYPES.get(t, "")} for t in edit_types],
        "primary_count": primary_count - sum(1 for p, _, _ in primaries if p == NO_PRIMARY),
        "primaries": [
            {"code": p, "url": _link(p), "edit_type": t, "notes": n} for p, t, n in primaries if p != NO_PRIMARY
        ],
        "no_specific_primary": any(p == NO_PRIMARY for p, _, _ in primaries),
        # CMS's special instructions for this add-on code (the same for most of its pairs).
        "instructions": sorted({n for _, _, n in primaries if n}),
        "addon_count": addon_count,
        "addons": [
            {
                "code": a,
                "url": _link(a),
                "edit_type": t,
                "edit_type_meaning": AddOnEdit.EDIT_TYPES.get(t, ""),
                "notes": n,
            }
            for a, t, n in addons
        ],
        "release": quarter(releases.get(AOC_DATASET)),
    }


def _row(edit, *, role: str, titles: dict[str, str]) -> dict:
    row = edit_row(edit, role=role, titles=titles)
    # The row says "Allowed" or "Not allowed"; the legend above the tables gives the whole meaning once.
    return {**row, "modifier_short": row["modifier_meaning"].split(":")[0]}


def _ptp(code: Code, releases: dict[str, Release]) -> list[dict]:
    counts = counts_of(code.code)
    firsts = {}
    for role in ROLES:
        for setting in PTP_SETTINGS:
            firsts[(role, setting)] = first_edits(
                code.code,
                role=role,
                setting=setting,
                counts=counts[role][setting],
                limit=SHOWN_EDITS,
            )
    others = {
        getattr(edit, "column2" if role == "column1" else "column1")
        for (role, _), edits in firsts.items()
        for edit in edits
    }
    titles = titles_of(others)
    base_url = reverse("codes:ptp_edits", args=[code.system, code.code])
    rows = {key: [_row(edit, role=key[0], titles=titles) for edit in edits] for key, edits in firsts.items()}
    summary = []
    for setting, label in PTP_SETTINGS.items():
        roles = []
        for role, role_label in ROLES.items():
            n = counts[role][setting]
            roles.append(
                {
                    "role": role,
                    "label": role_label,
                    "in_effect": n["in_effect"],
                    "deleted": n["deleted"],
                    "total": n["in_effect"] + n["deleted"],
                    "edits": rows.get((role, setting), []),
                    "url": f"{base_url}?role={role}&setting={setting}",
                }
            )
        summary.append(
            {
                "setting": setting,
                "setting_label": label,
                "roles": roles,
                "release": quarter(releases.get(ptp_dataset(setting))),
            }
        )
    return summary


def legend(ptp: list[dict]) -> list[dict]:
    """The modifier indicators of the edits shown, each meaning said once above the tables
    (a row shows only the indicator and its first words: "1 Allowed")."""
    seen = {
        (edit["modifier_indicator"], edit["modifier_meaning"])
        for setting in ptp
        for role in setting["roles"]
        for edit in role["edits"]
    }
    return [{"value": value, "meaning": meaning} for value, meaning in sorted(seen) if meaning]


def context(code: Code) -> dict | None:
    if code.system not in (System.CPT, System.HCPCS):
        return None
    releases = {release.dataset: release for release in Release.objects.filter(dataset__startswith="ncci-")}
    mues = _mues(code.code, releases)
    addons = _addons(code.code, releases)
    ptp = _ptp(code, releases)
    has_ptp = any(role["total"] for setting in ptp for role in setting["roles"])
    if not (mues or addons or has_ptp):
        return None
    latest = max(releases.values(), key=lambda r: (r.effective_date or datetime.date.min, r.dataset), default=None)
    return {
        "mues": mues,
        "addons": addons,
        "ptp": ptp if has_ptp else [],
        "modifier_legend": legend(ptp) if has_ptp else [],
        "shown_edits": SHOWN_EDITS,
        "release_version": latest.version if latest else "",
        "effective_date": latest.effective_date.isoformat() if latest and latest.effective_date else None,
    }
