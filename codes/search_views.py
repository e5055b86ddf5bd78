"""Case2Code's pages: search results, the header box's suggestions, the search API and batch
lookup. The search itself is `Code.objects.search()` (codes/search/)."""

import csv
import hashlib
from collections import Counter
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe
from django_ratelimit.decorators import ratelimit

from accounts.tokens import api_auth
from codingahead.lib.api import limit_param
from codingahead.lib.ratelimits import too_many

from . import pagecache, search_boxes
from . import search as case2code
from .forms import BatchForm, SearchForm
from .models import Code, System

# Per client (IP address), shared by every process through the cache. Suggestions fire
# on keystrokes (debounced), so they get more room than full searches.
SEARCH_RATE = "60/m"
SUGGEST_RATE = "240/m"
BATCH_RATE = "10/m"
RETRY_AFTER = 60  # seconds: the rates above are per minute


def _rate(name: str):
    """The rate called `name`, read on each request (tests lower it)."""
    return lambda group, request: globals()[name]


def _too_many(request: HttpRequest, *, as_json: bool) -> HttpResponse:
    return too_many(
        request,
        retry_after=RETRY_AFTER,
        message="Too many searches from your address in the last minute. Please wait a minute and try again.",
        as_json=as_json,
        template="codes/search_429.html",
    )


def _yes_no(value: str | None) -> bool | None:
    """billable=true/false/1/0/yes/no for the API; None when absent; ValueError otherwise."""
    if value in (None, ""):
        return None
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(value)


def _search_params(data: dict, *, listing: bool) -> dict[str, str]:
    """The search page's parameters as its links carry them: the form's cleaned values (so the
    page is the same for every URL that asks the same search, and can be cached as one)."""
    params = {
        "q": data["q"],
        "system": data["system"],
        "billable": "on" if data["billable"] else "",
        "deleted": "on" if data["deleted"] else "",
        "as_of": data["as_of"].isoformat() if data["as_of"] else "",
        "page": str(data["page"] or ""),
        "go": "list" if listing else "",
    }
    return {key: value for key, value in params.items() if value}


def _search_url(params: dict[str, str], **changes) -> str:
    """A link to the search page with some parameters changed (None or "" drops one)."""
    params = {**params, **changes}
    return f"{reverse('codes:search')}?{urlencode({k: v for k, v in params.items() if v not in (None, '')})}"


@require_safe
@ratelimit(group="case2code", key="ip", rate=_rate("SEARCH_RATE"), block=False)
def search_page(request: HttpRequest) -> HttpResponse:
    if getattr(request, "limited", False):
        return _too_many(request, as_json=False)
    form = SearchForm(request.GET)
    if not form.is_valid():
        body = render_to_string("codes/_search_body.html", {"form": form, "query": ""})
        return render(request, "codes/search.html", {"query": "", "body": body}, status=400)
    data = form.cleaned_data
    listing = request.GET.get("go") == "list"
    # The content of the page is the same for every visitor who asks the same search: built once
    # per data version and cached as HTML (its form, tabs and results were two thirds of the
    # page's CPU; bench/search.py). The page around it (header, account links) is the visitor's own.
    asked = (data["q"], data["system"], data["billable"], data["deleted"], data["as_of"], data["page"] or 1, listing)
    key = "search-body:" + hashlib.sha256(repr(asked).encode()).hexdigest()[:32]
    exact_url, body = pagecache.get_or_build(key, lambda: _search_body(form, listing=listing))
    # A code typed exactly opens its page (unless the visitor is paging or filtering).
    if exact_url and (data["page"] or 1) == 1 and not listing:
        return redirect(exact_url)
    return render(request, "codes/search.html", {"query": data["q"], "body": body})


SEARCH_PAGE_SIZE = 20


