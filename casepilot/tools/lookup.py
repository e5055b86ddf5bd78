"""Tools about one code: what it is, whether it is billable, and codes by description."""

from __future__ import annotations

import re

from django.urls import reverse

from codes import asof
from codes.models import CcCode, Code, Kind, PlainDescription, System
from codes.search import search

from . import pcs
from .base import (
    SHOWN,
    Citation,
    ToolResult,
    code_citation,
    code_ref,
    find_codes,
    iso_date,
    not_found,
    system_label,
)
from .rules import modifier_info


def lookup_code(code: str, *, system: str | None = None, details: bool = True) -> ToolResult:
    """A code in any system: title, plain-language text, billable, status, dates, replacement.
    Without `details`, what a code page locks below Pro (plain-language text, DRG weights, CC/MCC) is left out."""
    rows = find_codes(code, system=system)
    if not rows:
        return not_found("lookup_code", code, system)
    row = rows[0]
    label = system_label(row.system)
    facts: list[str] = []
    if row.kind == Kind.MODIFIER:
        return modifier_info(row.code)
    if row.title:
        facts.append(f"{label} {row.code}: {row.title}.")
    elif row.system == System.CPT:
        facts.append(
            f"CPT {row.code} is a CPT code; its official descriptor is AMA licensed content and is not shown here."
        )
    plain = (
        PlainDescription.objects.filter(
            system=row.system, code=row.code, status=PlainDescription.Status.PUBLISHED
        ).first()
        if details
        else None
    )
    if plain:
        facts.append(f"In plain words: {plain.text}")
    if row.deleted:
        ended = f" (terminated {iso_date(row.termination_date)})" if row.termination_date else ""
        facts.append(f"{label} {row.code} is deleted{ended}: do not report it for current dates of service.")
        if row.replaced_by:
            facts.append(f"It was replaced by {', '.join(row.replaced_by.split())}.")
    else:
        facts.append(f"Status: active in {row.release.title if row.release else 'the current release'}.")
    if row.effective_date:
        facts.append(f"Effective date: {iso_date(row.effective_date)}.")
    if row.system in (System.ICD10CM, System.ICD10PCS):
        if row.billable:
            facts.append(f"{row.code} is billable: it is a complete code, valid on a claim.")
        elif not row.deleted:
            facts.append(f"{row.code} is not billable: it is a header; report one of the more specific codes under it.")
    if row.system == System.MSDRG and row.data and details:
        d = row.data
        if "weight" in d:
            facts.append(
                f"MS-DRG {row.code} ({d.get('type', '')}, MDC {d.get('mdc', '')}): relative weight {d['weight']}, "
                f"geometric mean length of stay {d.get('gmlos')} days, arithmetic mean {d.get('amlos')} days (FY{d.get('fy', '')})."
            )
    if row.system == System.ICD10CM and row.billable and details:
        cc = CcCode.objects.filter(code=row.code).select_related("release").first()
        if cc:
            article = "an" if cc.level == "MCC" else "a"
            facts.append(f"As a secondary diagnosis {row.code} is {article} {cc.level} in {cc.release.title}.")
    codes = [code_ref(row)]
    if row.replaced_by:
        codes += [code_ref(c) for c in Code.objects.filter(system=row.system, code__in=row.replaced_by.split())]
    others = [r for r in rows[1:] if r.system != row.system]
    for other in others:
        facts.append(
            f"The same characters also name {system_label(other.system)} {other.code}; name the code set to ask about that one."
        )
    return ToolResult(
        tool="lookup_code",
        found=True,
        facts=facts,
        citations=[code_citation(row)],
        codes=codes,
        data={
            "system": row.system,
            "code": row.code,
            "title": row.title,
            "plain_language": plain.text if plain else None,
            "billable": row.billable,
            "deleted": row.deleted,
            "effective_date": iso_date(row.effective_date) or None,
            "termination_date": iso_date(row.termination_date) or None,
            "replaced_by": row.replaced_by.split(),
            "also": [{"system": o.system, "code": o.code} for o in others],
        },
    )


