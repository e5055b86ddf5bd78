from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from accounts.credentials import Credential, Specialty
from codingahead.lib.ratelimits import too_many

from . import alerts
from .forms import DeleteSearchForm, JobForm, JobSearchForm, ReportForm, SaveSearchForm
from .models import STATE_NAMES, EmploymentType, Job, JobReport, SavedJob, SavedSearch, Workplace, WorkSetting
from .structured_data import as_script_json, job_posting

PAGE_SIZE = 20
LISTING_DEFERRED = ("description", "description_html", "search_document", "search_vector")
POST_RATE = "10/d"  # new postings submitted per employer per day
REPORT_RATE = "10/h"  # reports per visitor (IP address) per hour
SAVE_SEARCH_RATE = "30/h"
# Searching and listing: per address, generous for people, a wall for scrapers (counts in the cache).
SEARCH_RATE = "120/m"
TOO_MANY_POSTINGS = "You have sent too many job postings in a short time. Please try again later."
TOO_MANY_REPORTS = "You have sent too many reports in a short time. Please try again later."
TOO_MANY_SAVED_SEARCHES = "You have sent too many saved searches in a short time. Please try again later."


class _ApplyRedirect(HttpResponseRedirect):
    allowed_schemes = ["http", "https", "mailto"]


def _over_limit(request: HttpRequest, *, group: str, rate: str, key: str = "user") -> bool:
    """Count one use of a limited action, True when past the limit. Called only once the input
    is valid, so typos never lock anyone out. The counts live in the shared cache (all processes)."""
    return is_ratelimited(request, group=group, key=key, rate=rate, increment=True)


def _own_job(request: HttpRequest, pk: int) -> Job:
    return get_object_or_404(Job, pk=pk, owner=request.user)


def _query_string(filters: dict, **changes) -> str:
    """The filters as a query string, with `changes` applied (None removes a filter)."""
    params = {**filters, **changes}
    pairs = []
    for name in (*JobSearchForm.FILTERS, "sort"):
        value = params.get(name)
        if value in (None, "", [], False):
            continue
        if isinstance(value, list):
            pairs.extend((name, v) for v in value)
        else:
            pairs.append((name, "1" if value is True else str(value)))
    return urlencode(pairs)


def _link(filters: dict, **changes) -> str:
    qs = _query_string(filters, **changes)
    return reverse("jobs:index") + (f"?{qs}" if qs else "")


def _describe(filters: dict) -> list[tuple[str, str]]:
    """(filter name, human label) for each active filter: chips on the page, names of saved searches."""
    labels = {
        "setting": dict(WorkSetting.choices),
        "type": dict(EmploymentType.choices),
        "workplace": dict(Workplace.choices),
        "specialty": dict(Specialty.choices),
        "state": STATE_NAMES,
    }
    out = []
    for name, value in filters.items():
        if name == "q":
            out.append((name, f"“{value}”"))
        elif name == "credential":
            out.append((name, ", ".join(value)))
        elif name == "cpc_a":
            out.append((name, "CPC-A welcome"))
        elif name == "min_salary":
            out.append((name, f"${value:,}+ a year"))
        elif name == "posted":
            out.append((name, {"1": "Past 24 hours", "7": "Past week", "14": "Past 2 weeks"}.get(value, "Past month")))
        else:
            out.append((name, labels[name].get(value, value)))
    return out


def search_name(filters: dict) -> str:
    return "; ".join(label for _, label in _describe(filters)) or "All jobs"


def _facets(base, filters: dict) -> list[dict]:
    """Filter links with result counts. Each group counts over the other filters, so the
    numbers say what clicking the link would give; the links keep every other filter."""
    groups = []
    for name, field, choices, title in (
        ("workplace", "workplace", Workplace.choices, "Remote or on site"),
        ("setting", "work_setting", WorkSetting.choices, "Setting"),
        ("type", "employment_type", EmploymentType.choices, "Employment type"),
    ):
        others = {k: v for k, v in filters.items() if k != name}
        counts = dict(base.matching(others).order_by().values_list(field).annotate(n=Count("pk")))
        options = [
            {
                "label": label,
                "count": counts.get(value, 0),
                "url": _link(filters, **{name: None if filters.get(name) == value else value}),
                "active": filters.get(name) == value,
            }
            for value, label in choices
            if counts.get(value) or filters.get(name) == value
        ]
        groups.append({"title": title, "options": options})
    return groups