def _search_body(form: SearchForm, *, listing: bool) -> tuple[str, str]:
    """(the URL of the one code the query names exactly, or "", the page's content as HTML)."""
    data = form.cleaned_data
    query, page, per_page = data["q"], data["page"] or 1, SEARCH_PAGE_SIZE
    found = Code.objects.search(
        query,
        system=data["system"] or None,
        billable=True if data["billable"] else None,
        include_deleted=data["deleted"],
        as_of=data["as_of"],
        limit=per_page,
        offset=(page - 1) * per_page,
    )
    params = _search_params(data, listing=listing)
    pages = max(1, -(-found.total // per_page))
    system = data["system"] or found.named_system  # "sepsis drg" is searched as MS-DRG's tab
    systems = [
        {
            "slug": s.value,
            "label": s.label,
            "count": found.counts.get(s.value, 0),
            "url": _search_url(params, system=s.value, page=None),
            "current": system == s.value,
        }
        for s in System
    ]
    context = {
        "form": form,
        "query": query,
        "system": system,
        "found": found,
        "systems": systems,
        "all_count": sum(found.counts.values()),
        "all_url": _search_url(params, q=found.without_name or query, system=None, page=None),
        "page": page,
        "pages": pages,
        "previous_url": _search_url(params, page=page - 1) if page > 1 else None,
        "next_url": _search_url(params, page=page + 1) if page < pages else None,
        "suggestion_url": _search_url(params, q=found.suggestion, page=None) if found.suggestion else None,
        "first": (page - 1) * per_page + 1,
        # Other apps' boxes (CasePilot's guides, codes/search_boxes.py), on the first page only.
        "boxes": search_boxes.boxes_for(query) if page == 1 else [],
    }
    exact_url = found.exact.get_absolute_url() if found.exact else ""
    return exact_url, render_to_string("codes/_search_body.html", context)


@require_safe
@ratelimit(key="ip", rate=_rate("SUGGEST_RATE"), block=False)
def search_suggest(request: HttpRequest) -> JsonResponse:
    """As-you-type suggestions for the header box: the best 8 codes for what is typed so far."""
    if getattr(request, "limited", False):
        return _too_many(request, as_json=True)
    query = request.GET.get("q", "").strip()[:100]
    if len(query) < 2:
        return JsonResponse({"query": query, "results": []})

    def suggest() -> dict:
        found = case2code.suggest(query, limit=8)
        results = [
            {"system": r.system, "system_label": System(r.system).label, **r.as_dict(), "billable": r.billable}
            for r in found.results
        ]
        return {"query": query, "results": results, "suggestion": found.suggestion}

    # The same keystrokes come from many visitors: answers are cached per data version.
    key = "suggest:" + hashlib.sha256(query.encode()).hexdigest()[:32]
    return JsonResponse(pagecache.get_or_build(key, suggest))


@require_safe
@api_auth
@ratelimit(group="case2code", key="ip", rate=_rate("SEARCH_RATE"), block=False)
def api_search(request: HttpRequest) -> JsonResponse:
    """GET /api/v1/search?q=...&system=...&billable=...&limit=..."""
    if getattr(request, "limited", False):
        return _too_many(request, as_json=True)
    query = request.GET.get("q", "").strip()
    errors = []
    if not query:
        errors.append("q is required: a code or words to search for.")
    if len(query) > 200:
        errors.append("q is at most 200 characters.")
    system = request.GET.get("system") or None
    if system and system not in System.values:
        errors.append(f"system must be one of {', '.join(System.values)}.")
    try:
        billable = _yes_no(request.GET.get("billable"))
    except ValueError:
        errors.append("billable must be true or false.")
    limit = limit_param(request, errors, default=20, most=100)
    if errors:
        return JsonResponse({"error": " ".join(errors)}, status=400)
    found = Code.objects.search(query, system=system, billable=billable, limit=limit, counts=False)
    return JsonResponse(
        {"query": query, "results": [r.as_dict(settings.SITE_ROOT) for r in found.results]},
        json_dumps_params={"ensure_ascii": False},
    )


@ratelimit(key="ip", rate=_rate("BATCH_RATE"), block=False, method="POST")
def batch(request: HttpRequest) -> HttpResponse:
    """Paste codes, get each one's status; the same form downloads the table as CSV."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    if getattr(request, "limited", False):
        return _too_many(request, as_json=False)
    if request.method != "POST":
        return render(request, "codes/batch.html", {"form": BatchForm()})
    form = BatchForm(request.POST)
    if not form.is_valid():
        return render(request, "codes/batch.html", {"form": form}, status=400)
    rows = case2code.batch_lookup(form.cleaned_data["codes"])
    if request.POST.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="codes.csv"'
        writer = csv.writer(response)
        writer.writerow(["typed", "system", "code", "status", "deleted_on", "title", "url"])
        for row in rows:
            code = row.code
            ended = code.termination_date if code and row.status == "deleted" else None
            writer.writerow(
                [
                    row.typed,
                    code.system if code else "",
                    code.code if code else "",
                    row.status,
                    ended.isoformat() if ended else "",
                    row.title,
                    settings.SITE_ROOT + code.get_absolute_url() if code else "",
                ]
            )
        return response
    summary = Counter(row.status for row in rows)
    return render(request, "codes/batch.html", {"form": form, "rows": rows, "summary": summary})
