"""Can two ICD-10-CM codes be reported together: the claim check's Excludes rules on a two-diagnosis claim
(casepilot/pairs.py, codes/claims/notes.py); this module only words the answer."""

from __future__ import annotations

from casepilot import pairs
from codes.models import System

from .base import Citation, ToolResult, code_citation, code_ref, find_codes, not_found


def pair_check(code_a: str, code_b: str) -> ToolResult:
    """Excludes1 (never together, unless unrelated: I.A.12.a) and Excludes2 (both may be coded)."""
    rows = []
    for code in (code_a, code_b):
        found = find_codes(code, system=System.ICD10CM)
        if not found:
            return not_found("pair_check", code, System.ICD10CM)
        rows.append(found[0])
    a, b = rows
    findings = pairs.check(a, b)
    cites = [code_citation(a), code_citation(b)]
    conflicts = [f for f in findings if f.conflict]
    facts = []
    if conflicts and conflicts[0].kind == "unspecified_with_specific":
        first = conflicts[0]
        facts.append(
            f"No: {first.code} is the unspecified code of {first.level}, and {first.other} says more of the same "
            f"condition: report {first.other} alone (guideline I.A.9.b: an unspecified code is for when the "
            "record says no more)."
        )
        cites.append(Citation(first.source_title, first.source_url))
    elif conflicts:
        first = conflicts[0]
        facts.append(
            f"No: {a.code} and {b.code} are not coded together. The Excludes1 note {first.level} "
            f"excludes “{first.text}”, and {first.other} falls under it."
        )
        facts.append(
            "An Excludes1 note means the excluded code is never used at the same time as the code above the note "
            "(the two conditions cannot occur together)."
        )
        facts.append(pairs.EXCLUDES1_EXCEPTION)
    elif findings:
        first = findings[0]
        facts.append(
            f"Yes: {a.code} and {b.code} may both be coded when both conditions are present. The Excludes2 note "
            f"{first.level} (“{first.text}”) means “not included here”: {first.other} is a separate condition."
        )
    else:
        facts.append(
            f"Yes: no Excludes1 or Excludes2 note of {a.code} or {b.code}, at any level, names the other; "
            "both may be coded when both conditions are documented."
        )
    for code in (a, b):
        state = "a billable code" if code.billable and not code.deleted else "not billable: pick a complete code"
        facts.append(
            f"{code.code} ({code.title}) is {state} in {code.release.title if code.release else 'the current release'}."
        )
    return ToolResult(
        "pair_check",
        True,
        facts,
        cites,
        [code_ref(a), code_ref(b)],
        {"pair": [a.code, b.code], "findings": [f.__dict__ for f in findings], "conflict": bool(conflicts)},
    )
