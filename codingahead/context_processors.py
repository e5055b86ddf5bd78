from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    name: str
    descriptor: str
    url_name: str
    paths: tuple[str, ...]  # the path prefixes that belong to this part of the site


# The site's main navigation: each product with the descriptor the product page uses (the
# reference pages need none).
NAVIGATION = (
    NavItem("Case2Code", "Search and Code Lookup Tool", "codes:lookup", ("/lookup/", "/search/")),
    NavItem("Claim check", "NCCI, MUE and Code Edit Checker", "codes:claim_check", ("/claim-check/",)),
    NavItem("CasePilot", "Medical Coding Assistant", "casepilot:index", ("/casepilot/",)),
    NavItem("CaseConsultant", "Instant Email Coding Consultant", "casepilot:consultant", ("/consult/",)),
    NavItem("CareerCenter", "Medical Coding Job Board", "jobs:index", ("/jobs/",)),
    NavItem("Guides", "", "casepilot:guides", ("/guides/",)),
    NavItem("Pricing", "", "pricing", ("/pricing/",)),
)


def site(request):
    return {"SITE_NAME": settings.SITE_NAME, "SITE_ROOT": settings.SITE_ROOT}


def navigation(request):
    """The main navigation with the item for the page being read marked current."""
    path = request.path
    items = [
        {"item": item, "url": reverse(item.url_name), "current": path.startswith(item.paths)} for item in NAVIGATION
    ]
    return {"navigation": items}
