"""Saved-search email alerts: a digest of new matching jobs, each job sent once per saved search."""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from codingahead.lib.mail import queue_email

from .forms import JobSearchForm
from .models import Job, SavedSearch, SentAlert

UNSUBSCRIBE_SALT = "jobs.alerts.unsubscribe"
MAX_JOBS_PER_DIGEST = 50


def unsubscribe_url(search: SavedSearch) -> str:
    token = signing.dumps(search.pk, salt=UNSUBSCRIBE_SALT)
    return settings.SITE_ROOT + reverse("jobs:unsubscribe", args=[token])


def new_matches(search: SavedSearch) -> list[Job]:
    """Open jobs matching the search, published since it was saved and not sent to it before."""
    filters = JobSearchForm(QueryDict(search.query)).filters()
    return list(
        Job.objects.open()
        .matching(filters)
        .filter(published_at__gte=search.created_at)
        .exclude(pk__in=SentAlert.objects.filter(saved_search=search).values("job_id"))
        .order_by("-published_at", "-pk")[:MAX_JOBS_PER_DIGEST]
    )


def send_digest(*, search_id: int) -> int:
    """Queue the digest email for one saved search if it is due; returns how many jobs it lists.

    The search row is locked while the jobs are picked and recorded as sent, so two runs at
    once cannot send a job twice; the email task is stored in the same transaction.
    """
    with transaction.atomic():
        search = SavedSearch.objects.select_for_update().select_related("user").filter(pk=search_id).first()
        if search is None or not search.is_due() or not search.user.email:
            return 0
        jobs = new_matches(search)
        search.last_sent_at = timezone.now()
        search.save(update_fields=["last_sent_at"])
        if not jobs:
            return 0
        SentAlert.objects.bulk_create([SentAlert(saved_search=search, job=job) for job in jobs])
        unsubscribe = unsubscribe_url(search)
        ctx = {
            "search": search,
            "jobs": jobs,
            "site_root": settings.SITE_ROOT,
            "search_url": settings.SITE_ROOT + search.get_absolute_url(),
            "unsubscribe_url": unsubscribe,
            "manage_url": settings.SITE_ROOT + reverse("jobs:searches"),
        }
        count = len(jobs)
        queue_email(
            subject=f"{count} new job{'s' if count != 1 else ''}: {search.name}"[:200],
            body=render_to_string("jobs/email/digest.txt", ctx),
            html=render_to_string("jobs/email/digest.html", ctx),
            to=[search.user.email],
            headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        )
        return count


def due_searches() -> list[int]:
    now = timezone.now()
    return [s.pk for s in SavedSearch.objects.filter(active=True).order_by("pk") if s.is_due(now)]
