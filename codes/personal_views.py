"""A signed-in user's own data on a code: the star, the private note, and the CSV of both with the
codes they viewed. The URLs stay under /accounts/ (they are the user's); codes owns the data."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from . import personal
from .forms import NoteForm
from .models import Code


def _code_or_404(system: str, code: str) -> Code:
    return get_object_or_404(Code, system=system, code=code)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request: HttpRequest, fallback: str) -> str:
    """Where to return after a form on another page: its `next` field, if it is one of ours."""
    url = request.POST.get("next", "")
    # A path on this site only: redirect() would try to reverse a bare word like "home" (a 500).
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return fallback


@require_POST
@login_required
@ratelimit(key="user", rate="60/m", block=True)
def favourite(request: HttpRequest, system: str, code: str) -> HttpResponse:
    """Star or unstar a code (`favourite=on|off`). JSON for the page's script, a redirect otherwise."""
    found = _code_or_404(system, code)
    on = personal.set_favourite(user=request.user, code=found, on=request.POST.get("favourite") == "on")
    if _wants_json(request):
        return JsonResponse({"favourite": on, "code": found.code})
    messages.success(request, f"{found.code} {'added to' if on else 'removed from'} your favourites.")
    return redirect(_back(request, found.get_absolute_url()))


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="user", rate="60/m", method="POST", block=True)
def note(request: HttpRequest, system: str, code: str) -> HttpResponse:
    """The user's private note on a code: the code page's form posts here; GET shows the form alone."""
    found = _code_or_404(system, code)
    if request.method == "POST":
        form = NoteForm(request.POST)
        if form.is_valid():
            saved = personal.save_note(user=request.user, code=found, text=form.cleaned_data["text"])
            if _wants_json(request):
                return JsonResponse({"saved": saved is not None, "code": found.code})
            messages.success(request, f"Your note on {found.code} is {'saved' if saved else 'deleted'}.")
            return redirect(_back(request, found.get_absolute_url()))
        if _wants_json(request):
            return JsonResponse({"error": " ".join(form.errors["text"])}, status=400)
        return render(request, "codes/note.html", {"code": found, "form": form}, status=400)
    state = personal.code_state(user=request.user, code=found)
    return render(request, "codes/note.html", {"code": found, "form": NoteForm(initial={"text": state["note"]})})


@never_cache
@login_required
@require_safe
@ratelimit(key="user", rate="10/m", block=True)
def export(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(personal.export_csv(request.user), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{settings.SITE_NAME}-codes.csv"'
    return response
