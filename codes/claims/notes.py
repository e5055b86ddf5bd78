"""The Tabular List's notes between the claim's diagnoses: Excludes1 and Excludes2, "code first"
and "use additional code", at every level of each code (the code, its subcategory, category,
block and chapter)."""

from __future__ import annotations

import re
from functools import lru_cache

from django.urls import reverse

from codes.models import Code, Note, System, compact_code
from codes.search.parsing import is_default_title

from .data import ClaimData
from .registry import Finding, Source, absolute, code_url, release_label, rule

EXCLUDES1_EXCEPTION = (
    "Exception (guideline I.A.12.a): when the two conditions are unrelated to each other, both may be "
    "reported despite the Excludes1 note."
)


@lru_cache(maxsize=20_000)  # the same notes come back on claim after claim of a batch
def ranges(text: str) -> tuple[tuple[str, str], ...]:
    """The code ranges a note names, as compact bounds: "(E10.-)", "(O24.4-)", "(G43-G44)", "(Z87.891)"."""
    found = []
    for group in re.findall(r"\(([^()]*\d[^()]*)\)", text):
        for item in re.split(r",\s*", group):
            item = item.strip()
            if not re.match(r"[A-Z]\d", item):
                continue
            if re.fullmatch(r"[A-Z][0-9A-Z.]+-[A-Z][0-9A-Z.]+", item):
                low, high = (compact_code(x) for x in item.split("-"))
                found.append((low, high + "ZZZZ"))
            else:
                base = compact_code(item.rstrip("-").replace(".-", ""))
                found.append((base, base + "ZZZZ"))
    return tuple(found)


def names(text: str, code: str) -> bool:
    """Whether the note's text names `code` (itself or a range or header holding it)."""
    compact = compact_code(code)
    return any(low <= compact <= high for low, high in ranges(text))


def level(owner: Code, code: Code) -> str:
    if owner.pk == code.pk:
        return f"at {code.code} itself"
    return f"at {owner.get_kind_display().lower()} {owner.code}, inherited by {code.code}"


def _diagnoses(claim, data: ClaimData) -> list[tuple[int, Code]]:
    found = []
    for position, typed in enumerate(claim.diagnoses, start=1):
        code = data.diagnosis(typed)
        if code is not None:
            found.append((position, code))
    return found


def _lines_for(claim, *positions: int) -> tuple[int, ...]:
    return tuple(line.number for line in claim.lines if set(line.pointers) & set(positions))


def _note_source(data: ClaimData, owner: Code, note: Note) -> Source:
    loaded = data.releases.of("icd-10-cm")
    return Source(
        title=f"ICD-10-CM Tabular List, {note.get_type_display()} note at {owner.code}",
        release=release_label(loaded[-1] if loaded else None),
        url=code_url(System.ICD10CM, owner.code),
    )


def _excludes(claim, data: ClaimData, note_type: str):
    findings, checked = [], 0
    diagnoses = _diagnoses(claim, data)
    for pa, a in diagnoses:
        for pb, b in diagnoses:
            if pa == pb or a.pk == b.pk:
                continue
            checked += 1
            for owner, note in data.notes_of(a, note_type):
                if not names(note.text, b.code):
                    continue
                facts = {"code": a.code, "other": b.code, "level": level(owner, a), "text": note.text}
                if note_type == Note.Type.EXCLUDES1:
                    message = (
                        f"{a.code} and {b.code} are not coded together: the Excludes1 note {facts['level']} excludes "
                        f"“{note.text}”, and {b.code} falls under it. {EXCLUDES1_EXCEPTION}"
                    )
                    severity = "error"
                else:
                    message = (
                        f"The Excludes2 note {facts['level']} names {b.code} (“{note.text}”): “not included here”, so "
                        f"both may be coded when both conditions are present."
                    )
                    severity = "info"
                findings.append(
                    Finding(
                        severity,
                        note_type,
                        _lines_for(claim, pa, pb),
                        (a.code, b.code),
                        message,
                        _note_source(data, owner, note),
                        facts,
                    )
                )
    return findings, checked // 2


@rule("excludes1", family="notes", title="Excludes1 notes between two diagnoses")
def excludes1(claim, data: ClaimData):
    return _excludes(claim, data, Note.Type.EXCLUDES1)


@rule("excludes2", family="notes", title="Excludes2 notes between two diagnoses (information)")
def excludes2(claim, data: ClaimData):
    return _excludes(claim, data, Note.Type.EXCLUDES2)


