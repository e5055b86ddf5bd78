"""The ICD-10-PCS Index, one letter per page: main terms and subterms with their see/use
pointers and the tables or codes they point to. Three queries per page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from .models import IndexTerm, Release, System

INDEX_DATASET = "icd-10-pcs-index"
TABLES_DATASET = "icd-10-pcs"


def _reference_url(code: str) -> str:
    """A full code links to its page; a partial one (table, table + body part...) to its table."""
    return reverse("codes:code", args=[System.ICD10PCS, code if len(code) == 7 else code[:3]])


def _releases() -> tuple[Release | None, Release | None]:
    releases = Release.objects.filter(dataset__in=[INDEX_DATASET, TABLES_DATASET]).order_by(
        "-effective_date", "-version"
    )
    index = next((r for r in releases if r.dataset == INDEX_DATASET), None)
    tables = next((r for r in releases if r.dataset == TABLES_DATASET), None)
    return index, tables


@require_safe
def pcs_index(request: HttpRequest) -> HttpResponse:
    terms = IndexTerm.objects.filter(index=IndexTerm.Index.PCS)
    letters = list(terms.filter(level=0).order_by("letter").values_list("letter", flat=True).distinct())
    asked = request.GET.get("letter", "").strip().upper()[:1]
    letter = asked if asked in letters else ("A" if "A" in letters else (letters[0] if letters else ""))
    rows = []
    for term in (
        terms.filter(letter=letter)
        .order_by("position")
        .only("level", "title", "code", "see", "see_also", "invalid_codes")
    ):
        rows.append(
            {
                "level": term.level,
                "title": term.title,
                "see": term.see,
                "use": term.see_also,  # the importer keeps the PCS "use" pointer in see_also
                "code": term.code,
                "url": _reference_url(term.code) if term.code else "",
                "is_table": bool(term.code) and len(term.code) < 7,
                "invalid": term.code in term.invalid_codes,
            }
        )
    index_release, tables_release = _releases()
    context = {
        "letters": letters,
        "letter": letter,
        "terms": rows,
        "index_release": index_release,
        "tables_release": tables_release,
        "current": f"FY{tables_release.version}" if tables_release else "the current tables",
        "invalid_count": sum(row["invalid"] for row in rows),
    }
    return render(
        request,
        "codes/pcs_index.html",
        context,
        status=200 if rows or not asked else 404,
    )
