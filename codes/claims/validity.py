"""Validity of each code on the date of service, per code set, with the release that says so."""

from __future__ import annotations

from codes.models import Code, Note, System

from .claim import icd10cm_code
from .data import CODE_DATASETS, ClaimData
from .registry import Finding, Source, code_url, release_label, rule


def _claim_codes(data: ClaimData):
    """(system group, typed code, the lines it is on) for every diagnosis and line code, once each."""
    claim = data.claim
    seen = set()
    for position, code in enumerate(claim.diagnoses, start=1):
        if code not in seen:
            seen.add(code)
            pointing = tuple(line.number for line in claim.lines if position in line.pointers)
            yield "dx", code, pointing
    for line in claim.lines:
        if line.code not in seen:
            seen.add(line.code)
            yield "px", line.code, tuple(li.number for li in claim.lines if li.code == line.code)


def _found(data: ClaimData, group: str, code: str) -> Code | None:
    return data.diagnosis(code) if group == "dx" else data.procedure(code)


def _found_codes(data: ClaimData):
    """(code row, the lines it is on) for every code of the claim found in its code set."""
    for group, typed, lines in _claim_codes(data):
        if (code := _found(data, group, typed)) is not None:
            yield code, lines


def _releases_of(data: ClaimData, system: str):
    return [r for dataset in CODE_DATASETS.get(system, []) for r in data.releases.of(dataset)]


def _covering(data: ClaimData, system: str):
    """The code set's release in force on the date of service, else the latest loaded."""
    loaded = _releases_of(data, system)
    for release in loaded:
        if (release.effective_date is None or release.effective_date <= data.day) and (
            release.end_date is None or data.day <= release.end_date
        ):
            return release
    return loaded[-1] if loaded else None


def _source(data: ClaimData, code: Code, release=None) -> Source:
    release = release or _covering(data, code.system)
    return Source(
        title=f"{code.get_system_display()} {code.code}",
        release=release_label(release),
        url=code_url(code.system, code.code),
    )


def _label(group: str) -> str:
    return "ICD-10-CM" if group == "dx" else "CPT or HCPCS"


@rule("invalid_code", family="validity", title="The code exists in the code set")
def invalid_code(claim, data: ClaimData):
    findings, checked = [], 0
    for group, code, lines in _claim_codes(data):
        checked += 1
        if _found(data, group, code) is not None or (group == "dx" and code.replace(".", "") in data.placeholders):
            continue
        system = System.ICD10CM if group == "dx" else System.HCPCS
        loaded = ", ".join(release_label(r) for r in _releases_of(data, system)[-2:]) or "none"
        findings.append(
            Finding(
                "error",
                "invalid_code",
                lines,
                (code,),
                f"{code} is not a {_label(group)} code in any release loaded here ({loaded}): check it for a typo.",
                Source(title=f"{_label(group)} code tables", release=loaded),
            )
        )
    return findings, checked


def _release_after(data: ClaimData, code: Code):
    """The first loaded release of the code's set that no longer lists it (after its last day)."""
    ended = code.termination_date
    later = [r for r in _releases_of(data, code.system) if r.effective_date and ended and r.effective_date > ended]
    return min(later, key=lambda r: r.effective_date, default=None)


@rule("deleted_code", family="validity", title="The code was not deleted before the date of service")
def deleted_code(claim, data: ClaimData):
    findings, checked = [], 0
    for code, lines in _found_codes(data):
        checked += 1
        ended = code.termination_date
        if ended is not None and data.day <= ended:
            continue
        if ended is None and not code.deleted:
            continue
        replaced = code.replaced_by.replace(",", " ").split()
        instead = f" Report {' or '.join(replaced)} instead." if replaced else " No replacement code is recorded here."
        if ended is not None:
            message = (
                f"{code.code} was deleted: its last valid day was {ended.isoformat()}, before the date of service."
            )
            release = _release_after(data, code)
        else:
            message = f"{code.code} is deleted; the releases loaded here do not say on which day."
            release = code.release
        findings.append(
            Finding(
                "error" if ended is not None else "warning",
                "deleted_code",
                lines,
                (code.code, *replaced),
                message + instead,
                _source(data, code, release),
                {"replaced_by": replaced},
            )
        )
    return findings, checked


@rule("not_yet_valid", family="validity", title="The code was in effect on the date of service")
def not_yet_valid(claim, data: ClaimData):
    findings, checked = [], 0
    for code, lines in _found_codes(data):
        checked += 1
        if code.effective_date and data.day < code.effective_date:
            findings.append(
                Finding(
                    "error",
                    "not_yet_valid",
                    lines,
                    (code.code,),
                    f"{code.code} takes effect on {code.effective_date.isoformat()}, after the date of service "
                    f"{data.day.isoformat()}: it cannot be reported for that day.",
                    _source(data, code, code.first_release),
                )
            )
    return findings, checked


def _seventh_keys(data: ClaimData, code: Code) -> list[str]:
    """The 7th characters the code's category defines ([] when it takes none)."""
    return [n.key for _owner, n in data.notes_of(code, Note.Type.SEVENTH) if n.key]


def needs_seventh(data: ClaimData, code: Code) -> bool:
    return (
        code.system == System.ICD10CM
        and not code.billable
        and (bool(code.data.get("needs_seventh")) or (len(code.compact) < 7 and bool(_seventh_keys(data, code))))
    )


@rule("not_billable", family="validity", title="The code is billable, not a header")
def not_billable(claim, data: ClaimData):
    findings, checked = [], 0
    for code, lines in _found_codes(data):
        if code.deleted:
            continue
        checked += 1
        if code.billable or needs_seventh(data, code):
            continue
        findings.append(
            Finding(
                "error",
                "not_billable",
                lines,
                (code.code,),
                f"{code.code} is a {code.get_kind_display().lower()} header, not a billable code: report one of the "
                "more specific codes under it.",
                _source(data, code),
            )
        )
    return findings, checked


@rule("incomplete_code", family="validity", title="A 7th character or placeholder X is not missing")
def incomplete_code(claim, data: ClaimData):
    findings, checked = [], 0
    for group, typed, lines in _claim_codes(data):
        if group != "dx":
            continue
        checked += 1
        code = data.diagnosis(typed)
        meant = data.placeholders.get(typed.replace(".", "")) if code is None else None
        if meant is not None:
            findings.append(
                Finding(
                    "error",
                    "incomplete_code",
                    lines,
                    (typed, meant.code),
                    f"{typed} is missing its placeholder X: a 7th character is always the 7th position, so the "
                    f"code is {meant.code}.",
                    _source(data, meant),
                    {"meant": meant.code},
                )
            )
        elif code is not None and not code.deleted and needs_seventh(data, code):
            keys = _seventh_keys(data, code)
            written = icd10cm_code(code.compact.ljust(6, "X"))
            choices = f" ({', '.join(keys)})" if keys else ""
            findings.append(
                Finding(
                    "error",
                    "incomplete_code",
                    lines,
                    (code.code,),
                    f"{code.code} needs a 7th character{choices}: add it (with X placeholders up to the 6th "
                    f"position, {written}_).",
                    _source(data, code),
                )
            )
    return findings, checked
