"""Sitemaps: every code page, the browse pages, and (added in codingahead/urls.py) jobs and guides.

A code section lists up to 10,000 pages (~930 KB, most of a second to build): it is cached per
data version (codes/pagecache.py), so it is built once per import, and the views are rate-limited
per address like every page that costs work. The small sections (jobs, guides) change without an
import and are built on each request.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe
from django_ratelimit.decorators import ratelimit

from . import pagecache
from .models import BROWSE_KINDS, Code, GuidelineSection, IndexTerm, System

# Crawlers fetch a sitemap index and its sections a few times a day.
SITEMAP_RATE = "60/m"


def _rate(group: str, request: HttpRequest) -> str:
    return SITEMAP_RATE  # read on each request (tests lower it)


class CodeSitemap(Sitemap):
    """Every code page of one system (headers included: they have pages too)."""

    limit = 10000
    changefreq = "monthly"

    def __init__(self, system: str):
        self.system = system

    def items(self):
        # From the primary: a section is cached under the data version, which a replica that
        # has not yet replayed an import would pair with the old rows.
        return (
            Code.objects.using("default")
            .filter(system=self.system)
            .exclude(kind__in=BROWSE_KINDS)
            .only("system", "code", "kind")
            .order_by("pk")
        )


class BrowseSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Code.objects.using("default").filter(kind__in=BROWSE_KINDS).only("system", "code", "kind").order_by("pk")


class IndexTermSitemap(Sitemap):
    """The main terms of the Alphabetic Index (a page each)."""

    limit = 10000
    changefreq = "yearly"

    def items(self):
        return (
            IndexTerm.objects.main_index().filter(level=0).only("index", "letter", "slug", "main").order_by("position")
        )


class GuidelineSitemap(Sitemap):
    changefreq = "yearly"

    def items(self):
        return GuidelineSection.objects.only("system", "number").order_by("system", "position")


SITEMAPS = {system.value: CodeSitemap(system.value) for system in System}
SITEMAPS["browse"] = BrowseSitemap()
SITEMAPS["index"] = IndexTermSitemap()
SITEMAPS["guidelines"] = GuidelineSitemap()


@require_safe
@ratelimit(group="sitemaps", key="ip", rate=_rate, block=True)
def index(request: HttpRequest, sitemaps: dict) -> HttpResponse:
    return sitemap_views.index(request, sitemaps, sitemap_url_name="django.contrib.sitemaps.views.sitemap")


@require_safe
@ratelimit(group="sitemaps", key="ip", rate=_rate, block=True)
def section(request: HttpRequest, sitemaps: dict, section: str) -> HttpResponse:
    """One section; a code section from the cache when it was built for the current data version."""
    if not isinstance(sitemaps.get(section), CodeSitemap | BrowseSitemap) or settings.CODE_CACHE_SECONDS <= 0:
        return sitemap_views.sitemap(request, sitemaps, section)
    key = f"sitemap:{pagecache.data_version()}:{section}:{request.GET.get('p', '1')[:8]}"
    content = cache.get(key)
    if content is None:
        response = sitemap_views.sitemap(request, sitemaps, section)
        response.render()
        if response.status_code != 200:
            return response
        content = response.content
        cache.set(key, content, settings.CODE_CACHE_SECONDS)
    response = HttpResponse(content, content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response
