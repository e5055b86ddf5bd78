"""Modifiers and the site's guides (written in the site's words, citing official sources)."""

from __future__ import annotations

from casepilot.guides import find_guides as search_guides
from codes.models import Code, Kind, System

from .base import MIN_GUIDE_SCORE, Citation, ToolResult, code_citation, code_ref, iso_date


def modifier_info(code: str) -> ToolResult:
    """A HCPCS Level II modifier from the CMS file, and the guides that explain it."""
    mod = code.strip().upper().lstrip("-")[:2]
    row = Code.objects.filter(system=System.HCPCS, kind=Kind.MODIFIER, code=mod).select_related("release").first()
    facts, cites, refs = [], [], []
    if row:
        status = f" Deleted (terminated {iso_date(row.termination_date)})." if row.deleted else ""
        since = f" Effective {iso_date(row.effective_date)}." if row.effective_date else ""
        facts.append(f"HCPCS Level II modifier {row.code}: {row.title}.{since}{status}")
        cites.append(code_citation(row))
        refs.append(code_ref(row))
    guides = find_guides(f"modifier {mod}", limit=2)
    if mod.isdigit() and not row:
        facts.append(
            f"Modifier {mod} is a CPT modifier; its official wording is AMA content, so the guides below explain it in our words."
        )
    for guide in guides.citations:
        cites.append(guide)
    facts += guides.facts
    if not facts:
        return ToolResult("modifier_info", False, [f"{mod} is not a modifier I know."], data={"modifier": mod})
    return ToolResult(
        "modifier_info",
        bool(row or guides.found),
        facts,
        cites,
        refs,
        {"modifier": mod, "title": row.title if row else None, **guides.data},
    )


def find_guides(query: str, *, limit: int = 3) -> ToolResult:
    """Guides of the knowledge base (written in the site's words, citing official sources)."""
    guides = list(search_guides(query, limit=limit))
    if guides and getattr(guides[0], "score", None) is not None:
        # A guide must match the question well, and about as well as the best one: sharing a
        # common word ("code", "tell") is not an answer.
        guides = [g for g in guides if g.score >= max(MIN_GUIDE_SCORE, 0.45 * guides[0].score)]
    if not guides:
        return ToolResult("find_guides", False, [], data={"guides": []})
    facts, cites = [], []
    for guide in guides:
        facts.append(f"{guide.title}: {guide.summary}")
        cites.append(Citation(f"Guide: {guide.title}", guide.get_absolute_url()))
    data = {
        "guides": [
            {"title": g.title, "summary": g.summary, "url": g.get_absolute_url(), "sources": g.sources} for g in guides
        ]
    }
    return ToolResult("find_guides", True, facts, cites, [], data)
