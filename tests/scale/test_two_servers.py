"""Two gunicorn servers on different ports, one PostgreSQL (the test database) and one Redis
(Debian's redis-server, started here): a visitor's requests go alternately to both, and the guest
allowance, the login rate limit and the session hold exactly across them.

bin/test installs redis-server when it is missing; without it this test is skipped."""

import contextlib
import datetime
import http.cookiejar
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, transaction

from codes.importers.base import CodeRow, register_release, sync_codes
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
GUEST_VIEWS = 3

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs Debian's redis-server (bin/test installs it)"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two servers share one PostgreSQL"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, path: str = "/", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                pass
            if path:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing answered on port {port}")


def _stop(process: subprocess.Popen) -> None:
    # Each process leads its own group (start_new_session): gunicorn's workers go with their master.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{urllib.parse.quote(s['PASSWORD'] or '')}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.fixture
def servers(tmp_path) -> Iterator[list[str]]:
    """Redis and two gunicorn servers on the test database; stopped whatever happens."""
    processes: list[subprocess.Popen] = []
    try:
        redis_port = _free_port()
        processes.append(
            subprocess.Popen(
                ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        _wait_for(redis_port, path="")
        env = {
            **os.environ,
            "DEBUG": "True",  # no collectstatic needed; the shared state is the same as in production
            "DATABASE_URL": _database_url(),
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "METERING_ENABLED": "True",
            "PLAN_GUEST_CODE_VIEWS": str(GUEST_VIEWS),
            "PLAN_GUEST_CODE_VIEWS_PER_ADDRESS_PER_DAY": "100",
            "WEB_CONCURRENCY": "1",
            "GUNICORN_ACCESSLOG": "",
            "LOG_LEVEL": "WARNING",
            "EMAIL_HOST": "",
        }
        urls = []
        for _ in range(2):
            port = _free_port()
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "codingahead.wsgi"],
                    cwd=ROOT,
                    env={**env, "BIND": f"127.0.0.1:{port}"},
                    stdout=subprocess.DEVNULL,
                    stderr=open(tmp_path / f"gunicorn-{port}.log", "w"),  # noqa: SIM115 - closed with the process
                    start_new_session=True,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            _wait_for(int(url.rsplit(":", 1)[1]), path="/healthz")
        yield urls
    finally:
        for process in reversed(processes):
            _stop(process)


class Visitor:
    """One browser: one cookie jar, requests sent alternately to each server."""

    def __init__(self, urls: list[str]):
        self.urls = urls
        self.turn = 0
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        url = self.urls[self.turn % len(self.urls)] + path
        self.turn += 1
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers={"Referer": url})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def log_in(self, email: str, password: str) -> int:
        status, page = self.request("/accounts/login/")
        assert status == 200, page[:500]
        return self.request(
            "/accounts/login/", {"login": email, "password": password, "csrfmiddlewaretoken": self.csrf()}
        )[0]


@pytest.fixture
def codes() -> list[str]:
    with transaction.atomic():
        release = register_release(
            dataset="icd-10-cm", version="t", title="ICD-10-CM t", effective_date=datetime.date(2025, 10, 1)
        )
        rows = [CodeRow(code="E11", title="Type 2 diabetes mellitus", kind="category")]
        rows += [CodeRow(code=f"E11.{i}", title=f"Diabetes form {i}", parent="E11", billable=True) for i in range(10)]
        sync_codes(system="icd-10-cm", release=release, rows=rows)
    return [f"/icd-10-cm/E11.{i}/" for i in range(10)]


@pytest.fixture
def alice(settings, alice):
    """The shared alice, her password hashed as the servers check it (the default hasher, not the tests' fast one)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    alice.set_password(PASSWORD)
    alice.save(update_fields=["password"])
    return alice


def test_a_guest_allowance_is_exact_across_two_servers(servers, codes):
    guest = Visitor(servers)
    gated = [("Register to keep reading" in guest.request(path)[1]) for path in codes[:6]]
    # Three views in all (not three on each server), then the gate on whichever server answers.
    assert gated == [False] * GUEST_VIEWS + [True] * (6 - GUEST_VIEWS)
    # A page already seen stays open on both servers.
    assert "Register to keep reading" not in guest.request(codes[0])[1]
    assert "Register to keep reading" not in guest.request(codes[0])[1]


def test_a_session_started_on_one_server_is_known_on_the_other(servers, alice):
    visitor = Visitor(servers)
    assert visitor.log_in("alice@example.com", PASSWORD) == 302  # on the second server
    for _ in range(4):  # the account page, on each server in turn
        status, page = visitor.request("/accounts/profile/")
        assert status == 200
        assert "alice@example.com" in page
    assert Visitor(servers).request("/accounts/profile/")[0] == 302  # a stranger is sent to log in


def test_the_login_lockout_counts_failures_on_both_servers(servers, alice):
    # ACCOUNT_RATE_LIMITS login_failed: 5 failures for one address in 5 minutes lock it out.
    visitor = Visitor(servers)
    for _ in range(5):
        assert visitor.log_in("alice@example.com", "wrong password") == 200
    for _ in range(2):  # even the right password, on either server
        status, page = visitor.request("/accounts/login/")
        status, page = visitor.request(
            "/accounts/login/",
            {"login": "alice@example.com", "password": PASSWORD, "csrfmiddlewaretoken": visitor.csrf()},
        )
        assert status == 200
        assert "Too many failed login attempts" in page
    assert visitor.request("/accounts/profile/")[0] == 302


def test_the_login_rate_limit_holds_across_both_servers(servers):
    # ACCOUNT_RATE_LIMITS login: 30 login attempts a minute from one address, the 31st is a 429.
    visitor = Visitor(servers)
    visitor.request("/accounts/login/")
    token = visitor.csrf()
    statuses = [
        visitor.request(
            "/accounts/login/", {"login": f"nobody{i}@example.com", "password": "x", "csrfmiddlewaretoken": token}
        )[0]
        for i in range(32)
    ]
    assert statuses[:30] == [200] * 30
    assert statuses[30:] == [429, 429]  # one on each server