@require_safe
@ratelimit(group="jobs.search", key="ip", rate=SEARCH_RATE, block=True)
def index(request: HttpRequest) -> HttpResponse:
    form = JobSearchForm(request.GET)
    filters = form.filters()
    sort = form.sort_order() or ("relevance" if filters.get("q") else "newest")
    base = Job.objects.open()
    jobs = (
        base.matching(filters)
        .sorted_by(sort, has_query=bool(filters.get("q")))
        .defer(*LISTING_DEFERRED)  # cards show no description: leave the long text in TOAST
    )
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    chips = [{"label": label, "url": _link(filters, **{name: None})} for name, label in _describe(filters)]
    query = _query_string(filters)
    ctx = {
        "form": form,
        "page": page,
        "filters": filters,
        "chips": chips,
        "facets": _facets(base, filters),
        "sort": sort,
        "sort_links": [
            {"label": label, "url": _link(filters, sort=value), "active": value == sort}
            for value, label in (("newest", "Newest"), ("salary", "Highest salary"), ("relevance", "Best match"))
            if value != "relevance" or filters.get("q")
        ],
        "page_query": _query_string(filters, sort=sort if sort != "newest" else None),
        "query": query,
        "save_form": SaveSearchForm(),
        "search_name": search_name(filters),
        "rss_url": reverse("jobs:feed_rss") + (f"?{query}" if query else ""),
        "atom_url": reverse("jobs:feed_atom") + (f"?{query}" if query else ""),
        "canonical_url": request.build_absolute_uri(reverse("jobs:index")),
    }
    return render(request, "jobs/index.html", ctx)


@login_required
@require_safe
@ratelimit(group="jobs.search", key="user", rate=SEARCH_RATE, block=True)
def for_me(request: HttpRequest) -> HttpResponse:
    """Jobs for my credentials: /jobs/ with the filters pre-filled from the profile."""
    profile = getattr(request.user, "profile", None)
    credentials = [c for c in (getattr(profile, "credentials", None) or []) if c in Credential.values]
    if not credentials:
        messages.info(request, "Add your credentials to your profile to see the jobs that ask for them.")
        return redirect("jobs:index")
    return HttpResponseRedirect(_link({"credential": credentials}))


@require_safe
def detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    job = get_object_or_404(Job, pk=pk)
    is_owner = request.user.is_authenticated and job.owner_id == request.user.pk
    if job.status not in (Job.Status.LIVE, Job.Status.CLOSED) and not (is_owner or request.user.is_staff):
        raise Http404("No such job")
    if slug != job.slug:
        return redirect(job, permanent=True)
    if job.is_open and not is_owner:
        job.record_view()
    saved = request.user.is_authenticated and SavedJob.objects.filter(user=request.user, job=job).exists()
    ctx = {
        "job": job,
        "is_owner": is_owner,
        "saved": saved,
        "canonical_url": request.build_absolute_uri(job.get_absolute_url()),
        # Google asks for no JobPosting markup once a job stops taking applications.
        "json_ld": as_script_json(job_posting(job)) if job.is_open else "",
    }
    return render(request, "jobs/detail.html", ctx)


@require_safe
@ratelimit(key="ip", rate="30/m", block=True)  # each click is counted on the posting
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """Counts a click on the apply link, then sends the visitor to the employer."""
    job = get_object_or_404(Job, pk=pk)
    if not job.is_open:
        messages.info(request, "This job no longer accepts applications.")
        return redirect(job)
    job.record_apply_click()
    return _ApplyRedirect(job.apply_target)


