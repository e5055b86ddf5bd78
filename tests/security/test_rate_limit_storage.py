"""Rate-limit and lockout state lives where filling the ordinary cache cannot cull it (the
"ratelimits" cache alias: expired by time only)."""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import cache, caches

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock_stands_still(ratelimit_clock_stands_still):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["database", "redis"])
def store(request, settings):
    """Both deployments: the database cache tables, and Redis (REDIS_URL) as settings.py configures it."""
    if request.param == "database":
        yield request.param
        return
    if not shutil.which("redis-server"):
        pytest.skip("needs Debian's redis-server (bin/test installs it)")
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    database_caches = settings.CACHES
    try:
        url = f"redis://127.0.0.1:{port}/0"
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url},
            "ratelimits": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "limits",
            },
        }
        yield request.param
    finally:
        settings.CACHES = database_caches  # before the server goes: teardowns clear the caches
        server.terminate()
        server.wait()


def _fill_the_ordinary_cache(client, n: int = 350) -> None:
    # What an attacker can do for free: suggestions for random text, each cached, from many addresses.
    for i in range(10):
        client.get("/search/suggest", {"q": f"zz{i:04d}"}, REMOTE_ADDR=f"198.51.100.{i}")
    # The database cache culls the keys that sort first: these sort after every rate-limit key.
    cache.set_many({f"zz:{i:05d}": "x" * 100 for i in range(n)})


def test_a_login_lockout_survives_a_full_cache(client, alice, settings, store):
    settings.CODE_CACHE_SECONDS = 86400  # suggestions are cached, as in production
    wrong = {"login": "alice@example.com", "password": "wrong"}
    for i in range(6):
        client.post("/accounts/login/", wrong, REMOTE_ADDR=f"203.0.113.{i}")
    _fill_the_ordinary_cache(client)
    right = client.post(
        "/accounts/login/", {"login": "alice@example.com", "password": PASSWORD}, REMOTE_ADDR="203.0.113.99"
    )
    assert "_auth_user_id" not in client.session, "the right password logged in during the lockout"
    assert "Too many failed login attempts" in right.content.decode()


def test_a_django_ratelimit_limit_survives_a_full_cache(client, code, monkeypatch, store):
    from codes import search_views

    monkeypatch.setattr(search_views, "SEARCH_RATE", "1/m")
    assert client.get("/search/", {"q": "diabetes"}).status_code == 200
    _fill_the_ordinary_cache(client)
    assert client.get("/search/", {"q": "diabetes"}).status_code == 429


def test_the_ratelimit_store_expires_by_time_and_never_culls_live_keys(settings):
    store = caches["ratelimits"]
    store.set("live", 1, timeout=3600)
    store.set_many({f"k{i:05d}": 1 for i in range(400)}, timeout=3600)
    assert store.get("live") == 1
    store.set("gone", 1, timeout=-1)
    assert store.get("gone") is None
