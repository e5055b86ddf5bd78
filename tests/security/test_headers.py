"""Security headers on the pages people use: CSP without inline script or style, no framing,
no sniffing, a referrer policy, HttpOnly cookies."""

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = ["/", "/search/?q=diabetes", "/jobs/", "/casepilot/", "/accounts/login/", "/icd-10-cm/E11.9/"]


def _directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.mark.parametrize("url", PAGES)
def test_pages_carry_a_strict_content_security_policy(client, code, url):
    response = client.get(url)
    assert response.status_code == 200
    csp = _directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_forbid_framing_and_sniffing(client, code, url):
    response = client.get(url)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_session_and_csrf_cookies_are_httponly(client, alice):
    client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.cookies["sessionid"]["httponly"]
    assert client.cookies["csrftoken"]["httponly"]


def test_the_api_carries_the_policy_too(client, code):
    response = client.get("/api/v1/codes/icd-10-cm/E11.9")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