def _unspecified(code: Code) -> bool:
    """The category's code for the condition with nothing more said: "..., unspecified", "...
    without complications" (codes.search.parsing.is_default_title)."""
    return code.billable and is_default_title(code.title)


@rule("unspecified_with_specific", family="notes", title="An unspecified code beside a specific code of its category")
def unspecified_with_specific(claim, data: ClaimData):
    """E11.9 "without complications" beside E11.65, M54.50 beside M54.59: once the record says more,
    the unspecified code is not reported (guideline I.A.9.b: it is for when the record does not)."""
    findings, checked = [], 0
    diagnoses = _diagnoses(claim, data)
    for pa, a in diagnoses:
        for pb, b in diagnoses:
            if pa == pb or a.system != System.ICD10CM or a.code[:3] != b.code[:3]:
                continue
            checked += 1
            if not _unspecified(a) or _unspecified(b) or not b.billable:
                continue
            message = (
                f"{a.code} ({a.title}) is the unspecified code of category {a.code[:3]}, and {b.code} ({b.title}) "
                f"says more of it: report {b.code} without {a.code} (guideline I.A.9.b)."
            )
            facts = {"code": a.code, "other": b.code, "level": f"category {a.code[:3]}", "text": a.title}
            source = Source(
                title="ICD-10-CM Official Guidelines, I.A.9.b Unspecified codes",
                release=release_label(data.releases.of("icd-10-cm")[-1] if data.releases.of("icd-10-cm") else None),
                url=absolute(reverse("codes:guideline", args=[System.ICD10CM, "I.A.9.b"])),
            )
            findings.append(Finding("warning", "unspecified_with_specific", _lines_for(claim, pa, pb), (a.code, b.code), message, source, facts))  # fmt: skip
    return findings, checked // 2


def _optional(text: str) -> bool:
    return bool(re.search(r"\bif (applicable|known|present|any)\b", text, re.I))


@rule("code_first", family="notes", title="“Code first” notes: the etiology is listed before the manifestation")
def code_first(claim, data: ClaimData):
    findings, checked = [], 0
    diagnoses = _diagnoses(claim, data)
    for position, code in diagnoses:
        for owner, note in data.notes_of(code, Note.Type.CODE_FIRST):
            checked += 1
            named = [(p, c) for p, c in diagnoses if p != position and names(note.text, c.code)]
            before = [c.code for p, c in named if p < position]
            if before:
                continue
            if named:
                after = ", ".join(c.code for _p, c in named)
                message = (
                    f"{code.code} is listed before {after}, but its “code first” note {level(owner, code)} "
                    f"(“{note.text}”) puts the underlying condition first: sequence {after} ahead of {code.code}."
                )
                severity = "error"
            elif _optional(note.text) or not ranges(note.text):
                continue  # "if applicable", or a note naming no codes: nothing the claim can be checked against
            else:
                message = (
                    f"{code.code} has a “code first” note {level(owner, code)} (“{note.text}”), and no code it names "
                    "is on the claim: the underlying condition is coded first, when documented."
                )
                severity = "warning"
            findings.append(
                Finding(
                    severity,
                    "code_first",
                    _lines_for(claim, position, *(p for p, _c in named)),
                    (code.code, *(c.code for _p, c in named)),
                    message,
                    _note_source(data, owner, note),
                )
            )
    return findings, checked


@rule("use_additional_code", family="notes", title="“Use additional code” notes are met")
def use_additional_code(claim, data: ClaimData):
    findings, checked = [], 0
    diagnoses = _diagnoses(claim, data)
    for position, code in diagnoses:
        for owner, note in data.notes_of(code, Note.Type.USE_ADDITIONAL):
            if not ranges(note.text):
                continue  # names no codes: nothing to check
            checked += 1
            if any(names(note.text, c.code) for p, c in diagnoses if p != position):
                continue
            findings.append(
                Finding(
                    "info" if _optional(note.text) else "warning",
                    "use_additional_code",
                    _lines_for(claim, position),
                    (code.code,),
                    f"{code.code} has a “use additional code” note {level(owner, code)}: “{note.text}”; no code it "
                    "names is on the claim. Add one when the documentation supports it.",
                    _note_source(data, owner, note),
                )
            )
    return findings, checked


def excludes1_guideline_url() -> str:
    return absolute(reverse("codes:guideline", args=[System.ICD10CM, "I.A.12.a"]))