@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=pk, status__in=[Job.Status.LIVE, Job.Status.CLOSED])
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _over_limit(request, group="jobs.report", rate=REPORT_RATE, key="ip"):
            return too_many(request, rate=REPORT_RATE, message=TOO_MANY_REPORTS)
        JobReport.objects.create(
            job=job,
            reporter=request.user if request.user.is_authenticated else None,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
        )
        messages.success(request, "Thank you: our staff will look at this posting.")
        return redirect(job)
    return render(request, "jobs/report.html", {"job": job, "form": form}, status=400 if form.errors else 200)


# ---- employers ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def post_job(request: HttpRequest) -> HttpResponse:
    form = JobForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _over_limit(request, group="jobs.post", rate=POST_RATE):
            return too_many(request, rate=POST_RATE, message=TOO_MANY_POSTINGS)
        job = form.save(commit=False)
        job.owner = request.user
        if "save_draft" in request.POST:
            job.status = Job.Status.DRAFT
            job.save()
            messages.success(request, "Draft saved.")
        else:
            job.submit()
            _say_where_it_went(request, job)
        return redirect("jobs:dashboard")
    return render(request, "jobs/form.html", {"form": form, "job": None}, status=400 if form.errors else 200)


def _say_where_it_went(request: HttpRequest, job: Job) -> None:
    if job.status == Job.Status.LIVE:
        messages.success(request, "Your job is live.")
    else:
        messages.info(request, "Thanks: your job will go live once our staff have reviewed it (usually within a day).")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="user", rate="30/m", method="POST", block=True)
def edit_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    if job.status == Job.Status.REJECTED:
        messages.error(request, "A rejected posting cannot be edited.")
        return redirect("jobs:dashboard")
    form = JobForm(request.POST or None, instance=job)
    if request.method == "POST" and form.is_valid():
        job = form.save(commit=False)
        if "save_draft" in request.POST and job.status == Job.Status.DRAFT:
            job.save()
            messages.success(request, "Draft saved.")
        elif job.status in (Job.Status.DRAFT, Job.Status.LIVE):
            # An edit can add what the scam checks look for, so a live job is checked again.
            job.submit()
            _say_where_it_went(request, job)
        else:
            job.save()
            messages.success(request, "Changes saved.")
        return redirect("jobs:dashboard")
    return render(request, "jobs/form.html", {"form": form, "job": job}, status=400 if form.errors else 200)


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    groups = {state: [] for state in ("draft", "pending", "live", "expired", "closed", "rejected")}
    for job in Job.objects.filter(owner=request.user).order_by("-created_at"):
        groups[job.dashboard_state].append(job)
    titles = {
        "draft": "Drafts",
        "pending": "Waiting for review",
        "live": "Live",
        "expired": "Expired",
        "closed": "Closed",
        "rejected": "Rejected",
    }
    sections = [{"key": key, "title": titles[key], "jobs": jobs} for key, jobs in groups.items()]
    return render(request, "jobs/dashboard.html", {"sections": sections})


@login_required
@require_POST
@ratelimit(key="user", rate="30/m", block=True)
def job_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    job = _own_job(request, pk)
    if action == "close" and job.status in (Job.Status.LIVE, Job.Status.PENDING):
        job.close()
        messages.success(request, f"“{job.title}” is closed.")
    elif action == "renew" and (job.is_expired or job.status in (Job.Status.LIVE, Job.Status.CLOSED)):
        if _over_limit(request, group="jobs.post", rate=POST_RATE):
            return too_many(request, rate=POST_RATE, message=TOO_MANY_POSTINGS)
        job.renew()
        messages.success(request, f"“{job.title}” now runs until {job.expires_on:%B %-d, %Y}.")
    elif action == "duplicate":
        if _over_limit(request, group="jobs.post", rate=POST_RATE):
            return too_many(request, rate=POST_RATE, message=TOO_MANY_POSTINGS)
        copy = job.duplicate()
        messages.success(request, "A copy was saved as a draft: edit it, then submit it.")
        return redirect("jobs:edit", pk=copy.pk)
    elif action == "submit" and job.status == Job.Status.DRAFT:
        if _over_limit(request, group="jobs.post", rate=POST_RATE):
            return too_many(request, rate=POST_RATE, message=TOO_MANY_POSTINGS)
        job.submit()
        _say_where_it_went(request, job)
    else:
        return HttpResponse("That action does not apply to this posting.", status=400)
    return redirect("jobs:dashboard")


