"""accounts/quota.py: plans, client addresses, periods and the atomic counting."""

import datetime
import threading
import time

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections
from django.test import Client, RequestFactory

from accounts import quota
from accounts.models import Counter, Plan, QuotaCounter
from codes.models import Code, CodeView
from tests.factories import make_user

from .test_metering import make_codes, page, pro_user

pytestmark = [pytest.mark.django_db, pytest.mark.metered]


@pytest.fixture
def many() -> list[Code]:
    return make_codes()


def _request(remote="192.0.2.1", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


# --- plans --------------------------------------------------------------------------------------


@pytest.mark.sqlite_smoke
def test_plan_for_each_kind_of_user(staff):
    assert quota.plan_for(AnonymousUser()) == "guest"
    assert quota.plan_for(None) == "guest"
    assert quota.plan_for(make_user("f@example.com")) == "free"
    assert quota.plan_for(pro_user()) == "pro"
    assert quota.plan_for(staff) == "staff"


def test_a_plan_counts_from_its_first_to_its_last_day():
    user = make_user("f@example.com")
    today = datetime.date.today()
    plan = Plan.objects.create(
        user=user, starts=today + datetime.timedelta(days=1), ends=today + datetime.timedelta(days=9)
    )
    assert quota.plan_for(make_user_fresh(user)) == "free"
    plan.starts, plan.ends = today - datetime.timedelta(days=9), today
    plan.save()
    assert quota.plan_for(make_user_fresh(user)) == "pro"
    plan.ends = today - datetime.timedelta(days=1)
    plan.save()
    assert quota.plan_for(make_user_fresh(user)) == "free"


def make_user_fresh(user):
    """The same user without the plan facts remembered on the object."""
    return type(user).objects.get(pk=user.pk)


def test_allowances_come_from_the_plans_table(plans):
    plans("guest", code_views=2)
    plans("free", code_views=12)
    assert quota.allowance_for(make_user("v@example.com")) == 12
    assert quota.allowance_for(make_user("u@example.com", verified=False)) == 2
    assert quota.allowance_for(pro_user()) is None


def test_views_renew_on_the_first_of_next_month():
    assert quota.renews_on(datetime.datetime(2025, 1, 31, 23, 0)) == datetime.date(2025, 2, 1)
    assert quota.renews_on(datetime.datetime(2025, 12, 15)) == datetime.date(2026, 1, 1)
    assert quota.month_of(datetime.datetime(2025, 12, 15)) == "2025-12"


def test_a_new_month_gives_new_views(client, many, monkeypatch):
    page(client, many[0])
    assert "This is your free guest view" in page(client, many[0])
    later = quota.timezone.now() + datetime.timedelta(days=32)
    monkeypatch.setattr(quota.timezone, "now", lambda: later)
    # a new month and a new day: both the session and the address allowance start over
    html = page(client, many[1])
    assert 'id="gate-heading"' not in html
    assert "This is your free guest view" in html


# --- client addresses ---------------------------------------------------------------------------


@pytest.mark.sqlite_smoke
def test_the_forwarded_header_counts_only_from_trusted_proxies(settings):
    assert quota.client_address(_request("192.0.2.1", "198.51.100.7")) == "192.0.2.1"
    settings.TRUSTED_PROXIES = ["192.0.2.0/24"]
    assert quota.client_address(_request("192.0.2.1", "198.51.100.7")) == "198.51.100.7"
    # the rightmost untrusted hop: whatever the client wrote to the left is not believed
    assert quota.client_address(_request("192.0.2.1", "10.9.9.9, 198.51.100.7, 192.0.2.5")) == "198.51.100.7"
    assert quota.client_address(_request("192.0.2.1", "garbage")) == "192.0.2.1"
    assert quota.client_address(_request("203.0.113.1", "198.51.100.7")) == "203.0.113.1"


def test_an_ipv6_client_is_its_64_prefix():
    a = quota.client_address(_request("2001:db8:1:2::1"))
    b = quota.client_address(_request("2001:db8:1:2:ffff::9"))
    assert a == b == "2001:db8:1:2::/64"
    assert quota.client_address(_request("::ffff:192.0.2.3")) == "192.0.2.3"


def test_addresses_and_guest_keys_are_stored_only_as_keyed_hashes(client, many):
    page(client, many[0])
    key = client.cookies[quota.GUEST_COOKIE].value
    subjects = list(QuotaCounter.objects.values_list("subject", flat=True))
    assert len(subjects) == 2
    assert all("127.0.0.1" not in s and key not in s for s in subjects)
    assert quota.address_subject("127.0.0.1") in subjects
    assert quota.guest_subject(key) in subjects


def test_the_guest_cookie_is_http_only_and_lax(client, many):
    cookie = client.get(many[0].get_absolute_url()).cookies[quota.GUEST_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert len(cookie.value) == 32
    # Only a first view sets it; a malformed one is replaced.
    assert quota.GUEST_COOKIE not in client.get(many[1].get_absolute_url()).cookies
    client.cookies[quota.GUEST_COOKIE] = "<script>"
    assert client.get(many[2].get_absolute_url()).cookies[quota.GUEST_COOKIE].value != "<script>"


# --- counting -----------------------------------------------------------------------------------


@pytest.mark.sqlite_smoke
def test_a_spend_that_does_not_fit_every_counter_moves_none():
    counters = [Counter("code_views", "s:x", "2025-01", 5), Counter("code_views", "a:y", "2025-01-01", 1)]
    assert QuotaCounter.objects.spend(counters) == (True, {("code_views", "s:x"): 1, ("code_views", "a:y"): 1})
    allowed, used = QuotaCounter.objects.spend(counters)
    assert not allowed
    assert used[("code_views", "a:y")] == 1
    assert dict(QuotaCounter.objects.values_list("subject", "used")) == {"s:x": 1, "a:y": 1}


@pytest.mark.sqlite_smoke
def test_meters_count_apart_and_a_zero_allowance_refuses():
    views = Counter("code_views", "u:1", "2025-01-01", 1)
    questions = Counter("casepilot_questions", "u:1", "2025-01-01", 1)
    assert QuotaCounter.objects.spend([views])[0]
    assert QuotaCounter.objects.spend([questions])[0]
    assert not QuotaCounter.objects.spend([questions])[0]
    assert not QuotaCounter.objects.spend([Counter("consultations", "u:1", "2025-01", 0)])[0]
    assert QuotaCounter.objects.count() == 2


def test_a_code_view_that_does_not_fit_writes_no_view_row(client, many, plans):
    plans("guest", code_views_per_address_per_day=1)
    page(client, many[0])
    assert 'id="gate-heading"' in page(client, many[1])
    assert CodeView.objects.count() == 1


def test_recently_viewed_lists_codes_newest_first_once_each(client, alice, many):
    client.force_login(alice)
    for code in [many[0], many[1], many[0]]:
        page(client, code)
    CodeView.objects.create(subject=f"u:{alice.pk}", period="2000-01", code=many[1], user=alice)
    assert [v["code"].code for v in CodeView.objects.recently_viewed(alice, limit=5)] == ["A00.1", "A00.0"]


# --- concurrency (PostgreSQL, real threads) -----------------------------------------------------


def _in_parallel(fetch, count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fetch(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers; the race is a PostgreSQL matter"
)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_requests_for_different_codes_cannot_overspend(many):
    visitor = Client()
    visitor.cookies[quota.GUEST_COOKIE] = "k" * 32  # a guest who has been here before
    cookie = visitor.cookies

    def fetch(i: int) -> bool:
        c = Client()
        c.cookies = cookie
        return 'id="gate-heading"' not in c.get(many[i].get_absolute_url()).content.decode()

    opened = _in_parallel(fetch, 50)
    assert sum(opened) == 1
    assert CodeView.objects.count() == 1
    assert sorted(QuotaCounter.objects.values_list("used", flat=True)) == [1, 1]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_requests_by_a_free_account_open_six_codes(many):
    user = make_user("f@example.com")
    visitor = Client()
    visitor.force_login(user)

    def fetch(i: int) -> bool:
        c = Client()
        c.cookies = visitor.cookies
        return 'id="gate-heading"' not in c.get(many[i].get_absolute_url()).content.decode()

    assert sum(_in_parallel(fetch, 50)) == 6
    assert QuotaCounter.objects.get().used == 6
    assert CodeView.objects.filter(user=user).count() == 6


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_parallel_requests_for_one_code_count_once(many):
    user = make_user("f@example.com")
    visitor = Client()
    visitor.force_login(user)

    def fetch(i: int) -> bool:
        c = Client()
        c.cookies = visitor.cookies
        return 'id="gate-heading"' not in c.get(many[0].get_absolute_url()).content.decode()

    assert all(_in_parallel(fetch, 20))
    assert QuotaCounter.objects.get().used == 1


def _blocked_by(pid: int, *, within: float = 30.0) -> bool:
    """True once some session waits for a lock held by the backend `pid` (False after `within` s)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [pid])
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.01)
    return False


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_spend_that_loses_the_last_room_to_a_parallel_one_moves_nothing():
    QuotaCounter.objects.create(meter="code_views", subject="s:x", period="2026-11", used=0, allowance=1)
    QuotaCounter.objects.create(meter="code_views", subject="a:y", period="2026-11-01", used=0, allowance=5)
    # Another request holds the last view, not yet committed, when this one starts counting.
    other = connection.get_new_connection(connection.get_connection_params())
    other.execute("UPDATE accounts_quotacounter SET used = 1 WHERE subject = 's:x'")
    counters = [Counter("code_views", "s:x", "2026-11", 1), Counter("code_views", "a:y", "2026-11-01", 5)]
    result = {}

    def count() -> None:
        try:
            result["answer"] = QuotaCounter.objects.spend(counters)
        finally:
            connections.close_all()

    worker = threading.Thread(target=count)
    worker.start()
    # It waits for the counter's lock, which `other` holds: asked of PostgreSQL itself, not guessed
    # from how long the thread has run.
    assert _blocked_by(other.info.backend_pid)
    other.commit()
    other.close()
    worker.join(timeout=10)
    assert result["answer"] == (False, {("code_views", "a:y"): 0, ("code_views", "s:x"): 1})
    assert dict(QuotaCounter.objects.values_list("subject", "used")) == {"s:x": 1, "a:y": 0}


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_casepilot_questions_take_exactly_the_allowance(plans):
    plans("free", casepilot_questions_per_day=7)
    user = make_user("q@example.com")

    def ask(i: int) -> bool:
        return quota.spend_for_user(type(user).objects.get(pk=user.pk), "casepilot_questions").allowed

    assert sum(_in_parallel(ask, 50)) == 7
    assert QuotaCounter.objects.get(meter="casepilot_questions").used == 7


# --- answers when an allowance is spent -----------------------------------------------------------


def test_a_spent_casepilot_quota_says_when_it_renews_in_retry_after(client, plans, monkeypatch):
    plans("guest", casepilot_questions_per_day=0)
    now = datetime.datetime(2026, 12, 2, 22, 0, 0, tzinfo=datetime.UTC)
    monkeypatch.setattr(quota.timezone, "now", lambda: now)
    response = client.post("/casepilot/", {"question": "Is E11 billable?"})
    assert response.status_code == 429
    assert "starts over tomorrow" in response.content.decode()
    assert response["Retry-After"] == str(2 * 3600)  # midnight UTC, not a minute


def test_periods_renew_at_their_end():
    now = datetime.datetime(2026, 12, 31, 23, 59, 30, tzinfo=datetime.UTC)
    assert quota.seconds_until_renewal("hour", now) == 30
    assert quota.seconds_until_renewal("day", now) == 30
    assert quota.seconds_until_renewal("month", now) == 30
    assert quota.period_of("hour", now) == "2026-12-31T23"
