"""Every URL pattern of the site as a concrete path, for tests that must cover all of them."""

from django.contrib.admindocs.views import extract_views_from_urlpatterns, simplify_regex
from django.urls import get_resolver

# Sample values for the URL parameters; the objects need not exist for every test.
SAMPLES = {
    "system": "icd-10-cm",
    "code": "E11.9",
    "index": "neoplasms",
    "section": "codes",
    "slug": "sample",
    "token": "sample",
    "key": "sample",
    "uidb36": "1",
}


def _fill(pattern: str) -> str:
    path = pattern
    for part in path.split("<")[1:]:
        name = part.split(">")[0]
        short = name.split(":")[-1]
        value = "1" if short in {"pk", "token_id"} or name.startswith("int:") else SAMPLES.get(short, "sample")
        if short == "system" and "/modifiers/" in pattern:
            value = "hcpcs"  # the modifier pages exist for HCPCS only
        path = path.replace(f"<{name}>", value, 1)
    return path


def site_routes() -> list[tuple[str, str, object]]:
    """(path, URL name, view) for every pattern outside the admin."""
    routes = []
    for view, regex, _namespace, name in extract_views_from_urlpatterns(get_resolver().url_patterns):
        pattern = simplify_regex(regex)
        if pattern.startswith("/admin/"):
            continue
        routes.append((_fill(pattern), name or "", view))
    return routes
