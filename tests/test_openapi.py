"""The OpenAPI description of /api/v1/ (codingahead/openapi.json) matches the API.

Schemathesis generates requests for every operation from the description (valid and invalid
input, bounded) and checks each answer against it: documented status, content type, headers and
body, and never a 500. A few codes exist so that lookups, searches and answers find something.
"""

import datetime
import json
import re
from io import StringIO
from pathlib import Path

import pytest
import schemathesis
from django.contrib.admindocs.views import extract_views_from_urlpatterns, simplify_regex
from django.core import signals
from django.core.cache import caches
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.urls import get_resolver
from hypothesis import HealthCheck, settings

from accounts.models import ApiToken
from codes import search_views
from codes.importers.base import CodeRow, register_release, sync_codes

DESCRIPTION = Path(__file__).resolve().parent.parent / "codingahead" / "openapi.json"

schema = schemathesis.openapi.from_dict(
    json.loads(DESCRIPTION.read_text()),
    # A code that is well formed but does not exist is a 404 by design, not a rejected valid input.
    config=schemathesis.config.SchemathesisConfig.from_dict(
        {
            # The same cases on every run, so the suite stays green or red for a reason.
            "seed": 20260101,
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "404"]}},
        }
    ),
)
_django = get_wsgi_application()


def _app(environ: dict, start_response):
    # Schemathesis's WSGI client sends no client address; every real server does (rate limits key on it).
    environ.setdefault("REMOTE_ADDR", "127.0.0.1")
    return _django(environ, start_response)


schema.app = _app


@pytest.fixture
def api_data(db, settings):
    """A few codes of two systems, and limits high enough that generated calls are not refused."""
    settings.CASEPILOT_RATE = "100000/m"
    settings.PLANS = {
        plan: {**a, "casepilot_questions_per_day": 100000, "claim_checks_per_day": 100000}
        for plan, a in settings.PLANS.items()
    }
    release = register_release(
        dataset="icd-10-cm", version="2026", title="ICD-10-CM FY2026", effective_date=datetime.date(2025, 10, 1)
    )
    rows = [
        CodeRow(code="4", title="Endocrine, nutritional and metabolic diseases (E00-E89)", kind="chapter"),
        CodeRow(code="E08-E13", title="Diabetes mellitus", kind="section", parent="4"),
        CodeRow(code="E11", title="Type 2 diabetes mellitus", kind="category", parent="E08-E13"),
        CodeRow(code="E11.9", title="Type 2 diabetes mellitus without complications", parent="E11", billable=True),
        CodeRow(code="E11.21", title="Type 2 diabetes mellitus with diabetic nephropathy", parent="E11", billable=True),
    ]
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=release, rows=rows)
    # The Alphabetic Index and the guidelines, from the importers' samples (their lookups find something).
    samples = Path(__file__).resolve().parent / "codes" / "samples"
    for kind, name, *options in [
        ("icd10cm-alphabetic-index", "icd10cm_index_flat_sample.csv", "--version", "2025"),
        ("icd10cm-guidelines", "icd10cm_guidelines_sample.txt"),
        ("icd10pcs-guidelines", "icd10pcs_guidelines_sample.tsv", "--version", "2025"),
    ]:
        call_command("import_codes", kind, str(samples / name), *options, stdout=StringIO())
    hcpcs = register_release(dataset="hcpcs", version="2026", title="HCPCS 2026")
    with transaction.atomic():
        sync_codes(
            system="hcpcs",
            release=hcpcs,
            rows=[CodeRow(code="A4253", title="Blood glucose test strips", billable=True)],
        )