def is_billable(code: str, *, system: str | None = None) -> ToolResult:
    """Whether a code can go on a claim; for a header, the billable codes under it."""
    rows = find_codes(code, system=system)
    if not rows:
        return not_found("is_billable", code, system)
    row = rows[0]
    label = system_label(row.system)
    cite = [code_citation(row)]
    if row.deleted:
        facts = [
            f"No: {label} {row.code} is deleted"
            + (f" (terminated {iso_date(row.termination_date)})." if row.termination_date else ".")
        ]
        if row.replaced_by:
            facts.append(f"It was replaced by {', '.join(row.replaced_by.split())}.")
        return ToolResult(
            "is_billable", True, facts, cite, [code_ref(row)], {"code": row.code, "billable": False, "deleted": True}
        )
    if row.billable:
        title = f" ({row.title})" if row.title else ""
        return ToolResult(
            "is_billable",
            True,
            [f"Yes: {label} {row.code}{title} is billable, a complete code valid on a claim."],
            cite,
            [code_ref(row)],
            {"code": row.code, "system": row.system, "billable": True},
        )
    # A header: its billable descendants share its compact prefix (ICD-10-CM, PCS tables).
    under = Code.objects.filter(
        system=row.system, compact__startswith=row.compact, billable=True, deleted=False
    ).exclude(pk=row.pk)
    count = under.count()
    first = list(under.order_by("compact")[:SHOWN])
    facts = [
        f"No: {label} {row.code}"
        + (f" ({row.title})" if row.title else "")
        + " is not billable; it is a header that needs more characters."
    ]
    if count:
        listed = "; ".join(f"{c.code} {c.title}" for c in first)
        more = f" (the first {len(first)} of {count})" if count > len(first) else ""
        facts.append(f"Billable codes under {row.code}{more}: {listed}.")
    return ToolResult(
        "is_billable",
        True,
        facts,
        cite,
        [code_ref(row), *(code_ref(c) for c in first)],
        {
            "code": row.code,
            "system": row.system,
            "billable": False,
            "billable_children": [c.code for c in first],
            "count": count,
        },
    )


# Words that mark a choice the coder still has to make, and what it is about.
SPECIFICITY = [
    (re.compile(r"\b(right|left|bilateral|unspecified side)\b", re.I), "laterality (right, left or bilateral)"),
    (
        re.compile(r"\b(initial encounter|subsequent encounter|sequela)\b", re.I),
        "the encounter (7th character: initial, subsequent or sequela)",
    ),
    (re.compile(r"\b(with|without) (complications?|mcc|cc)\b", re.I), "complications or comorbidities"),
    (re.compile(r"\b(type 1|type 2)\b", re.I), "the type"),
]


def search_codes(query: str, *, system: str | None = None, limit: int = 8) -> ToolResult:
    """Codes by description (Case2Code search), with a note when more specificity is needed."""
    # The system is filtered here, not in the search: codes.search with a system filter takes
    # seconds on SQLite for some multi-word queries (seen 2026-11 on the full data).
    # With the counts: the search then weighs its full candidate list (without them it weighs the
    # shorter one suggestions use, and "low transverse cesarean section" loses 10D00Z1).
    results = search(query, limit=100)
    rows = [r for r in (_hit_code(hit) for hit in results.results) if r is not None]
    if system:
        rows = [r for r in rows if r.system == system]
        if not rows:  # the set's codes rank below the first 100 of all sets ("cpt code for colonoscopy")
            results = search(query, system=system, limit=100)
            rows = [r for r in (_hit_code(hit) for hit in results.results) if r is not None]
    rows = pcs.as_documented(query, _coder_order(query, rows))[:limit]
    if not rows:
        facts = [f"No code matched “{query}”."]
        if getattr(results, "suggestion", None):
            facts.append(f"Did you mean “{results.suggestion}”?")
        return ToolResult(
            "search_codes",
            False,
            facts,
            [Citation("Case2Code search", reverse("codes:lookup") + "?q=" + query)],
            data={"query": query},
        )
    facts = [
        f"Codes matching “{query}”: "
        + "; ".join(
            f"{system_label(r.system)} {r.code} {r.title}".rstrip()
            + ("" if r.billable or r.system not in (System.ICD10CM, System.ICD10PCS) else " (header, not billable)")
            for r in rows
        )
        + "."
    ]
    titles = " | ".join(r.title for r in rows)
    needs = [what for pattern, what in SPECIFICITY if pattern.search(titles)]
    if any(not r.billable and r.system == System.ICD10CM for r in rows) or needs:
        facts.append(
            "The right code depends on details in the record"
            + (f": {', '.join(needs)}" if needs else "")
            + ". Pick the code that matches the documentation, and check its notes on the code page."
        )
    return ToolResult(
        "search_codes",
        True,
        facts,
        [code_citation(r) for r in rows[:5]],
        [code_ref(r) for r in rows],
        {
            "query": query,
            "results": [{"system": r.system, "code": r.code, "title": r.title, "billable": r.billable} for r in rows],
            "specificity": needs,
        },
    )


