from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from accounts import views as accounts_views
from codes.sitemaps import SITEMAPS
from codingahead.health import healthz
from jobs.sitemaps import OpenJobSitemap

SITEMAPS["jobs"] = OpenJobSitemap()  # open jobs only; closed and expired ones leave it

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("pricing/", accounts_views.pricing, name="pricing"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap_index"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("", include("casepilot.urls")),
    path("", include("jobs.urls")),
    path("", include("codes.urls")),
]
