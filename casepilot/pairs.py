"""Can code A be reported with code B? A pair question is a two-line claim: the claim check's rules
(codes/claims/) answer it, so CasePilot and the claim check always agree.

- ICD-10-CM: a claim of the two diagnoses, checked by the Excludes1 and Excludes2 rules (notes of
  every level of both codes, each way; Excludes1 never together except for unrelated conditions,
  guideline I.A.12.a; Excludes2 both may be coded) and the unspecified code of a category beside a
  specific one (guideline I.A.9.b).
- CPT/HCPCS: a claim of the two service lines, without modifiers, checked by the NCCI PTP rule in
  each setting (practitioner, outpatient hospital), as of today.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from codes import claims
from codes.claims.notes import EXCLUDES1_EXCEPTION
from codes.models import Code, Setting, System

__all__ = ["EXCLUDES1_EXCEPTION", "Finding", "check", "pair_claims"]

PROCEDURES = (System.CPT, System.HCPCS)
PTP_SETTINGS = (Setting.PRACTITIONER, Setting.OUTPATIENT)


@dataclass(frozen=True)
class Finding:
    kind: str  # "excludes1" | "excludes2" | "unspecified_with_specific" | "ptp"
    conflict: bool  # True: the pair may not be reported together as is
    code: str  # the code whose note (or edit) it is
    other: str  # the code it names
    level: str  # where the note sits (the code itself or a header above it), or the edit's setting
    text: str
    source_title: str = ""  # the rule's source, as the claim check gives it (guideline I.A.9.b ...)
    source_url: str = ""


def pair_claims(a: Code, b: Code, *, day: datetime.date | None = None) -> list[claims.Claim]:
    """The claims a pair question stands for: one for two diagnoses, one per setting for two procedures."""
    day = day or datetime.date.today()
    if a.system == System.ICD10CM and b.system == System.ICD10CM:
        return [claims.Claim(date_of_service=day, diagnoses=(a.code, b.code))]
    if a.system in PROCEDURES and b.system in PROCEDURES:
        lines = (claims.Line(number=1, code=a.code), claims.Line(number=2, code=b.code))
        return [claims.Claim(date_of_service=day, setting=setting, lines=lines) for setting in PTP_SETTINGS]
    return []


def check(a: Code, b: Code, *, day: datetime.date | None = None) -> list[Finding]:
    """Every rule that speaks to reporting `a` with `b` (empty: nothing in the tables forbids it)."""
    findings = []
    for claim in pair_claims(a, b, day=day):
        rules = ("excludes1", "excludes2", "unspecified_with_specific", "ncci_ptp")
        for found in claims.check(claim, rules=rules).findings:
            facts = found.facts
            if found.rule == "ncci_ptp":
                findings.append(
                    Finding(
                        kind="ptp",
                        conflict=found.severity == "error",
                        code=facts["column1"],
                        other=facts["column2"],
                        level=Setting(claim.setting).label,
                        text=f"modifier indicator {facts['indicator']}: {facts['meaning']}",
                    )
                )
            else:
                findings.append(
                    Finding(
                        kind=found.rule,
                        conflict=found.severity == "error" or found.rule == "unspecified_with_specific",
                        code=facts["code"],
                        other=facts["other"],
                        level=facts["level"],
                        text=facts["text"],
                        source_title=found.source.title,
                        source_url=found.source.url,
                    )
                )
    return findings
