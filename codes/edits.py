"""NCCI procedure-to-procedure edits of one code: the queries the code page's NCCI section
uses, and the paginated list of every edit (`codes:ptp_edits`).

A code can be column 1 or column 2 of thousands of edits, so counts are grouped queries on
the (column, setting, other column) indexes, and lists are sliced or paginated.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from accounts.middleware import metered
from accounts.quota import paywall_json_ld
from codes.importers.cpt_codes import is_cpt
from codes.models import Code, CodeView, PlainDescription, PtpEdit, Release, Setting, System

PTP_SETTINGS = {
    Setting.PRACTITIONER: "Practitioner",
    Setting.OUTPATIENT: "Outpatient hospital",
}
ROLES = {
    "column1": "Column 1 (this code is paid; the other code is not)",
    "column2": "Column 2 (this code is not paid with the other code)",
}
STATUSES = {"in_effect": "In effect", "deleted": "Deleted", "all": "All"}
PER_PAGE = 100


def system_of(code: str) -> str:
    """The system whose page shows a code named in a CMS file: CPT-shaped or HCPCS Level II."""
    return System.CPT if is_cpt(code) else System.HCPCS


def other_column(role: str) -> str:
    return "column2" if role == "column1" else "column1"


def edits_of(code: str, *, role: str, setting: str, status: str = "all") -> QuerySet:
    """PTP edits where `code` plays `role`, by the other code: the order of the
    (column, setting, other column) index, so a page or a slice reads only its rows."""
    edits = PtpEdit.objects.filter(**{role: code}, setting=setting)
    if status == "in_effect":
        edits = edits.filter(deletion_date__isnull=True)
    elif status == "deleted":
        edits = edits.filter(deletion_date__isnull=False)
    return edits.order_by(other_column(role), "pk")


def first_edits(code: str, *, role: str, setting: str, counts: dict[str, int], limit: int) -> list[PtpEdit]:
    """The first `limit` edits, those in effect before deleted ones, without sorting
    every edit of the code (some codes have more than 10,000)."""
    edits = list(edits_of(code, role=role, setting=setting, status="in_effect")[:limit]) if counts["in_effect"] else []
    if len(edits) < limit and counts["deleted"]:
        edits += list(edits_of(code, role=role, setting=setting, status="deleted")[: limit - len(edits)])
    return edits


def counts_of(code: str) -> dict[str, dict[str, dict[str, int]]]:
    """{role: {setting: {"in_effect": n, "deleted": n}}} in two grouped queries."""
    counts = {role: {setting: {"in_effect": 0, "deleted": 0} for setting in PTP_SETTINGS} for role in ROLES}
    for role in ROLES:
        rows = (
            PtpEdit.objects.filter(**{role: code})
            .values_list("setting")
            .annotate(
                # Count an indexed column, not the id: PostgreSQL then answers from the
                # (column, setting, deletion_date) index alone, 15x faster on busy codes.
                in_effect=Count("setting", filter=Q(deletion_date__isnull=True)),
                deleted=Count("setting", filter=Q(deletion_date__isnull=False)),
            )
            .order_by()
        )
        for setting, in_effect, deleted in rows:
            if setting in counts[role]:
                counts[role][setting] = {"in_effect": in_effect, "deleted": deleted}
    return counts


def edit_row(edit: PtpEdit, *, role: str, titles: dict[str, str] | None = None) -> dict:
    other = getattr(edit, other_column(role))
    return {
        "code": other,
        "title": (titles or {}).get(other, ""),
        "url": reverse("codes:code", args=[system_of(other), other]),
        "deleted": edit.deletion_date is not None,
        "deletion_date": edit.deletion_date.isoformat() if edit.deletion_date else None,
        "modifier_indicator": edit.modifier_indicator,
        "modifier_meaning": edit.modifier_meaning,
        "rationale": edit.rationale,
    }


def titles_of(codes) -> dict[str, str]:
    """Titles of the other codes of a page of edits: the official title, else (a CPT code without
    the licensed descriptor) our editors' short title, as `Code.display_title` gives a page."""
    codes = set(codes)
    if not codes:
        return {}
    titles = dict(
        Code.objects.filter(system__in=[System.CPT, System.HCPCS], code__in=codes)
        .exclude(title="")
        .values_list("code", "title")
    )
    if untitled := codes - titles.keys():
        titles.update(
            PlainDescription.objects.filter(
                system=System.CPT, code__in=untitled, status=PlainDescription.Status.PUBLISHED
            )
            .exclude(short_title="")
            .values_list("code", "short_title")
        )
    return titles


