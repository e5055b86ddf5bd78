from django.contrib.sitemaps import Sitemap

from .models import Guide


class GuideSitemap(Sitemap):
    """The CasePilot guides under /guides/."""

    changefreq = "monthly"

    def items(self):
        return Guide.objects.only("slug", "updated").order_by("slug")

    def lastmod(self, guide: Guide):
        return guide.updated
