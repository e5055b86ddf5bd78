from django.contrib.sitemaps import Sitemap

from .models import BROWSE_KINDS, Code, System


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


SITEMAPS = {system.value: CodeSitemap(system.value) for system in System}
SITEMAPS["browse"] = BrowseSitemap()
