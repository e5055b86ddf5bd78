from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from codingahead.lib.mail import queue_email

from . import privacy
from .forms import DeleteAccountForm, ProfileForm, ProRequestForm, TokenForm
from .models import ApiToken, Profile
from .quota import plan_for
from .tokens import can_use_tokens

MAX_TOKENS = 20
PLAN_LABELS = {"guest": "Guest", "free": "Free", "pro": "Pro", "staff": "Staff"}


def _tell_staff(pro_request) -> None:
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    recipients = sorted(staff.values_list("email", flat=True))
    if not recipients:
        return  # the row is in the admin all the same
    queue_email(
        subject=f"[{settings.SITE_NAME}] Pro request: {pro_request.name} ({pro_request.seats} seat(s))",
        body=(
            f"{pro_request.name} <{pro_request.email}> asks for Pro.\n"
            f"Organisation: {pro_request.organisation or '-'}\nSeats: {pro_request.seats}\n\n{pro_request.message}\n\n"
            f"Work it in the admin: {settings.SITE_ROOT}{reverse('admin:accounts_prorequest_change', args=[pro_request.pk])}"
        ),
        to=recipients,
        reply_to=[pro_request.email],
    )


def _home_context(request: HttpRequest, **extra) -> dict:
    user = request.user
    profile, _ = Profile.objects.get_or_create(user=user)
    plan = plan_for(user)
    context = {
        "profile": profile,
        "profile_form": ProfileForm(instance=profile),
        "emails": EmailAddress.objects.filter(user=user).order_by("-primary", "email"),
        "plan": plan,
        "plan_label": PLAN_LABELS.get(plan, plan.title()),
        "quota": getattr(request, "quota", None),
        "can_use_tokens": can_use_tokens(user),
        "tokens": ApiToken.objects.filter(user=user),
        "token_form": TokenForm(),
    }
    context.update(extra)
    return context


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="user", rate="30/m", method="POST", block=True)
def home(request: HttpRequest) -> HttpResponse:
    """The account page: profile (editable here), email, plan, API tokens, favourites, notes, history."""
    if request.method == "POST":
        profile, _ = Profile.objects.get_or_create(user=request.user)
        form = ProfileForm(request.POST, instance=profile)
        if form.is_valid():
            form.save()
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:home")
        return render(request, "accounts/home.html", _home_context(request, profile_form=form), status=400)
    return render(request, "accounts/home.html", _home_context(request))


@never_cache
@require_POST
@login_required
@ratelimit(key="user", rate="20/h", block=True)
def create_token(request: HttpRequest) -> HttpResponse:
    if not can_use_tokens(request.user):
        return HttpResponseForbidden("Personal API tokens come with the Pro plan.")
    form = TokenForm(request.POST)
    if form.is_valid() and ApiToken.objects.filter(user=request.user).count() >= MAX_TOKENS:
        form.add_error(None, f"You have {MAX_TOKENS} tokens, the most an account can hold. Revoke one first.")
    if not form.is_valid():
        return render(request, "accounts/home.html", _home_context(request, token_form=form), status=400)
    token, secret = ApiToken.issue(user=request.user, name=form.cleaned_data["name"])
    # The secret is shown in this response only: it is not stored, and not put in a message
    # (messages can live in a cookie).
    return render(request, "accounts/home.html", _home_context(request, new_token=token, new_secret=secret))


@require_POST
@login_required
@ratelimit(key="user", rate="30/m", block=True)
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token.delete()
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("accounts:home")


@never_cache
@login_required
@require_safe
@ratelimit(key="user", rate="5/m", block=True)
def export_json(request: HttpRequest) -> HttpResponse:
    """Everything the site holds about the user, as one JSON download (accounts/privacy.py)."""
    response = JsonResponse(privacy.export_data(request.user), json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{settings.SITE_NAME}-my-data.json"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="user", rate="5/m", method="POST", block=True)
def delete_account(request: HttpRequest) -> HttpResponse:
    """Delete the account and everything personal hanging off it, after the password is confirmed.

    What goes and what stays is `accounts.privacy.erase()`: everything the user made or that is
    about them is deleted (job postings, live ones too; consultations with their mail; usage
    counters; sessions); reports they made on others' postings and replies they wrote as a
    consultant stay, with the author removed.
    """
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        privacy.erase(user)
        messages.success(request, "Your account and its personal data are deleted.")
        return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/delete.html", {"form": form}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate="5/h", method="POST", block=True)
def pricing(request: HttpRequest) -> HttpResponse:
    """What each plan gets, and, until online payment exists, a form that asks staff for Pro."""
    if request.method == "POST":
        form = ProRequestForm(request.POST)
        if form.is_valid():
            pro_request = form.save()
            _tell_staff(pro_request)
            messages.success(request, "Thank you: we have your request and will answer you by email.")
            return redirect(reverse("pricing") + "#pro-request")
    else:
        initial = {"email": request.user.email} if request.user.is_authenticated else {}
        form = ProRequestForm(initial=initial)
    return render(request, "accounts/pricing.html", {"canonical_url": settings.SITE_ROOT + request.path, "form": form})