SPECIAL_CHAPTERS = re.compile(r"pregnan|deliver|childbirth|puerper|abortion|newborn|neonat|perinatal|fetus|fetal", re.I)


def _coder_order(query: str, rows: list[Code]) -> list[Code]:
    """Search order, adjusted the way the Alphabetic Index reads: the general ("unspecified") code of
    the condition first, then the specific ones; pregnancy and newborn codes (chapters O and P) last
    unless the question is about a pregnancy or a newborn."""
    words = [w for w in re.findall(r"[a-z]+", query.lower()) if len(w) > 2]
    special = bool(SPECIAL_CHAPTERS.search(query))

    def group(row: Code) -> int:
        title = row.title.lower()
        if row.system == System.ICD10CM and not special and row.code[:1] in "OP":
            return 2
        if words and "unspecified" in title and title.startswith(words[0][:5]) and row.billable:
            return 0
        return 1

    return [row for _, row in sorted(enumerate(rows), key=lambda pair: (group(pair[1]), pair[0]))]


def _hit_code(hit) -> Code | None:
    """A search hit as a Code, whatever shape the search module returns."""
    if isinstance(hit, Code):
        return hit
    code = getattr(hit, "code", None)
    if isinstance(code, Code):
        return code
    if isinstance(hit, dict):
        system, code = hit.get("system"), hit.get("code")
    else:
        system = getattr(hit, "system", None)
    if system and code:
        return Code.objects.filter(system=system, code=code).select_related("release").first()
    return None


def valid_on(code: str, *, date: str, system: str | None = None) -> ToolResult:
    """Whether a code was valid on a date of service (codes/asof.py), and what replaced it since."""
    try:
        day = asof.parse(date)
    except asof.BadDate as error:
        return ToolResult("valid_on", False, [f"{date[:20]} is not a date CasePilot can read: {error}."])
    rows = find_codes(code, system=system)
    if not rows:
        return not_found("valid_on", code, system)
    row = rows[0]
    validity = asof.as_of(row, day)["validity"]
    label = f"{system_label(row.system)} {row.code}"
    if validity["valid"] is None:
        fact = f"On {day.isoformat()}: {label} is {validity['status']}; check the release of that date."
    elif validity["valid"] and not validity["billable"] and row.system in (System.ICD10CM, System.ICD10PCS):
        # Billable is read from the current tables: a header today may have been a code then (M54.5 before FY2022).
        fact = (
            f"On {day.isoformat()}: {label} is valid ({validity['status']}); in the current release it is a header, "
            "not a billable code, so a more specific code under it is reported for dates that release covers."
        )
    else:
        fact = (
            f"On {day.isoformat()}: {label} is {'valid' if validity['valid'] else 'not valid'} ({validity['status']})."
        )
    facts = [fact]
    if validity["replaced_by"] and not validity["valid"]:
        facts.append(f"{row.code} was replaced by {', '.join(validity['replaced_by'])}.")
    facts += validity["limits"]
    return ToolResult(
        "valid_on",
        True,
        facts,
        [Citation(f"{label} on {day.isoformat()}", f"{row.get_absolute_url()}?date={day.isoformat()}")],
        [code_ref(row)],
        {"code": row.code, "date": day.isoformat(), **validity},
    )
