"""The claim check: the page (/claim-check/), its CSV batch, saved claims and the API
(POST /api/v1/claim-check). The rules are in codes/claims/; this module only reads requests,
counts them against the visitor's daily allowance ("claim_checks" in PLANS) and answers.
Per client address, checks are also rate-limited like searches."""

from __future__ import annotations

import json
from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.core import is_ratelimited

from accounts import quota
from accounts.tokens import api_auth
from codes import claims
from codes.claims import batch as claim_batch
from codes.claims.demographics import MCE_EDITS_LACKING
from codes.claims.forms import BatchForm, ClaimForm, SaveForm
from codes.models import SavedClaim
from codes.models.claims import MAX_SAVED
from codingahead.lib.ratelimits import too_many

CLAIM_CHECK_RATE = "30/m"  # per client address, every way in: page, batch and API
METER = "claim_checks"


def _limited(request: HttpRequest) -> bool:
    return is_ratelimited(
        request, group="claim-check", key="ip", rate=CLAIM_CHECK_RATE, method=is_ratelimited.ALL, increment=True
    )


def _refusal(spent: quota.Spent) -> str:
    if spent.plan == "guest":
        return (
            f"You have run the {spent.allowance} claim checks a guest may run today. Sign in or create a free "
            "account to run more; the allowance starts over tomorrow (UTC)."
        )
    return f"You have run the {spent.allowance} claim checks your {spent.plan} plan allows today (UTC)."


def _spend(request: HttpRequest, count: int = 1) -> quota.Spent:
    """Count `count` checks, all or none: a batch needing more than is left is refused whole."""
    meter = quota.for_request(request)
    spent = meter.look(METER)
    if spent.remaining is not None and spent.remaining < count:
        return quota.Spent(**{**asdict(spent), "allowed": False})
    for _ in range(count if spent.allowance is not None else 1):
        spent = meter.spend(METER)
        if not spent.allowed:
            break
    return spent


