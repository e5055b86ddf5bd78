"""Every state-changing request needs a CSRF token; the few exempt endpoints are safe otherwise."""

import hashlib
import hmac
import json
import time

import pytest
from django.test import Client

from tests.factories import PASSWORD
from tests.security.routes import site_routes

pytestmark = pytest.mark.django_db

# CSRF-exempt on purpose, each protected another way (see the tests below).
EXEMPT = {"api_ask", "api_claim_check", "consult_inbound", "unsubscribe"}


@pytest.fixture
def browser(staff) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    return client


@pytest.mark.parametrize(("path", "name"), [(path, name) for path, name, _ in site_routes() if name not in EXEMPT])
def test_a_post_without_a_csrf_token_is_refused(browser, code, path, name):
    response = browser.post(path, {"text": "x", "favourite": "on", "question": "x", "name": "x"})
    # 403 from the CSRF check, or 405 where the URL takes no POST at all.
    assert response.status_code in {403, 405}, (path, response.status_code)
    if response.status_code == 403:
        assert b"CSRF" in response.content


def test_the_admin_login_needs_a_csrf_token(staff):
    response = Client(enforce_csrf_checks=True).post(
        "/admin/login/", {"username": staff.username, "password": PASSWORD}
    )
    assert response.status_code == 403


def test_every_exempt_view_is_listed_here():
    exempt = {name for _, name, view in site_routes() if getattr(view, "csrf_exempt", False)}
    assert exempt == EXEMPT


def test_the_casepilot_api_takes_only_json_so_no_other_site_can_post_a_form_there(browser):
    # What a cross-site <form enctype="text/plain"> can send: refused, even with the user's session.
    response = browser.post("/api/v1/casepilot/ask", '{"question": "Is E11 billable?"}', content_type="text/plain")
    assert response.status_code == 415
    response = browser.post("/api/v1/casepilot/ask", {"question": "Is E11 billable?"})
    assert response.status_code == 415


def test_the_consult_webhook_refuses_unsigned_and_badly_signed_requests(client, settings):
    settings.CONSULT_WEBHOOK_SECRET = "webhook-secret"
    body = b"From: a@example.com\r\nSubject: hi\r\n\r\nhello"
    assert client.post("/consult/inbound/", body, content_type="message/rfc822").status_code == 401
    stamp = str(int(time.time()))
    wrong = hmac.new(b"not-the-secret", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    response = client.post(
        "/consult/inbound/",
        body,
        content_type="message/rfc822",
        headers={"X-Consult-Timestamp": stamp, "X-Consult-Signature": wrong},
    )
    assert response.status_code == 403
    assert json.loads(response.content)["error"] == "bad signature"


def test_unsubscribe_by_get_changes_nothing_and_a_bad_token_is_refused(client):
    assert client.post("/jobs/alerts/unsubscribe/forged/").status_code == 400
