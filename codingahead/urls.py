from django.contrib import admin
from django.urls import include, path
from django_ratelimit.decorators import ratelimit

from accounts import views as accounts_views
from casepilot.sitemaps import GuideSitemap
from codes import sitemaps
from codes.sitemaps import SITEMAPS
from codingahead import views
from codingahead.health import healthz
from codingahead.openapi import openapi_json
from jobs.sitemaps import OpenJobSitemap

SITEMAPS["jobs"] = OpenJobSitemap()  # open jobs only; closed and expired ones leave it
SITEMAPS["guides"] = GuideSitemap()

# The admin login has its own limits, by client address and by the username tried (guessing one
# account's password from many addresses); past them, the site's 429 page (RATELIMIT_VIEW).
admin.site.login = ratelimit(key="ip", rate="20/m", method="POST", block=True)(
    ratelimit(key="post:username", rate="5/5m", method="POST", block=True)(admin.site.login)
)

urlpatterns = [
    path("", views.home, name="home"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("healthz", healthz, name="healthz"),
    path("api/v1/openapi.json", openapi_json, name="openapi"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("pricing/", accounts_views.pricing, name="pricing"),
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS}, name="sitemap_index"),
    # The name Django's sitemap index reverses for each section.
    path(
        "sitemap-<section>.xml", sitemaps.section, {"sitemaps": SITEMAPS}, name="django.contrib.sitemaps.views.sitemap"
    ),
    path("", include("casepilot.urls")),
    path("", include("jobs.urls")),
    path("", include("codes.urls")),
]

handler404 = "codingahead.errors.page_not_found"
handler403 = "codingahead.errors.permission_denied"
handler500 = "codingahead.errors.server_error"
