"""The ICD-10-CM Alphabetic Index to Diseases and Injuries: letters, main terms, one page per
main term with its subterms, a lookup page and `GET /api/v1/icd-10-cm/index?term=...`.

Each page reads a constant number of queries: the terms (with the terms their "see" and
"see also" name, joined), the titles of the codes they show, and the release.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe
from django_ratelimit.decorators import ratelimit

from accounts.tokens import api_auth
from codingahead.lib.api import limit_param
from codingahead.lib.ratelimits import too_many

from . import pagecache
from .models import Code, IndexTerm, Release, System, compact_code

DATASET = "icd-10-cm-main-index"
LOOKUP_RATE = "60/m"
PAGE_SIZE = 50
COMPLETION_LINKS = 6
# The Neoplasm Table's columns, as "see Neoplasm, <site>, <behaviour>" names them.
BEHAVIOURS = {"malignant", "benign", "uncertain", "in", "unspecified", "secondary", "primary", "by"}
# "see category M01", "see also subcategory M14.8-": the pointer names a code, not a term.
CODE_POINTER = re.compile(r"^(?:sub)?categor(?:y|ies)\s+([A-Z][0-9A-Z]{2}(?:\.[0-9A-Z]{1,4})?-?)$", re.IGNORECASE)


def _rate(group: str, request: HttpRequest) -> str:
    return LOOKUP_RATE


def _releases() -> tuple[Release | None, Release | None]:
    rows = list(Release.objects.filter(dataset__in=[DATASET, "icd-10-cm"]).order_by("-effective_date"))
    return (
        next((r for r in rows if r.dataset == DATASET), None),
        next((r for r in rows if r.dataset == "icd-10-cm"), None),
    )


def fiscal_year(release: Release | None) -> str:
    return f"FY{release.version[:4]}" if release and release.version[:4].isdigit() else "the current release"


def _code_url(code: str) -> str:
    return reverse("codes:code", args=[System.ICD10CM, code.rstrip("-").rstrip(".")])


def pointer_url(text: str, target: IndexTerm | None) -> str:
    """Where a "see" or "see also" leads: the term it names, a code, or a table."""
    lowered = text.lower()
    if lowered.startswith("neoplasm"):  # "Neoplasm, meninges, benign": the Neoplasm Table, at the site's letter
        url = reverse("codes:index_table", args=[IndexTerm.Index.NEOPLASM])
        site = next(
            (p.strip() for p in text.split(",")[1:] if p.split() and p.split()[0].lower() not in BEHAVIOURS), ""
        )
        return f"{url}?letter={site[0].upper()}" if site[:1].isalpha() else url
    if target is not None:
        return target.get_absolute_url()
    found = CODE_POINTER.match(text)
    if found:
        return _code_url(found.group(1))
    if lowered.startswith("table of drugs"):
        return reverse("codes:index_table", args=[IndexTerm.Index.DRUGS])
    return ""


def _completions(term: IndexTerm) -> tuple[dict | None, list[dict], int]:
    """How a page shows the valid codes under an incomplete code: its 7th characters when that is
    all it lacks ({"stem": "M48.46X", "characters": ["A", "D", "G", "S"]}: the code's page has the
    7th-character table), else links to the first codes and how many more there are."""
    compacts = [compact_code(c) for c in term.completions]
    stems = {c[:-1] for c in compacts}
    if term.completion_count == len(compacts) and len(stems) == 1 and all(len(c) == 7 for c in compacts):
        stem = term.completions[0][:-1]
        return {"stem": stem, "characters": [c[-1] for c in compacts]}, [], 0
    shown = term.completions[:COMPLETION_LINKS]
    return None, [{"code": c, "url": _code_url(c)} for c in shown], term.completion_count - len(shown)


def _row(term: IndexTerm, titles: dict[str, str]) -> dict:
    seventh, completions, more = _completions(term)
    return {
        "term": term,
        "level": min(term.level, 11),
        "anchor": term.anchor,
        "code_url": _code_url(term.code) if term.code else "",
        "code_title": titles.get(term.code_compact, ""),
        "seventh": seventh,
        "completions": completions,
        "more": more,
        "see_url": pointer_url(term.see, term.see_target) if term.see else "",
        "see_also_url": pointer_url(term.see_also, term.see_also_target) if term.see_also else "",
    }


def _rows(terms: list[IndexTerm]) -> list[dict]:
    wanted = {t.code_compact for t in terms if t.code_compact}
    titles = dict(
        Code.objects.filter(system=System.ICD10CM, compact__in=wanted).values_list("compact", "title") if wanted else []
    )
    return [_row(t, titles) for t in terms]


def _with_targets(rows):
    return rows.select_related("see_target__main", "see_also_target__main", "main")


@require_safe
@ratelimit(group="index-lookup", key="ip", rate=_rate, block=False)
def index_home(request: HttpRequest) -> HttpResponse:
    """The letters, and lookups: `?q=words` (index paths) or `?code=E11.22` (entries that lead to a code)."""
    if getattr(request, "limited", False):
        return too_many(request, rate=LOOKUP_RATE, template="codes/search_429.html")
    letters = list(
        IndexTerm.objects.main_index().filter(level=0).order_by("letter").values_list("letter", flat=True).distinct()
    )
    query = request.GET.get("q", "").strip()[:200]
    code = request.GET.get("code", "").strip()[:20]
    page = None
    if query:
        page = Paginator(_with_targets(IndexTerm.objects.lookup(query)), PAGE_SIZE).get_page(request.GET.get("page"))
    elif code:
        compact = compact_code(code)
        matches = (
            _with_targets(IndexTerm.objects.leading_to(compact, below=True)) if compact else IndexTerm.objects.none()
        )
        page = Paginator(matches, PAGE_SIZE).get_page(request.GET.get("page"))
    source, current = _releases()
    context = {
        "letters": letters,
        "query": query,
        "code": code,
        "page": page,
        "results": _rows(list(page.object_list)) if page else [],
        "source": source,
        "current": current,
        "fy": fiscal_year(current),
    }
    return render(request, "codes/index/home.html", context)


@require_safe
def index_letter(request: HttpRequest, letter: str) -> HttpResponse:
    if len(letter) != 1 or not letter.isascii() or not letter.isalpha():
        raise Http404("Not a letter")
    if letter != letter.lower():
        return redirect("codes:index_letter", letter.lower(), permanent=True)
    terms = list(
        IndexTerm.objects.main_terms(letter).only("letter", "slug", "title", "nemod", "code", "see", "index", "main")
    )
    if not terms:
        raise Http404("No main terms under that letter")
    letters = list(
        IndexTerm.objects.main_index().filter(level=0).order_by("letter").values_list("letter", flat=True).distinct()
    )
    source, current = _releases()
    context = {"letter": letter.upper(), "letters": letters, "terms": terms, "source": source, "current": current}
    return render(request, "codes/index/letter.html", context)


@require_safe
def index_term(request: HttpRequest, letter: str, slug: str) -> HttpResponse:
    if len(letter) != 1 or not letter.isascii() or not letter.isalpha():
        raise Http404("Not a letter")
    main = (
        _with_targets(IndexTerm.objects.main_index())
        .filter(level=0, letter=letter.upper()[:1], slug=slug[:120])
        .first()
    )
    if main is None or letter != letter.lower():
        if main is not None:
            return redirect(main.get_absolute_url(), permanent=True)
        raise Http404("No such main term")
    source, current = _releases()
    fy = fiscal_year(current)

    def tree() -> str:
        terms = [main, *_with_targets(IndexTerm.objects.filter(main=main)).order_by("position")]
        context = {"rows": _rows(terms), "fy": fy, "results": False}
        return render_to_string("codes/index/_entries.html", context)

    # The tree is the same for every visitor until the next import; the largest main terms
    # ("Disorder", 2,457 entries) take a second to render.
    html = mark_safe(pagecache.get_or_build(f"index-term:{main.pk}", tree))
    neighbours = IndexTerm.objects.main_index().filter(level=0).only("letter", "slug", "title", "index", "main")
    previous = neighbours.filter(position__lt=main.position).order_by("-position").first()
    following = neighbours.filter(position__gt=main.position).order_by("position").first()
    context = {
        "main": main,
        "tree": html,
        "previous": previous,
        "next": following,
        "source": source,
        "current": current,
        "canonical_url": settings.SITE_ROOT + main.get_absolute_url(),
    }
    return render(request, "codes/index/term.html", context)


def as_dict(term: IndexTerm) -> dict:
    """An index entry for the API (and CasePilot): its path, pointers and code with its status."""
    return {
        "path": term.path.split(" > "),
        "path_text": term.path,
        "title": term.title,
        "nonessential_modifiers": term.nemod,
        "level": term.level,
        "url": settings.SITE_ROOT + term.get_absolute_url(),
        "see": term.see or None,
        "see_also": term.see_also or None,
        "code": term.code or None,
        "code_status": term.code_status or None,
        "code_url": settings.SITE_ROOT + _code_url(term.code) if term.code else None,
        "completions": term.completions,
        "completion_count": term.completion_count,
    }


@require_safe
@api_auth
@ratelimit(group="index-lookup", key="ip", rate=_rate, block=False)
def api_index(request: HttpRequest) -> JsonResponse:
    """GET /api/v1/icd-10-cm/index?term=...&limit=..."""
    if getattr(request, "limited", False):
        message = "Too many index lookups from your address in the last minute. Please wait a minute and try again."
        return too_many(request, rate=LOOKUP_RATE, message=message, as_json=True)
    term = request.GET.get("term", "").strip()
    errors = []
    if not term or len(term) > 200:
        errors.append("term is required: 1 to 200 characters to look up in the index.")
    limit = limit_param(request, errors, default=20, most=100)
    if errors:
        return JsonResponse({"error": " ".join(errors)}, status=400)
    matches = IndexTerm.objects.lookup(term)
    found = list(matches[:limit])
    source, _current = _releases()
    return JsonResponse(
        {
            "term": term,
            "count": matches.count() if len(found) == limit else len(found),
            "source": source.title if source else None,
            "results": [as_dict(t) for t in found],
        },
        json_dumps_params={"ensure_ascii": False},
    )
