"""Age and sex conflicts, only those the loaded data carries:

- the chapters' own notes: the maternity chapter (O) is "for use only on maternal records, never on
  newborn records", the perinatal chapter (P) "for use on newborn records only, never on maternal
  records", the congenital chapter (Q) "not for use on maternal records";
- the Tabular List's titles: a code whose own title or one of whose headers (block, category,
  subcategory) names one sex ("female genital organs", "Male infertility", "breast, female").

The Medicare Code Editor has more that the tables here do not hold; `MCE_EDITS_LACKING` lists them
(the page says so).
"""

from __future__ import annotations

import re

from codes.models import Code, Kind, Note, System

from .data import ClaimData
from .notes import _diagnoses, _lines_for, _note_source
from .registry import Finding, Source, code_url, release_label, rule

MCE_EDITS_LACKING = (
    "the age ranges of the newborn, pediatric, maternity (12-55) and adult (15-124) code lists",
    "the sex edits of codes whose titles do not name a sex (for example prostate or uterus codes)",
    "the manifestation-as-principal-diagnosis, questionable admission, unacceptable principal diagnosis "
    "and non-specific principal diagnosis edits",
    "the procedure (ICD-10-PCS) sex and non-covered procedure edits",
)

RECORD_RULES = {
    # what the chapter's codes need -> the phrase of its note that says so
    "maternal": re.compile(r"\bfor use only on maternal records\b", re.I),
    "newborn": re.compile(r"\bfor use on newborn records only\b", re.I),
    "not_maternal": re.compile(r"\bnot for use on maternal records\b", re.I),
}
SEX_WORD = re.compile(r"\b(female|male)\b", re.I)
SEX_OF_WORD = {"female": "F", "male": "M"}
SEX_LABEL = {"F": "female", "M": "male"}


def _record_notes(data: ClaimData, code: Code) -> dict[str, tuple[Code, Note]]:
    """{"maternal" | "newborn" | "not_maternal": (chapter, its note)} for the code's chapter."""
    found = {}
    for owner, note in data.notes_of(code, Note.Type.NOTE):
        if owner.kind != Kind.CHAPTER:
            continue
        for kind, phrase in RECORD_RULES.items():
            if phrase.search(note.text):
                found.setdefault(kind, (owner, note))
    return found


@rule("age_conflict", family="demographics", title="Age and record-type conflicts the chapters' notes state")
def age_conflict(claim, data: ClaimData):
    findings, checked = [], 0
    diagnoses = _diagnoses(claim, data)
    records = {position: _record_notes(data, code) for position, code in diagnoses}
    maternal = [(p, c) for p, c in diagnoses if "maternal" in records[p]]
    for position, code in diagnoses:
        rules = records[position]
        if not rules:
            continue
        checked += 1
        if "maternal" in rules and claim.age is not None and claim.age < 1:
            owner, note = rules["maternal"]
            findings.append(
                Finding(
                    "error",
                    "age_conflict",
                    _lines_for(claim, position),
                    (code.code,),
                    f"{code.code} is in the maternity chapter, whose note says “{note.text.capitalize()}”; a patient "
                    f"aged {claim.age} is a newborn or infant, not the mother.",
                    _note_source(data, owner, note),
                )
            )
        for kind in ("newborn", "not_maternal"):
            if kind not in rules:
                continue
            owner, note = rules[kind]
            for mp, mother in maternal:
                findings.append(
                    Finding(
                        "error",
                        "age_conflict",
                        _lines_for(claim, position, mp),
                        (code.code, mother.code),
                        f"{code.code} and {mother.code} cannot be on one record: {code.code}'s chapter says "
                        f"“{note.text.capitalize()}”, and {mother.code} is for maternal records only.",
                        _note_source(data, owner, note),
                    )
                )
    return findings, checked


def limited_to(data: ClaimData, code: Code) -> tuple[str, Code] | None:
    """(sex, the row whose title says so) when the code or a header below its chapter names one sex."""
    for row in reversed(data.lineage(code)):
        if row.kind == Kind.CHAPTER:
            continue
        words = {SEX_OF_WORD[w.lower()] for w in SEX_WORD.findall(row.title)}
        if len(words) == 1:
            return words.pop(), row
    return None


@rule("sex_conflict", family="demographics", title="Sex conflicts with codes the Tabular List limits to one sex")
def sex_conflict(claim, data: ClaimData):
    findings, checked = [], 0
    if claim.sex is None:
        return findings, 0
    for position, code in _diagnoses(claim, data):
        checked += 1
        records = _record_notes(data, code)
        if "maternal" in records and claim.sex == "M":
            owner, note = records["maternal"]
            findings.append(
                Finding(
                    "error",
                    "sex_conflict",
                    _lines_for(claim, position),
                    (code.code,),
                    f"{code.code} is in the maternity chapter (“{note.text.capitalize()}”) but the patient is male.",
                    _note_source(data, owner, note),
                )
            )
            continue
        limit = limited_to(data, code)
        if limit is None or limit[0] == claim.sex:
            continue
        sex, row = limit
        loaded = data.releases.of("icd-10-cm")
        findings.append(
            Finding(
                "warning",
                "sex_conflict",
                _lines_for(claim, position),
                (code.code,),
                f"{code.code} is for {SEX_LABEL[sex]} patients (its {row.get_kind_display().lower()} {row.code} is "
                f"titled “{row.title}”), but the patient is {SEX_LABEL[claim.sex]}.",
                Source(
                    title=f"ICD-10-CM Tabular List, {row.code}",
                    release=release_label(loaded[-1] if loaded else None),
                    url=code_url(System.ICD10CM, row.code),
                ),
            )
        )
    return findings, checked
