"""The code pages (metered), the browse tree, modifiers, the code API and the data sources page."""

import re

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from accounts.middleware import metered
from accounts.quota import paywall_json_ld
from accounts.tokens import api_auth

from . import asof, browse_tree, pagecache, personal, sections
from .history import history
from .models import BROWSE_KINDS, Code, CodeView, Kind, Release, System, compact_code, page_url

SYSTEM_BLURBS = {
    System.ICD10CM: "Diagnosis codes (CDC/NCHS), FY2026.",
    System.ICD10PCS: "Inpatient procedure codes (CMS), FY2026.",
    System.HCPCS: "Level II codes for drugs, supplies, equipment and services (CMS).",
    System.CPT: "Procedure and service codes; official descriptors are AMA licensed content.",
    System.MSDRG: "Medicare Severity DRGs, version 43 (FY2026).",
}


def _close_matches(system: str, compact: str, limit: int = 12) -> list[Code]:
    """Codes that share the longest prefix with what was asked for."""
    for length in range(len(compact), 0, -1):
        matches = list(
            Code.objects.pages().filter(system=system, compact__startswith=compact[:length]).order_by("compact")[:limit]
        )
        if matches:
            return matches
    return []


def _find(system: str, code: str, *, kinds=None) -> Code:
    compact = compact_code(code)
    rows = Code.objects.filter(system=system, compact=compact).select_related("release")
    if kinds:
        rows = rows.filter(kind__in=kinds)
    found = rows.first()
    if found is None:
        raise Http404(code)
    return found


def _not_found(request: HttpRequest, system: str, code: str) -> HttpResponse:
    context = {
        "system": system,
        "system_label": System(system).label,
        "asked": code[:40],
        "matches": _close_matches(system, compact_code(code)[:16]),
    }
    return render(request, "codes/code_not_found.html", context, status=404)


def _code_payload(code: Code, *, ancestors, plain, sections) -> dict:
    """The code page's data as JSON (the API) — the same facts the page shows."""
    return {
        "system": code.system,
        "code": code.code,
        "kind": code.kind,
        "title": code.title,
        "short_title": code.short_title,
        "url": settings.SITE_ROOT + code.get_absolute_url(),
        "billable": code.billable,
        "status": "deleted" if code.deleted else "active",
        "effective_date": code.effective_date.isoformat() if code.effective_date else None,
        "termination_date": code.termination_date.isoformat() if code.termination_date else None,
        "replaced_by": code.replaced_by.split() if code.replaced_by else [],
        "release": code.release.title if code.release else None,
        "descriptions": {
            "official": code.title or None,
            "official_source": code.release.title if code.release and code.title else None,
            "common_language": plain.text if plain else None,
            "common_language_title": plain.short_title or None if plain else None,
            "common_language_sources": plain.sources if plain else [],
            "common_language_reviewed": plain.reviewed.isoformat() if plain and plain.reviewed else None,
        },
        "hierarchy": [{"code": a.code, "kind": a.kind, "title": a.title} for a in ancestors],
        "data": code.data,
        "related": {section["name"]: section["data"] for section in sections},
    }


# What a list of codes on the code page shows (templates/codes/_code_list.html), and nothing more.
LISTED = ("id", "system", "code", "kind", "title", "short_title", "billable", "deleted")


def _listed(rows) -> list[dict]:
    """Rows of `.values(*LISTED)` as the list reads a `Code` (`pk`, `get_absolute_url`...): dicts
    render in the list's loop about 2.5x faster than model instances."""
    return [
        {**row, "pk": row["id"], "get_absolute_url": page_url(row["system"], row["code"], row["kind"])} for row in rows
    ]


def _siblings(code: Code, around: int = 8) -> list[dict]:
    """The codes next to this one under the same parent (a window: some parents have thousands)."""
    same_parent = Code.objects.filter(parent_id=code.parent_id).values(*LISTED)
    before = same_parent.filter(sort_key__lt=code.sort_key).order_by("-sort_key", "-code")[:around]
    after = same_parent.filter(sort_key__gte=code.sort_key).order_by("sort_key", "code")[: around + 1]
    return _listed([*reversed(before), *after])


def _heading_title(code: Code, ancestors: list[Code]) -> str:
    """The title under the code: its own (for a CPT code without the licensed descriptor, our
    editors' short title: `Code.display_title`), else the title of the range it belongs to."""
    return code.display_title or next((a.title for a in reversed(ancestors) if a.title), "")


