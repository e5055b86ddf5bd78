"""Can code A be reported with code B? The rules, as plain findings (used by CasePilot and, later,
by the claim check).

- ICD-10-CM: the Excludes1 and Excludes2 notes of every level of both codes (the code, its
  subcategory, category, block and chapter), each way. An Excludes1 note means the two are never
  coded together, except when the conditions are unrelated (guideline I.A.12.a); an Excludes2 note
  means the excluded condition is not part of this code, and both may be coded when present.
- CPT/HCPCS: the NCCI procedure-to-procedure edits of the pair (see codes.models.PtpEdit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

from codes.models import Code, Note, PtpEdit, System, compact_code

EXCLUDES1_EXCEPTION = (
    "Exception (guideline I.A.12.a): when the two conditions are unrelated to each other, both may be "
    "reported despite the Excludes1 note."
)


@dataclass(frozen=True)
class Finding:
    kind: str  # "excludes1" | "excludes2" | "ptp"
    conflict: bool  # True: the pair may not be reported together as is
    code: str  # the code whose note (or edit) it is
    other: str  # the code it names
    level: str  # where the note sits: the code itself, or the header it inherits from
    text: str


def _ranges(text: str) -> list[tuple[str, str]]:
    """The code ranges a note names: "(E10.-)", "(O24.4-)", "(G43-G44)", "(Z87.891)"."""
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
    return found


def _named(text: str, code: Code) -> bool:
    return any(low <= compact_code(code.code) <= high for low, high in _ranges(text))


def _level(note: Note, code: Code) -> str:
    if note.code_id == code.pk:
        return f"at {code.code} itself"
    return f"at {note.code.get_kind_display().lower()} {note.code.code}, inherited by {code.code}"


def excludes(a: Code, b: Code) -> list[Finding]:
    """Excludes1/Excludes2 notes of either code (any level above it too) that name the other."""
    findings = []
    for this, other in ((a, b), (b, a)):
        notes = Note.objects.filter(
            code_id__in=[*this.lineage, this.pk], type__in=[Note.Type.EXCLUDES1, Note.Type.EXCLUDES2]
        ).select_related("code")
        for note in notes:
            if _named(note.text, other):
                findings.append(
                    Finding(
                        kind=note.type,
                        conflict=note.type == Note.Type.EXCLUDES1,
                        code=this.code,
                        other=other.code,
                        level=_level(note, this),
                        text=note.text,
                    )
                )
    return findings


def ptp(a: str, b: str) -> list[Finding]:
    edits = PtpEdit.objects.filter(Q(column1=a, column2=b) | Q(column1=b, column2=a), deletion_date__isnull=True)
    return [
        Finding(
            kind="ptp",
            conflict=True,
            code=e.column1,
            other=e.column2,
            level=e.get_setting_display(),
            text=f"modifier indicator {e.modifier_indicator}: {e.modifier_meaning}",
        )
        for e in edits.select_related("release")
    ]


def check(a: Code, b: Code) -> list[Finding]:
    """Every rule that speaks to reporting `a` with `b` (empty: nothing in the tables forbids it)."""
    if a.system == System.ICD10CM and b.system == System.ICD10CM:
        return excludes(a, b)
    if a.system in (System.CPT, System.HCPCS) and b.system in (System.CPT, System.HCPCS):
        return ptp(a.code, b.code)
    return []
