"""A code as it stood on a date of service: `?date=YYYY-MM-DD` on code pages and the API.

Coders audit claims by the date of service, so this answers, for one code and one date:
was the code valid then (and what replaced it since), which fee schedule year applies, and
which MUEs, PTP edits and add-on code edits were in force, each from the loaded release that
covers the date. Where the loaded releases do not reach the date (a fee schedule year not
loaded, MUEs of a later quarter, PTP edits whose start dates the file does not give), the
answer says so instead of guessing. Used by the code page's as-of view and the API; a fixed
number of queries (about ten) whatever the code.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Min, Q

from codes.history import release_name
from codes.importers.ncci import AOC_DATASET, SETTING_TITLES, mue_dataset, ptp_dataset
from codes.models import AddOnEdit, Code, FeeSchedule, Mue, PtpEdit, Release, System

# The code sets whose releases say when a code of that system was valid.
CODE_DATASETS = {
    System.ICD10CM: ["icd-10-cm"],
    System.ICD10PCS: ["icd-10-pcs"],
    System.HCPCS: ["hcpcs", "cdt-codes"],
    System.CPT: ["cpt-codes", "cpt-descriptors"],
    System.MSDRG: ["ms-drg"],
}
PTP_SETTINGS = ("practitioner", "outpatient")


class BadDate(ValueError):
    """The ?date value is not a YYYY-MM-DD date (the views answer 400)."""


def parse(value: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise BadDate(f"date must be YYYY-MM-DD, not {value[:20]!r}") from None
    if not datetime.date(1900, 1, 1) <= day <= datetime.date(2100, 12, 31):
        raise BadDate("date must be between 1900-01-01 and 2100-12-31")
    return day


@dataclass
class Releases:
    """The loaded releases that matter for the as-of answer, read in one query."""

    rows: list[Release]

    @classmethod
    def load(cls, datasets: list[str]) -> Releases:
        return cls(list(Release.objects.filter(Q(dataset__in=datasets) | Q(dataset="pfs"))))

    def of(self, dataset: str) -> list[Release]:
        return sorted(
            (r for r in self.rows if r.dataset == dataset), key=lambda r: r.effective_date or datetime.date.min
        )

    def covering(self, dataset: str, day: datetime.date) -> Release | None:
        for release in self.of(dataset):
            if (release.effective_date is None or release.effective_date <= day) and (
                release.end_date is None or day <= release.end_date
            ):
                return release
        return None


def _span(release: Release | None) -> dict | None:
    if release is None:
        return None
    return {
        "version": release.version,
        "title": release.title,
        "effective_date": release.effective_date.isoformat() if release.effective_date else None,
        "end_date": release.end_date.isoformat() if release.end_date else None,
    }


def _validity(code: Code, day: datetime.date, releases: Releases) -> dict:
    loaded = [r for dataset in CODE_DATASETS.get(code.system, []) for r in releases.of(dataset)]
    earliest = min((r.effective_date for r in loaded if r.effective_date), default=None)
    started = code.effective_date
    ended = code.termination_date
    if started and day < started:
        valid, why = False, f"not yet valid: in effect from {started.isoformat()}"
    elif ended and day > ended:
        valid, why = False, f"no longer valid: deleted, last valid on {ended.isoformat()}"
    elif code.deleted and not ended:
        valid, why = None, "deleted; the loaded releases do not say on which day"
    else:
        valid, why = True, "valid on that date"
        if ended:
            why += f" (deleted later: last valid on {ended.isoformat()})"
    limits = []
    if earliest and day < earliest and not (started and started <= day):
        limits.append(
            f"The {code.get_system_display()} releases loaded here begin {earliest.isoformat()}: "
            f"whether the code existed on {day.isoformat()} is read from its dates, not from a release of that time."
        )
    replaced = code.replaced_by.replace(",", " ").split() if code.replaced_by else []
    return {
        "valid": valid,
        "billable": bool(valid) and code.kind == "code" and not code.children.exists(),
        "status": why,
        "effective_date": started.isoformat() if started else None,
        "termination_date": ended.isoformat() if ended else None,
        "replaced_by": replaced,
        "limits": limits,
    }


def _fee_schedule(code: Code, day: datetime.date, releases: Releases) -> dict | None:
    if code.system not in (System.CPT, System.HCPCS):
        return None
    years = releases.of("pfs")
    release = next((r for r in years if r.effective_date and r.effective_date.year == day.year), None)
    loaded = [f"CY{r.effective_date.year}" for r in years if r.effective_date]
    if release is None:
        return {
            "year": f"CY{day.year}",
            "release": None,
            "rows": [],
            "limit": f"No fee schedule for CY{day.year} is loaded here (loaded: {', '.join(loaded) or 'none'}).",
        }
    rows = FeeSchedule.objects.filter(release=release, code=code.code).order_by("modifier")
    limit = ""
    if release.effective_date and day < release.effective_date:
        limit = (
            f"The CY{day.year} release loaded here is {release.version} (from {release.effective_date.isoformat()}); "
            "earlier releases of that year may have had other values."
        )
    return {
        "year": f"CY{day.year}",
        "release": _span(release),
        "rows": [
            {
                "modifier": fee.modifier,
                "status": fee.status_code,
                "total_nonfacility": None if fee.total_nonfacility is None else f"{fee.total_nonfacility:.2f}",
                "total_facility": None if fee.total_facility is None else f"{fee.total_facility:.2f}",
                "conversion_factor": None if fee.conversion_factor is None else f"{fee.conversion_factor:.4f}",
            }
            for fee in rows
        ],
        "limit": limit,
    }


def _mues(code: Code, day: datetime.date, releases: Releases) -> list[dict]:
    mues = {mue.setting: mue for mue in Mue.objects.filter(code=code.code).select_related("release")}
    answer = []
    for setting, label in SETTING_TITLES.items():
        loaded = releases.of(mue_dataset(setting))
        release = releases.covering(mue_dataset(setting), day)
        mue = mues.get(setting)
        row = {"setting": setting, "setting_label": label, "release": _span(release), "units": None, "mai": None}
        if release is None:
            spans = ", ".join(f"{r.version} ({_span(r)['effective_date']} to {_span(r)['end_date']})" for r in loaded)
            row["limit"] = f"No MUE release loaded here covers {day.isoformat()} (loaded: {spans or 'none'})."
        elif mue is not None and mue.release_id == release.pk:
            row.update(units=mue.units, mai=mue.mai, mai_meaning=mue.mai_meaning, limit="")
        else:
            row["limit"] = ""  # the release covers the date and has no MUE for the code
        answer.append(row)
    return answer


def _ptp(code: Code, day: datetime.date, releases: Releases) -> list[dict]:
    answer = []
    for setting in PTP_SETTINGS:
        loaded = releases.of(ptp_dataset(setting))
        if not loaded:
            continue
        release = loaded[-1]
        in_force = Q(deletion_date__isnull=True) | Q(deletion_date__gte=day)
        counts = {
            role: PtpEdit.objects.filter(**{role: code.code}, setting=setting).aggregate(
                in_force=Count("pk", filter=in_force), deleted_before=Count("pk", filter=~in_force)
            )
            for role in ("column1", "column2")
        }
        limit = ""
        if release.effective_date and day < release.effective_date:
            limit = (
                f"The PTP edits loaded here are those of {release.version}; the file gives no start dates, so an "
                f"edit counted here may have begun after {day.isoformat()}."
            )
        elif release.end_date and day > release.end_date:
            limit = (
                f"The PTP edits loaded here are those of {release.version} (to {release.end_date.isoformat()}); "
                f"edits added or deleted after that are not known here."
            )
        answer.append(
            {
                "setting": setting,
                "release": _span(release),
                "as_column1": counts["column1"]["in_force"],
                "as_column2": counts["column2"]["in_force"],
                "limit": limit,
            }
        )
    return answer


def _addons(code: Code, day: datetime.date, releases: Releases) -> dict | None:
    loaded = releases.of(AOC_DATASET)
    if not loaded:
        return None
    edits = AddOnEdit.objects.filter(Q(addon_code=code.code) | Q(primary_code=code.code))
    periods = edits.aggregate(first=Min("effective_date"), dated=Count("effective_date"), n=Count("pk"))
    in_force = edits.in_effect(day)
    primaries = sorted(in_force.filter(addon_code=code.code).values_list("primary_code", flat=True))
    addons = sorted(in_force.filter(primary_code=code.code).values_list("addon_code", flat=True))
    limit = ""
    release = loaded[-1]
    if periods["n"] and periods["dated"] < periods["n"]:
        limit = f"The add-on edits loaded here ({release.version}) give no periods: they are shown as of that release."
    elif release.end_date and day > release.end_date:
        limit = f"Add-on edits are loaded up to {release.version} (to {release.end_date.isoformat()})."
    return {"release": _span(release), "primary_codes": primaries, "addon_codes": addons, "limit": limit}


def as_of(code: Code, day: datetime.date) -> dict:
    """Everything the as-of view shows for `code` on `day`, as JSON-serialisable values."""
    releases = Releases.load(
        [
            *CODE_DATASETS.get(code.system, []),
            AOC_DATASET,
            *(ptp_dataset(s) for s in PTP_SETTINGS),
            *(mue_dataset(s) for s in SETTING_TITLES),
        ]
    )
    procedure = code.system in (System.CPT, System.HCPCS)
    answer = {
        "date": day.isoformat(),
        "code": code.code,
        "system": code.system,
        "validity": _validity(code, day, releases),
        "fee_schedule": _fee_schedule(code, day, releases),
        "mues": _mues(code, day, releases) if procedure else [],
        "ptp": _ptp(code, day, releases) if procedure else [],
        "addons": _addons(code, day, releases) if procedure else None,
        "releases_loaded": sorted(
            {release_name(r) for dataset in CODE_DATASETS.get(code.system, []) for r in releases.of(dataset)}
        ),
    }
    return answer
