from django.contrib.sitemaps import Sitemap

from .models import Job


class OpenJobSitemap(Sitemap):
    """Open jobs only: expired and closed ones keep their page but leave the sitemap."""

    changefreq = "daily"
    limit = 10000

    def items(self):
        return Job.objects.open().only("pk", "title", "employer_name", "updated_at").order_by("-published_at", "-pk")

    def lastmod(self, job: Job):
        return job.updated_at
