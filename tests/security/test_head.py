"""HEAD answers like GET on every page (health checks, crawlers, link checkers send it), with no body."""

import pytest

from tests.security.routes import site_routes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/healthz", "/robots.txt", "/", "/icd-10-cm/E11.9/", "/search/?q=diabetes", "/jobs/"])
def test_head_answers_like_get(client, code, path):
    get = client.get(path)
    head = client.head(path)
    assert get.status_code == 200
    assert head.status_code == 200, path
    assert head.content == b""


def test_no_page_that_answers_get_refuses_head(client, alice, code):
    client.force_login(alice)
    refused = []
    for path, _name, _view in site_routes():
        if path.startswith("/api/v1/casepilot"):
            continue
        get = client.get(path)
        if get.status_code == 405:
            continue  # a POST-only view
        if client.head(path).status_code == 405:
            refused.append(path)
    assert not refused, "HEAD answers 405 (use require_safe): " + ", ".join(refused)