def _code_context(code: Code, *, locked: bool = False) -> dict:
    """The full page's data; `locked` (a guest's page) keeps only what the one locked panel
    names, with counts: the guest sees what the code has, not what it says."""
    ancestors = sections.ancestors(code)
    plain = code.published_plain
    children = _listed(code.children.order_by("sort_key", "code").values(*LISTED)[:500])
    siblings = _siblings(code) if code.parent_id else []
    changes = history(code)
    found = sections.for_code(code)
    parent = ancestors[-1].code if ancestors else ""
    more = [
        {"name": "children", "title": "More specific codes", "summary": sections.counted(len(children), "code"), "show": children},
        {"name": "siblings", "title": f"Related codes in {parent}", "summary": sections.counted(len(siblings) - 1, "code"), "show": len(siblings) > 1},
        {"name": "history", "title": "History", "summary": sections.counted(len(changes), "change"), "show": changes},
    ]  # fmt: skip
    contents = list(found) + [m for m in more if m["show"] and m["name"] != "siblings"]
    context = {
        "code": code,
        "heading_title": _heading_title(code, ancestors),
        "ancestors": ancestors,
        "plain": plain,
        "key_facts": sections.key_facts(code, found, locked=locked),
        "contents": contents,
        "locked": locked,
        "canonical_url": settings.SITE_ROOT + code.get_absolute_url(),
    }
    if locked:
        context["locked_sections"] = [
            f"{item['title']}: {item['summary']}" if item["summary"] else item["title"]
            for item in [*found, *(m for m in more if m["show"])]
        ]
        return context
    return {
        **context,
        "children": children,
        "siblings": siblings,
        "changes": changes,
        "sections": found,
        "more": {m["name"]: m for m in more},
        "payload": lambda: _code_payload(code, ancestors=ancestors, plain=plain, sections=found),
    }


def _gated_context(code: Code) -> dict:
    """The gate's page (no views left): the code, its title and hierarchy."""
    ancestors = sections.ancestors(code)
    return {
        "code": code,
        "heading_title": _heading_title(code, ancestors),
        "ancestors": ancestors,
        "plain": None,
        "key_facts": sections.key_facts(code, [], locked=True),
        "locked": True,
        "gated": True,
        "canonical_url": settings.SITE_ROOT + code.get_absolute_url(),
    }


# What an import changes, the page's parts that are the same for every visitor, is rendered once per
# data version and variant (codes/pagecache.py); the page around them (header, messages, the meter's
# banner or gate, the visitor's tools) is rendered with the normal templates on every request.
PAGE_PARTS = ("trail", "head", "main", "aside")
CACHEABLE_CODE = re.compile(r"[A-Za-z0-9.\-]{1,20}")  # codes as URLs write them: no key of a visitor's making


def _parts(code: Code, variant: str, *, is_modifier: bool) -> dict:
    """The code's page parts for `variant` ("full", "locked": a guest's, "gated": no views left)."""
    context = _gated_context(code) if variant == "gated" else _code_context(code, locked=variant == "locked")
    context["is_modifier"] = is_modifier
    parts = [name for name in PAGE_PARTS if not (variant == "gated" and name == "main")]  # the gate is per visitor
    rendered = {name: render_to_string(f"codes/_code_{name}.html", context) for name in parts}
    sections.forget(code)  # the code is cached with its parts: not its ancestors too
    return {
        "parts": rendered,
        "plain_text": context["plain"].text if context["plain"] else "",
        "heading_title": context["heading_title"],
    }


def _cached_page(system: str, code: str, *, is_modifier: bool) -> tuple[str, str, dict | None]:
    """(cache key, data version, the entry cached for this code as its URL writes it): the code's
    row and the parts of each variant built so far. Keeping the row with the parts saves the code
    page its one ORM query (1.0-1.5 ms of a cached page's CPU, measured; about a fifth of it)."""
    if not CACHEABLE_CODE.fullmatch(code):
        return "", "", None
    key = f"page:{system}:{code}:{int(is_modifier)}"
    version, found = pagecache.read([key])
    return key, version, found.get(key)


def _code_response(request: HttpRequest, system: str, code: str, *, is_modifier: bool = False) -> HttpResponse:
    """A metered code page: spend a view, then the full page, the guest page or the gate (all 200)."""
    key, version, entry = _cached_page(system, code, is_modifier=is_modifier)
    if entry is None:
        try:
            found = _find(system, code, kinds=[Kind.MODIFIER] if is_modifier else None)
        except Http404:
            return _not_found(request, system, code)
        if found.code != code or (not is_modifier and (found.kind in BROWSE_KINDS or found.kind == Kind.MODIFIER)):
            return redirect(found.get_absolute_url(), permanent=True)
        entry = {"code": found, "variants": {}}
    found = entry["code"]
    quota = request.quota
    if not CodeView.objects.spend(quota, found):
        variant = "gated"
    elif quota.locks_sections:
        variant = "locked"
    else:
        variant = "full"
    if variant not in entry["variants"]:
        entry["variants"][variant] = _parts(found, variant, is_modifier=is_modifier)
        if key:
            pagecache.write(key, entry, version=version)
    url = settings.SITE_ROOT + found.get_absolute_url()
    context = {
        **entry["variants"][variant],
        "code": found,
        "quota": quota,
        "locked": variant != "full",
        "gated": variant == "gated",
        "canonical_url": url,
        "state": personal.code_state(user=request.user, code=found),
    }
    if variant != "full":
        context["paywall_json_ld"] = paywall_json_ld(name=f"{found.code} {context['heading_title']}".strip(), url=url)
    return render(request, "codes/code.html", context)


@require_safe
@metered
def code_page(request: HttpRequest, system: str, code: str) -> HttpResponse:
    if "date" in request.GET:
        return _as_of_page(request, system, code)
    return _code_response(request, system, code)