# ---- staff review queue ---------------------------------------------------------------------


@staff_member_required
@require_safe
def review_queue(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.needing_review().select_related("owner").prefetch_related("reports").order_by("created_at")
    return render(request, "jobs/review.html", {"jobs": jobs})


@staff_member_required
@require_POST
def review_action(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=pk)
    action = request.POST.get("action")
    if action == "approve":
        job.approve(by=request.user)
        messages.success(request, f"Approved: {job.title}")
    elif action == "reject":
        job.reject(by=request.user)
        messages.success(request, f"Rejected: {job.title}")
    elif action == "dismiss":
        job.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
        messages.success(request, f"Reports dismissed: {job.title}")
    else:
        return HttpResponse("Unknown action.", status=400)
    return redirect("jobs:review")


# ---- coders: saved jobs, saved searches ------------------------------------------------------


@login_required
@require_POST
@ratelimit(key="user", rate="60/m", block=True)
def toggle_saved(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job, pk=pk, status__in=[Job.Status.LIVE, Job.Status.CLOSED])
    deleted, _ = SavedJob.objects.filter(user=request.user, job=job).delete()
    if not deleted:
        SavedJob.objects.get_or_create(user=request.user, job=job)
        messages.success(request, "Job saved.")
    else:
        messages.success(request, "Job removed from your saved jobs.")
    next_url = request.POST.get("next", "")
    # A path on this site only: redirect() would try to reverse a bare word like "home" (a 500).
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        next_url = job.get_absolute_url()
    return redirect(next_url)


@login_required
@require_safe
def saved_jobs(request: HttpRequest) -> HttpResponse:
    saved = SavedJob.objects.filter(user=request.user).select_related("job").order_by("-created_at")
    return render(request, "jobs/saved.html", {"saved": saved})


@login_required
@require_POST
def save_search(request: HttpRequest) -> HttpResponse:
    form = SaveSearchForm(request.POST)
    filters = JobSearchForm(QueryDict(request.POST.get("query", ""))).filters()
    if not form.is_valid():
        return HttpResponse("Choose daily or weekly.", status=400)
    if _over_limit(request, group="jobs.save_search", rate=SAVE_SEARCH_RATE):
        return too_many(request, rate=SAVE_SEARCH_RATE, message=TOO_MANY_SAVED_SEARCHES)
    query = _query_string(filters)
    SavedSearch.objects.update_or_create(
        user=request.user,
        query=query,
        defaults={"name": search_name(filters)[:200], "frequency": form.cleaned_data["frequency"], "active": True},
    )
    messages.success(request, f"Search saved: we will email you new matches {form.cleaned_data['frequency']}.")
    return redirect("jobs:searches")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="user", rate="30/m", method="POST", block=True)
def searches(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = DeleteSearchForm(request.POST, user=request.user)
        if not form.is_valid():
            return HttpResponse(form.errors["delete"][0], status=400, content_type="text/plain")
        form.cleaned_data["delete"].delete()
        messages.success(request, "Saved search deleted.")
        return redirect("jobs:searches")
    items = SavedSearch.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "jobs/searches.html", {"searches": items})


@csrf_exempt  # RFC 8058 one-click unsubscribe: mail clients POST without a CSRF token
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key="ip", rate="30/m", block=True)
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        pk = signing.loads(token, salt=alerts.UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return render(request, "jobs/unsubscribe.html", {"invalid": True}, status=400)
    search = SavedSearch.objects.filter(pk=pk).first()
    if request.method == "POST" and search is not None:
        search.active = False
        search.save(update_fields=["active"])
    # A GET only shows a button: link scanners in mail systems fetch links without asking.
    return render(request, "jobs/unsubscribe.html", {"search": search, "done": request.method == "POST"})
