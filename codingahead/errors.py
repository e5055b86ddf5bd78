"""The site's own error pages: 404 with a search box and the sections a mistyped URL was
probably meant for, 403, and a 500 that renders without the database or a request context."""

import difflib

from csp.decorators import csp_exempt
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

# The first path segment of every public section, with the name a visitor knows it by.
SECTIONS = {
    "icd-10-cm": "ICD-10-CM codes",
    "icd-10-pcs": "ICD-10-PCS codes",
    "hcpcs": "HCPCS Level II codes",
    "cpt": "CPT codes",
    "ms-drg": "MS-DRGs",
    "search": "Case2Code search",
    "lookup": "Case2Code lookup",
    "casepilot": "CasePilot",
    "consult": "CaseConsultant",
    "jobs": "CareerCenter",
    "guides": "Coding guides",
    "pricing": "Pricing",
    "accounts": "Your account",
}


def _guesses(path: str) -> tuple[list[tuple[str, str]], str]:
    """Sections whose address is close to the first segment, and the last segment as a search query."""
    segments = [s for s in path.strip("/").split("/") if s]
    if not segments:
        return [], ""
    first = segments[0].lower()
    close = difflib.get_close_matches(first, SECTIONS, n=3, cutoff=0.6)
    query = segments[-1].replace("-", " ").replace("_", " ")[:100] if len(segments[-1]) <= 100 else ""
    return [(f"/{slug}/", SECTIONS[slug]) for slug in close], query


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    sections, query = _guesses(request.path)
    context = {"sections": sections, "query": query}
    return render(request, "404.html", context, status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


# The page's own small <style> (no static file it could fail to find) needs the exemption; it
# holds no script and nothing the visitor sent.
@csp_exempt()
def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors and no request: whatever failed (the database, a template) must
    # not fail this page too.
    return HttpResponseServerError(loader.get_template("500.html").render())
