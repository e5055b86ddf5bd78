"""GET /healthz: database and cache reachability for load balancers and the container health check."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.mark.sqlite_smoke
def test_it_reports_both_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "cache": True}
    assert "no-cache" in response["Cache-Control"]


def test_it_is_503_when_the_cache_is_unreachable(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "fail", "database": True, "cache": False}


def test_it_is_503_when_the_database_is_unreachable(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] is False


@pytest.mark.metered
def test_it_is_cheap_and_never_metered_nor_limited(client):
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(300):  # more than any per-minute rate limit on the site
            assert client.get("/healthz").status_code == 200
    # Per probe: SELECT 1 and one cache read (a query with the database cache); no session, no counter.
    assert len(ctx.captured_queries) == 300 * 2
    assert not any("accounts_" in q["sql"] or "django_session" in q["sql"] for q in ctx.captured_queries)
    assert "sessionid" not in client.cookies
