"""The site-wide pages that belong to no app: the home page and robots.txt. (GET /healthz is
codingahead/health.py, the OpenAPI description codingahead/openapi.py.)"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from codes.models import System
from codes.views import SYSTEM_BLURBS


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    systems = [{"slug": s.value, "label": s.label, "blurb": SYSTEM_BLURBS[s]} for s in System]
    return render(request, "home.html", {"systems": systems})


@require_safe
@cache_control(max_age=86400, public=True)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /accounts/",
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /lookup/",
        f"Sitemap: {settings.SITE_ROOT}{reverse('sitemap_index')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
