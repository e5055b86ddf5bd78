"""ICD-10-CM code pages: the Official Guidelines that apply: the chapter's section
(I.C.<chapter>) and the sections whose text names the code's category ("E11", "E11.-").
Three queries: the levels above the code (shared with the page, `codes.sections.ancestors`),
the chapter's section, and the sections that name the category.

`CONVENTIONS` names the convention section behind each kind of tabular note; the notes
section (codes/sections/notes.py) links each note group to it."""

from __future__ import annotations

import re

from django.urls import reverse

from codes.models import BROWSE_KINDS, Code, GuidelineSection, Kind, Note, System
from codes.sections import ancestors

CONVENTIONS = {
    Note.Type.INCLUDES: ("I.A.10", "Includes notes"),
    Note.Type.INCLUSION: ("I.A.11", "Inclusion terms"),
    Note.Type.EXCLUDES1: ("I.A.12.a", "Excludes1"),
    Note.Type.EXCLUDES2: ("I.A.12.b", "Excludes2"),
    Note.Type.CODE_FIRST: ("I.A.13", "Etiology/manifestation convention"),
    Note.Type.USE_ADDITIONAL: ("I.A.13", "Etiology/manifestation convention"),
    Note.Type.CODE_ALSO: ("I.A.17", "“Code also” note"),
}
MULTIPLE_CODING = ("I.B.7", "Multiple coding for a single condition")
MENTIONS_SHOWN = 10


def convention(note_type: str) -> list[dict]:
    """The guideline sections that explain a kind of tabular note, as links."""
    found = [CONVENTIONS[note_type]] if note_type in CONVENTIONS else []
    if note_type in (Note.Type.CODE_FIRST, Note.Type.USE_ADDITIONAL, Note.Type.CODE_ALSO):
        found.append(MULTIPLE_CODING)
    return [{"number": n, "title": t, "url": reverse("codes:guideline", args=[System.ICD10CM, n])} for n, t in found]


def context(code: Code) -> dict | None:
    if code.system != System.ICD10CM or code.kind in BROWSE_KINDS:
        return None
    chapter = next((a.code for a in ancestors(code) if a.kind == Kind.CHAPTER), None)
    category = code.compact[:3]
    sections = GuidelineSection.objects.filter(system=System.ICD10CM)
    chapter_section = sections.filter(number=f"I.C.{chapter}").values("number", "title").first() if chapter else None
    named = re.compile(rf"\b{category}(?![0-9A-Z])")
    candidates = sections.filter(body__contains=category).order_by("position").values("number", "title", "body")
    mentions = [r for r in candidates[: MENTIONS_SHOWN * 3] if named.search(r["body"])][:MENTIONS_SHOWN]
    if chapter_section is None and not mentions:
        return None

    def link(row: dict) -> dict:
        return {
            "number": row["number"],
            "title": row["title"],
            "url": reverse("codes:guideline", args=[System.ICD10CM, row["number"]]),
        }

    return {
        "chapter": link(chapter_section) if chapter_section else None,
        "category": category,
        "mentions": [link(r) for r in mentions],
    }
