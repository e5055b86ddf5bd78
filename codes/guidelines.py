"""The Official Guidelines for Coding and Reporting on the site: a table of contents with
search, one page per numbered section (its text, and its subsections' when the whole is
short), previous/next, and the JSON API CasePilot and others quote from:

    GET /api/v1/icd-10-cm/guidelines/I.C.4.a     one section, with its citation
    GET /api/v1/icd-10-cm/guidelines?q=insulin   sections that match, best first

A page reads two queries: the outline of the system's sections (number, title, level,
size: a few hundred short rows, for breadcrumbs, previous/next and links between
sections) and the text of the section shown with its subsections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models.functions import Length
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe
from django_ratelimit.decorators import ratelimit

from accounts.tokens import api_auth
from codingahead.lib.api import limit_param
from codingahead.lib.ratelimits import too_many

from .models import GuidelineSection, Release, System

GUIDELINE_RATE = "60/m"
INLINE_CHARACTERS = 30000  # a section shows its subsections' text when all of it is at most this long
SEARCH_LIMIT = 50
TITLES = {
    System.ICD10CM: "ICD-10-CM Official Guidelines for Coding and Reporting",
    System.ICD10PCS: "ICD-10-PCS Official Guidelines for Coding and Reporting",
}
# "Section I.C.15", "Section I.B.14.", "Section I.C.19.g.3.a": cross-references in the text.
REFERENCE = re.compile(
    r"\bSection ((?:IV|III|II|I)(?:\.[A-Z](?:\.\d{1,2}(?:\.[a-z](?:\.\d{1,2}(?:\.[a-z](?:\.[ivx]+)?)?)?)?)?)?)"
)
LIST_ITEM = re.compile(r"^[A-Z] [–=-] ")
NUMBER = re.compile(r"(?i:section )?[A-Za-z0-9.-]{1,40}")


def _rate(group: str, request: HttpRequest) -> str:
    return GUIDELINE_RATE


@dataclass
class Outline:
    """Every section of one system, light: number, title, level, position, text size."""

    rows: list[dict]

    @classmethod
    def load(cls, system: str) -> Outline:
        rows = list(
            GuidelineSection.objects.filter(system=system)
            .annotate(size=Length("body"))
            .order_by("position")
            .values("id", "number", "title", "level", "position", "parent_id", "page", "size")
        )
        for row in rows:
            row["url"] = reverse("codes:guideline", args=[system, row["number"]])
        return cls(rows)

    def index_of(self, number: str) -> int | None:
        wanted = number.lower()
        return next((i for i, row in enumerate(self.rows) if row["number"].lower() == wanted), None)

    def ancestors(self, i: int) -> list[dict]:
        by_id = {row["id"]: row for row in self.rows}
        chain, parent = [], self.rows[i]["parent_id"]
        while parent in by_id:
            chain.append(by_id[parent])
            parent = by_id[parent]["parent_id"]
        return chain[::-1]

    def subtree(self, i: int) -> list[dict]:
        level, out = self.rows[i]["level"], []
        for row in self.rows[i + 1 :]:
            if row["level"] <= level:
                break
            out.append(row)
        return out


def blocks(body: str, *, system: str, known: set[str]) -> list[dict]:
    """A section's text as blocks to render: paragraphs, list items grouped, examples, and short
    unnumbered headings (the appendix); "Section I.C.15" references become links."""
    out: list[dict] = []
    for paragraph in body.split("\n\n"):
        paragraph = paragraph.strip()
        if not paragraph:
            continue
        html = linked(paragraph, system=system, known=known)
        if paragraph.startswith("• ") or LIST_ITEM.match(paragraph):
            item = linked(paragraph.removeprefix("• "), system=system, known=known)
            if out and out[-1]["kind"] == "list":
                out[-1]["items"].append(item)
            else:
                out.append({"kind": "list", "items": [item]})
        elif paragraph.startswith("Example"):
            out.append({"kind": "example", "html": html})
        elif len(paragraph) < 70 and paragraph[:1].isupper() and not paragraph.endswith((".", ":", ",", ";")):
            out.append({"kind": "heading", "html": html})
        else:
            out.append({"kind": "paragraph", "html": html})
    return out


def linked(text: str, *, system: str, known: set[str]) -> SafeString:
    """The text escaped, with references to sections that exist linked to their pages."""

    def link(match: re.Match) -> str:
        number = match.group(1)
        if system != System.ICD10CM or number not in known:
            return match.group(0)
        url = reverse("codes:guideline", args=[system, number])
        return f'<a href="{url}">{match.group(0)}</a>'

    return mark_safe(REFERENCE.sub(link, str(escape(text))))


def _release(system: str) -> Release | None:
    return Release.objects.filter(dataset=f"{system}-guidelines").order_by("-effective_date").first()


def _snippet(text: str, words: list[str], width: int = 220) -> str:
    lowered = text.lower()
    hits = [lowered.find(w) for w in words if lowered.find(w) >= 0]
    start = max(0, min(hits) - 60) if hits else 0
    snippet = text[start : start + width].strip()
    return ("…" if start else "") + snippet + ("…" if start + width < len(text) else "")


def search_results(query: str, *, system: str, limit: int = SEARCH_LIMIT) -> list[dict]:
    words = re.findall(r"\w+", query.lower())
    found = GuidelineSection.objects.search(query, system=system).select_related("release")[:limit]
    return [
        {
            "number": s.number,
            "title": s.title,
            "label": s.label,
            "url": s.get_absolute_url(),
            "citation": s.citation,
            "snippet": _snippet(s.body or s.title, words),
        }
        for s in found
    ]


@require_safe
@ratelimit(group="guidelines", key="ip", rate=_rate, block=False)
def contents(request: HttpRequest, system: str) -> HttpResponse:
    if getattr(request, "limited", False):
        return too_many(request, rate=GUIDELINE_RATE, template="codes/search_429.html")
    query = request.GET.get("q", "").strip()[:200]
    outline = Outline.load(system)
    context = {
        "system": system,
        "system_label": System(system).label,
        "document": TITLES[system],
        "release": _release(system),
        "outline": outline.rows,
        "query": query,
        "results": search_results(query, system=system) if query else None,
    }
    return render(request, "codes/guidelines/contents.html", context)


@require_safe
def section(request: HttpRequest, system: str, number: str) -> HttpResponse:
    if not NUMBER.fullmatch(number):
        raise Http404("Not a section number")
    outline = Outline.load(system)
    i = outline.index_of(GuidelineSection.clean_number(number))
    if i is None:
        raise Http404("No such guideline section")
    row = outline.rows[i]
    if row["number"] != number:
        return redirect("codes:guideline", system, row["number"], permanent=True)
    subtree = outline.subtree(i)
    inline = row["size"] + sum(r["size"] for r in subtree) <= INLINE_CHARACTERS
    wanted = [row["id"], *(r["id"] for r in subtree)] if inline else [row["id"]]
    texts = dict(GuidelineSection.objects.filter(pk__in=wanted).values_list("pk", "body"))
    known = {r["number"] for r in outline.rows}
    parts = [
        {**r, "depth": r["level"] - row["level"], "blocks": blocks(texts.get(r["id"], ""), system=system, known=known)}
        for r in ([row, *subtree] if inline else [row])
    ]
    release = _release(system)
    context = {
        "system": system,
        "system_label": System(system).label,
        "document": TITLES[system],
        "release": release,
        "section": row,
        "label": f"Section {row['number']}" if system == System.ICD10CM else row["number"],
        "parts": parts,
        "children": [] if inline else [r for r in subtree if r["parent_id"] == row["id"]],
        "ancestors": outline.ancestors(i),
        "previous": outline.rows[i - 1] if i > 0 else None,
        "next": outline.rows[i + 1] if i + 1 < len(outline.rows) else None,
        "canonical_url": settings.SITE_ROOT + row["url"],
    }
    return render(request, "codes/guidelines/section.html", context)


def _unknown_system(system: str) -> JsonResponse | None:
    if system in TITLES:
        return None
    return JsonResponse({"error": f"No guidelines for {system[:40]!r}: use one of {', '.join(TITLES)}."}, status=404)


def as_dict(section: GuidelineSection) -> dict:
    """A section for the API and CasePilot: number, title, citation, its own text and the whole."""
    return {
        "system": section.system,
        "number": section.number,
        "label": section.label,
        "title": section.title,
        "citation": section.citation,
        "page": section.page,
        "url": settings.SITE_ROOT + section.get_absolute_url(),
        "text": section.body,
        "full_text": section.full_text(),
        "parent": section.parent.number if section.parent else None,
        "children": [
            {"number": c.number, "title": c.title}
            for c in section.children.order_by("position").only("number", "title")
        ],
    }


@require_safe
@api_auth
@ratelimit(group="guidelines", key="ip", rate=_rate, block=False)
def api_section(request: HttpRequest, system: str, number: str) -> JsonResponse:
    """GET /api/v1/<system>/guidelines/<number>"""
    if getattr(request, "limited", False):
        return too_many(
            request,
            rate=GUIDELINE_RATE,
            message="Too many guideline requests from your address in the last minute. Please wait a minute and try again.",
            as_json=True,
        )
    if refused := _unknown_system(system):
        return refused
    if not NUMBER.fullmatch(number):
        return JsonResponse({"error": f"{number[:40]!r} is not a guideline section number (e.g. I.C.4.a)."}, status=404)
    try:
        found = GuidelineSection.objects.select_related("release", "parent").get_section(number, system=system)
    except GuidelineSection.DoesNotExist:
        return JsonResponse({"error": f"No {System(system).label} guideline section {number[:40]!r}."}, status=404)
    return JsonResponse(as_dict(found), json_dumps_params={"ensure_ascii": False})


@require_safe
@api_auth
@ratelimit(group="guidelines", key="ip", rate=_rate, block=False)
def api_search(request: HttpRequest, system: str) -> JsonResponse:
    """GET /api/v1/<system>/guidelines?q=...&limit=..."""
    if getattr(request, "limited", False):
        return too_many(
            request,
            rate=GUIDELINE_RATE,
            message="Too many guideline requests from your address in the last minute. Please wait a minute and try again.",
            as_json=True,
        )
    if refused := _unknown_system(system):
        return refused
    query = request.GET.get("q", "").strip()
    errors = []
    if not query or len(query) > 200 or not re.search(r"\w", query):
        errors.append("q is required: 1 to 200 characters with a letter or digit.")
    limit = limit_param(request, errors, default=10, most=SEARCH_LIMIT)
    if errors:
        return JsonResponse({"error": " ".join(errors)}, status=400)
    results = search_results(query, system=system, limit=limit)
    for result in results:
        result["url"] = settings.SITE_ROOT + result["url"]
    return JsonResponse(
        {"query": query, "system": system, "results": results}, json_dumps_params={"ensure_ascii": False}
    )