@pytest.fixture
def _connection_kept():
    """The WSGI handler closes the database connection after each request, which would close the
    test's transaction: keep it open, as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.usefixtures("api_data", "_connection_kept")
def test_the_api_answers_as_described(case):
    caches["ratelimits"].clear()  # rate-limit counters: generated calls come fast, from one address
    excluded = []
    if case.operation.method.upper() == "GET":
        # Another method on a GET view meets Django's CSRF check first: 403, not the view's 405
        # (tests/security/test_csrf.py holds that rule). Only the JSON-only CasePilot API is exempt.
        excluded.append(schemathesis.checks.unsupported_method)
    case.call_and_validate(excluded_checks=excluded)


def test_the_description_is_valid_openapi():
    schema.validate()


@pytest.mark.django_db
def test_it_serves_the_description(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == json.loads(DESCRIPTION.read_text())
    assert "public" in response["Cache-Control"]
    assert "Cookie" not in response.get("Vary", "")
    again = client.get("/api/v1/openapi.json", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def _api_patterns() -> set[str]:
    """Every /api/v1/ URL pattern of the site, as an OpenAPI path template."""
    patterns = set()
    for _view, regex, _namespace, _name in extract_views_from_urlpatterns(get_resolver().url_patterns):
        path = simplify_regex(regex)
        if path.startswith("/api/v1/"):
            patterns.add(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path))
    return patterns


def test_every_api_route_is_described():
    described = set(json.loads(DESCRIPTION.read_text())["paths"])
    routes = _api_patterns()
    assert "/api/v1/codes/{system}/{code}" in routes  # the walk over the URLconf found them
    assert routes == described


def _call(path: str, method: str = "GET", **case):
    """One request built by hand, answered and checked against the description like the generated ones."""
    response = (
        schema[path][method]
        .Case(**case)
        .call_and_validate(
            excluded_checks=[schemathesis.checks.positive_data_acceptance]  # refusals are the point here
        )
    )
    return response.status_code, response.json()


CODE = "/api/v1/codes/{system}/{code}"


@pytest.mark.metered
@pytest.mark.usefixtures("api_data", "_connection_kept")
def test_a_guest_lookup_and_the_refusal_after_it_match_the_description(settings):
    settings.PLANS = {
        **settings.PLANS,
        "guest": {**settings.PLANS["guest"], "code_views_per_address_per_day": 1},
    }  # a cookieless caller is counted by address
    status, body = _call(CODE, path_parameters={"system": "icd-10-cm", "code": "E11.9"})
    assert status == 200
    assert "locked" in body
    assert "related" not in body
    status, body = _call(CODE, path_parameters={"system": "icd-10-cm", "code": "E11.21"})
    assert status == 403
    assert body["quota"]["plan"] == "guest"


@pytest.mark.usefixtures("api_data", "_connection_kept")
def test_a_signed_in_lookup_has_the_related_data(settings, staff):
    _token, secret = ApiToken.issue(user=staff, name="test")
    status, body = _call(
        CODE, path_parameters={"system": "icd-10-cm", "code": "E11.9"}, headers={"Authorization": f"Bearer {secret}"}
    )
    assert status == 200
    assert body["hierarchy"][-1]["code"] == "E11"
    assert "related" in body


@pytest.mark.usefixtures("api_data", "_connection_kept")
def test_token_refusals_match_the_description(settings, alice, staff):
    settings.API_TOKEN_RATE = "1/m"
    query = {"q": "diabetes"}
    assert _call("/api/v1/search", query=query, headers={"Authorization": "Bearer ca_not-a-token"})[0] == 401
    _token, free_secret = ApiToken.issue(user=alice, name="test")
    assert _call("/api/v1/search", query=query, headers={"Authorization": f"Bearer {free_secret}"})[0] == 403
    _token, secret = ApiToken.issue(user=staff, name="test")
    assert _call("/api/v1/search", query=query, headers={"Authorization": f"Bearer {secret}"})[0] == 200
    assert _call("/api/v1/search", query=query, headers={"Authorization": f"Bearer {secret}"})[0] == 429


@pytest.mark.usefixtures("api_data", "_connection_kept")
def test_rate_limit_refusals_match_the_description(settings, monkeypatch):
    monkeypatch.setattr(search_views, "SEARCH_RATE", "1/m")
    assert _call("/api/v1/search", query={"q": "diabetes"})[0] == 200
    assert _call("/api/v1/search", query={"q": "diabetes"})[0] == 429
    settings.CASEPILOT_RATE = "1/m"
    ask = {"body": {"question": "Code for type 2 diabetes?"}, "media_type": "application/json"}
    assert _call("/api/v1/casepilot/ask", "POST", **ask)[0] == 200
    status, body = _call("/api/v1/casepilot/ask", "POST", **ask)
    assert status == 429
    assert body["error"]
