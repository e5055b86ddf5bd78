from django.contrib.sitemaps import Sitemap

from .models import BROWSE_KINDS, Code, GuidelineSection, IndexTerm, System


class CodeSitemap(Sitemap):
    """Every code page of one system (headers included: they have pages too)."""

    limit = 10000
    changefreq = "monthly"

    def __init__(self, system: str):
        self.system = system

    def items(self):
        return (
            Code.objects.filter(system=self.system)
            .exclude(kind__in=BROWSE_KINDS)
            .only("system", "code", "kind")
            .order_by("pk")
        )


class BrowseSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Code.objects.filter(kind__in=BROWSE_KINDS).only("system", "code", "kind").order_by("pk")


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