def _choice(request: HttpRequest, name: str, choices, default: str) -> str:
    value = request.GET.get(name, default)
    return value if value in choices else default


def _locked_edits(request: HttpRequest, *, system: str, code: str, code_row: Code | None, gated: bool) -> HttpResponse:
    """What a visitor whose plan does not open the edits sees: the code, and why (200, paywall markup)."""
    url = settings.SITE_ROOT + reverse("codes:ptp_edits", args=[system, code])
    context = {
        "system": system,
        "system_label": System(system).label,
        "code": code,
        "code_row": code_row,
        "code_url": reverse("codes:code", args=[system, code]),
        "quota": request.quota,
        "gated": gated,
        "locked_sections": [f"NCCI procedure-to-procedure edits for {code}"],
        "paywall_json_ld": paywall_json_ld(name=f"NCCI PTP edits for {code}", url=url),
    }
    return render(request, "codes/ptp_edits_locked.html", context)


@require_safe
@metered
def ptp_edits(request: HttpRequest, system: str, code: str) -> HttpResponse:
    """Every PTP edit of a code. Metered like the code's page: one view of the code opens its page and
    its edit pages (a code opened this month is free); a guest sees them locked, as on the code page."""
    if system not in (System.CPT, System.HCPCS):
        raise Http404("PTP edits exist for CPT and HCPCS codes only")
    code = code.strip().upper()
    if len(code) != 5:
        raise Http404("Not a CPT or HCPCS code")
    # Unknown values fall back to the defaults rather than failing.
    role = _choice(request, "role", ROLES, "column1")
    setting = _choice(request, "setting", PTP_SETTINGS, Setting.PRACTITIONER)
    status = _choice(request, "status", STATUSES, "in_effect")

    code_row = Code.objects.filter(system=system, code=code).first()
    counts = counts_of(code)
    total = sum(n for settings in counts.values() for pair in settings.values() for n in pair.values())
    if code_row is None and not total:
        raise Http404("No such code")
    quota = request.quota
    if quota.locks_sections:
        # A guest sees edits locked, as on the code page; at the gate when their views are gone
        # (no view is spent on a page that would show nothing).
        gated = code_row is not None and quota.remaining == 0 and not CodeView.objects.seen(quota, code_row)
        return _locked_edits(request, system=system, code=code, code_row=code_row, gated=gated)
    if code_row is None and not quota.unlimited:
        # A code with edits but no page of its own (known only from the NCCI file) has no view to
        # spend: its edits are for the unlimited plans.
        return _locked_edits(request, system=system, code=code, code_row=code_row, gated=False)
    if code_row is not None and not CodeView.objects.spend(quota, code_row):
        return _locked_edits(request, system=system, code=code, code_row=code_row, gated=True)

    paginator = Paginator(edits_of(code, role=role, setting=setting, status=status), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))  # bad or out-of-range pages: first/last page
    edits = list(page.object_list)
    titles = titles_of(getattr(edit, other_column(role)) for edit in edits)
    release = Release.objects.filter(dataset=f"ncci-ptp-{setting}").order_by("-effective_date").first()

    base_url = reverse("codes:ptp_edits", args=[system, code])
    tabs = [
        {
            "role": r,
            "setting": s,
            "label": f"{'Column 1' if r == 'column1' else 'Column 2'}, {label}",
            "count": counts[r][s]["in_effect"] + counts[r][s]["deleted"],
            "in_effect": counts[r][s]["in_effect"],
            "url": f"{base_url}?role={r}&setting={s}",
            "current": (r, s) == (role, setting),
        }
        for r in ROLES
        for s, label in PTP_SETTINGS.items()
    ]
    return render(
        request,
        "codes/ptp_edits.html",
        {
            "system": system,
            "system_label": System(system).label,
            "code": code,
            "code_row": code_row,
            "code_url": reverse("codes:code", args=[system, code]),
            "role": role,
            "role_label": ROLES[role],
            "setting": setting,
            "setting_label": PTP_SETTINGS[setting],
            "status": status,
            "roles": ROLES,
            "settings": PTP_SETTINGS,
            "statuses": STATUSES,
            "tabs": tabs,
            "page": page,
            "rows": [edit_row(edit, role=role, titles=titles) for edit in edits],
            "query": f"role={role}&setting={setting}&status={status}",
            "release": release,
            "modifier_indicators": PtpEdit.MODIFIER_INDICATORS,
        },
    )