def _as_of_page(request: HttpRequest, system: str, code: str) -> HttpResponse:
    """?date=YYYY-MM-DD: the code as it stood on a date of service (codes/asof.py), not cached."""
    try:
        day = asof.parse(request.GET["date"])
    except asof.BadDate as error:
        return render(request, "codes/as_of.html", {"error": str(error)}, status=400)
    try:
        found = _find(system, code)
    except Http404:
        return _not_found(request, system, code)
    quota = request.quota
    if not CodeView.objects.spend(quota, found) or quota.locks_sections:
        return redirect(found.get_absolute_url())  # the page itself shows the gate or the guest view
    return render(request, "codes/as_of.html", {"code": found, "as_of": asof.as_of(found, day)})


@require_safe
@metered
def modifier(request: HttpRequest, system: str, code: str) -> HttpResponse:
    return _code_response(request, system, code, is_modifier=True)


@require_safe
def modifier_list(request: HttpRequest, system: str) -> HttpResponse:
    modifiers = Code.objects.filter(system=system, kind=Kind.MODIFIER).order_by("deleted", "code")
    return render(request, "codes/modifier_list.html", {"modifiers": modifiers, "system": system})


@require_safe
def browse(request: HttpRequest, system: str) -> HttpResponse:
    roots = Code.objects.filter(system=system, parent__isnull=True, kind__in=BROWSE_KINDS).order_by("sort_key", "code")
    context = {
        "system": system,
        "system_label": System(system).label,
        "blurb": SYSTEM_BLURBS[System(system)],
        "nodes": roots,
        "canonical_url": settings.SITE_ROOT + reverse("codes:browse", args=[system]),
    }
    return render(request, "codes/browse.html", context)


@require_safe
def browse_node(request: HttpRequest, system: str, code: str) -> HttpResponse:
    try:
        node = _find(system, code)
    except Http404:
        return _not_found(request, system, code)
    if node.kind not in BROWSE_KINDS or node.code != code:
        return redirect(node.get_absolute_url(), permanent=True)
    ancestors = sorted(Code.objects.filter(pk__in=node.lineage), key=lambda a: node.lineage.index(a.pk))
    children = Paginator(node.children.order_by("sort_key", "code"), 200).get_page(request.GET.get("page"))
    # A chapter's blocks are indented under the blocks whose range holds them, as in the book.
    tree = browse_tree.nest(list(children)) if node.kind == Kind.CHAPTER else None
    context = {
        "system": system,
        "system_label": System(system).label,
        "node": node,
        "ancestors": ancestors,
        "children": children,
        "tree": tree,
        "canonical_url": settings.SITE_ROOT + node.get_absolute_url(),
    }
    return render(request, "codes/browse_node.html", context)


@require_safe
@api_auth
@metered
def api_code(request: HttpRequest, system: str, code: str) -> JsonResponse:
    if system not in System.values:
        return JsonResponse({"error": f"Unknown code system {system!r}.", "systems": System.values}, status=404)
    try:
        found = _find(system, code)
    except Http404:
        matches = [c.code for c in _close_matches(system, compact_code(code)[:16], limit=5)]
        return JsonResponse(
            {"error": f"No {System(system).label} code {code[:40]!r}.", "close_matches": matches}, status=404
        )
    quota = request.quota
    if not CodeView.objects.spend(quota, found):
        return JsonResponse(_api_refusal(found, quota), status=403)
    if quota.locks_sections:
        # A guest gets what the guest page shows: the descriptions and the hierarchy.
        payload = _code_payload(found, ancestors=sections.ancestors(found), plain=found.published_plain, sections=[])
        del payload["data"], payload["related"]
        payload["locked"] = "Create a free account to unlock notes, edits, fee schedule data and related codes."
        return JsonResponse(payload)
    payload = _code_context(found)["payload"]()
    if "date" in request.GET:
        try:
            payload["as_of"] = asof.as_of(found, asof.parse(request.GET["date"]))
        except asof.BadDate as error:
            return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(payload)


def _api_refusal(code: Code, quota) -> dict:
    if quota.is_guest:
        advice = (
            f"Guests may open {quota.guest_views} code page a month; register a free account to get "
            f"{quota.free_extra_views} more views, or use an API token from a Pro account."
        )
    elif quota.plan == "free" and not quota.verified:
        advice = f"Verify your email address to get {quota.free_extra_views} more views."
    else:
        advice = "Upgrade to Pro for unlimited views."
    return {
        "error": f"No code page views left this month ({quota.plan_label} plan). {advice}",
        "code": code.code,
        "title": code.title or code.short_title,
        "hierarchy": [{"code": a.code, "kind": a.kind, "title": a.title} for a in sections.ancestors(code)],
        "quota": {"plan": quota.plan, "remaining": 0, "renews": quota.renews.isoformat()},
        "pricing": settings.SITE_ROOT + reverse("pricing"),
    }


@require_safe
def data_sources(request: HttpRequest) -> HttpResponse:
    releases = Release.objects.order_by("dataset", "-effective_date")
    return render(request, "codes/data_sources.html", {"releases": releases})
