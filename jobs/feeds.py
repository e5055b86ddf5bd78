"""RSS and Atom feeds for any /jobs/ search: same query string, newest open jobs first."""

import re

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .forms import JobSearchForm
from .models import Job
from .views import _query_string, search_name

FEED_SIZE = 50
# Control characters XML 1.0 cannot carry: one in a search query or a posting would make the
# whole feed a 500 (UnserializableContentError), so they are dropped from every text in it.
XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(value):
    return XML_INVALID.sub("", value) if isinstance(value, str) else value


class JobsFeed(Feed):
    description_template = "jobs/feed_item.html"

    def get_feed(self, obj, request: HttpRequest):
        feed = super().get_feed(obj, request)
        feed.feed = {key: _xml_safe(value) for key, value in feed.feed.items()}
        feed.items = [{key: _xml_safe(value) for key, value in item.items()} for item in feed.items]
        return feed

    def get_object(self, request: HttpRequest) -> dict:
        return JobSearchForm(request.GET).filters()

    def title(self, filters: dict) -> str:
        return f"Coding jobs: {search_name(filters)}"

    def link(self, filters: dict) -> str:
        query = _query_string(filters)
        return reverse("jobs:index") + (f"?{query}" if query else "")

    def description(self, filters: dict) -> str:
        return "New medical coding, billing and auditing jobs matching this search."

    def items(self, filters: dict):
        return Job.objects.open().matching(filters).order_by("-published_at", "-pk")[:FEED_SIZE]

    def item_title(self, job: Job) -> str:
        return f"{job.title} - {job.employer_name} ({job.location_display})"

    def item_pubdate(self, job: Job):
        return job.published_at

    def item_updateddate(self, job: Job):
        return job.updated_at


class JobsAtomFeed(JobsFeed):
    feed_type = Atom1Feed
    subtitle = JobsFeed.description