def _page(request: HttpRequest, form: ClaimForm, *, result=None, status: int = 200, extra_rows: int = 2, saved=None):
    context = {
        "saved": saved,
        "form": form,
        "diagnoses": form.shown_diagnoses(),
        "rows": form.shown_rows(extra_rows),
        "result": result,
        "rules": claims.RULES.values(),
        "mce_lacking": MCE_EDITS_LACKING,
        "remaining": quota.for_request(request).look(METER),
    }
    return render(request, "codes/claims/check.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def claim_check(request: HttpRequest) -> HttpResponse:
    """The form; POSTed, the findings (or, by the button pressed, more rows, the CSV, the printable view, a save)."""
    if request.method != "POST":
        return _page(request, ClaimForm())
    form = ClaimForm.from_post(request.POST)
    action = request.POST.get("action", "check")
    if action == "more":
        return _page(request, form, extra_rows=5)
    if _limited(request):
        return too_many(request, rate=CLAIM_CHECK_RATE)
    try:
        claim = claims.parse(form.request())
    except claims.ClaimError as bad:
        form.refuse(bad.errors)
        return _page(request, form, status=400)
    if action == "save":
        return _save(request, claim)
    spent = _spend(request)
    if not spent.allowed:
        return too_many(request, retry_after=spent.retry_after, message=_refusal(spent), as_json=False)
    result = claims.check(claim)
    if action == "csv":
        response = HttpResponse(claim_batch.findings_csv([("claim", result)]), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="claim-check.csv"'
        return response
    if action == "print":
        return render(request, "codes/claims/print.html", {"result": result, "claim": claim})
    return _page(request, form, result=result)


def _save(request: HttpRequest, claim: claims.Claim) -> HttpResponse:
    if not request.user.is_authenticated:
        return HttpResponse("Sign in to save claims.", status=403, content_type="text/plain")
    name_form = SaveForm({"name": request.POST.get("name", "")})
    name = name_form.cleaned_data["name"] if name_form.is_valid() else ""
    if SavedClaim.objects.filter(user=request.user).count() >= MAX_SAVED:
        return HttpResponse(
            f"You have {MAX_SAVED} saved claims: delete some first.", status=409, content_type="text/plain"
        )
    saved = SavedClaim.objects.create(
        user=request.user,
        name=name or f"Claim of {claim.date_of_service.isoformat()} ({', '.join(li.code for li in claim.lines)})"[:100],
        claim=claim.as_json(),
    )
    messages.success(request, f"Saved “{saved.name}”.")
    return redirect(saved)


@require_safe
@login_required
def saved_claims(request: HttpRequest) -> HttpResponse:
    return render(request, "codes/claims/saved.html", {"saved": SavedClaim.objects.filter(user=request.user)})


@require_safe
@login_required
def saved_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """A saved claim back in the form, ready to check again (against the data loaded today)."""
    saved = get_object_or_404(SavedClaim, pk=pk, user=request.user)
    return _page(request, ClaimForm.from_claim(saved.claim), saved=saved)


@require_POST
@login_required
def delete_saved_claim(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedClaim, pk=pk, user=request.user)
    saved.delete()
    messages.success(request, f"Deleted “{saved.name}”.")
    return redirect("codes:saved_claims")


@require_http_methods(["GET", "HEAD", "POST"])
def claim_batch_page(request: HttpRequest) -> HttpResponse:
    """Upload a CSV of service lines, get a CSV of findings (one check counted per claim)."""
    context = {"columns": claim_batch.COLUMNS, "max_rows": claim_batch.MAX_ROWS}
    if request.method != "POST":
        return render(request, "codes/claims/batch.html", {**context, "form": BatchForm()})
    if _limited(request):
        return too_many(request, rate=CLAIM_CHECK_RATE)
    form = BatchForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "codes/claims/batch.html", {**context, "form": form}, status=400)
    try:
        batch = claim_batch.read(form.cleaned_data["file"])
    except claim_batch.BatchError as bad:
        return render(
            request, "codes/claims/batch.html", {**context, "form": form, "problems": bad.messages}, status=400
        )
    spent = _spend(request, len(batch))
    if not spent.allowed:
        message = (
            f"This file holds {len(batch)} claims; your plan allows {spent.remaining or 0} more checks today. "
            + _refusal(spent)
        )
        return too_many(request, retry_after=spent.retry_after, message=message, as_json=False)
    results = claims.check_many([item.claim for item in batch])
    body = claim_batch.findings_csv([(item.claim_id, result) for item, result in zip(batch, results, strict=True)])
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="claim-check-findings.csv"'
    return response


@require_safe
def claim_batch_sample(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(claim_batch.SAMPLE, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="claim-check-sample.csv"'
    return response


@csrf_exempt
@require_http_methods(["POST"])
@api_auth  # a personal API token (Pro, staff) checks as its owner, on its owner's plan
def api_claim_check(request: HttpRequest) -> JsonResponse:
    """POST a claim -> {"findings": [...], "checked": {rule id: count}} (the request shape: codes/claims/claim.py)."""
    # CSRF-exempt for token clients: only a JSON body is accepted, which a cross-site form cannot send.
    if request.content_type != "application/json":
        return JsonResponse({"error": "Send the claim as JSON (Content-Type: application/json)."}, status=415)
    if _limited(request):
        return too_many(request, rate=CLAIM_CHECK_RATE, as_json=True)
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "The body is not JSON."}, status=400)
    try:
        claim = claims.parse(body)
    except claims.ClaimError as bad:
        return JsonResponse({"error": "The claim has errors.", "errors": bad.errors}, status=400)
    spent = _spend(request)
    if not spent.allowed:
        return too_many(request, retry_after=spent.retry_after, message=_refusal(spent), as_json=True)
    return JsonResponse(claims.check(claim).as_json(), json_dumps_params={"ensure_ascii": False})
