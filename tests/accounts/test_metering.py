"""Metered code pages: the banner, the guest page, the gate, and what counts (accounts/quota.py)."""

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiToken, Plan, QuotaCounter
from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code, CodeView
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.metered]

# While a guest reads the one free page, and once it is spent (the gate).
GUEST_BANNER = (
    'This is your free guest view.</strong> <a href="/accounts/signup/">Register free account</a> to get 5 more views.'
)
# The gate below it has the one link to register (keyboard users meet it once).
GUEST_GATED_BANNER = "0 code page views remaining.</strong> Guest accounts are limited to 1 page view.</p>"


@pytest.fixture
def many() -> list[Code]:
    return make_codes()


def make_codes() -> list[Code]:
    """A chapter, a category and 60 billable codes under it: A00.0 ... A00.59."""
    release = register_release(dataset="icd-10-cm", version="2026", title="ICD-10-CM FY2026")
    rows = [
        CodeRow(code="1", title="Certain infectious and parasitic diseases", kind="chapter"),
        CodeRow(code="A00", title="Cholera", kind="category", parent="1"),
    ]
    rows += [CodeRow(code=f"A00.{i}", title=f"Cholera variant {i}", parent="A00", billable=True) for i in range(60)]
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=release, rows=rows)
    return list(Code.objects.filter(system="icd-10-cm", code__startswith="A00.").order_by("sort_key", "code"))


def page(client, code: Code, **extra) -> str:
    response = client.get(code.get_absolute_url(), **extra)
    assert response.status_code == 200
    return response.content.decode()


def is_gated(html: str) -> bool:
    return 'id="gate-heading"' in html


def pro_user(email="paula@example.com", *, starts=None, ends=None):
    user = make_user(email)
    today = datetime.date.today()
    Plan.objects.create(
        user=user, starts=starts or today - datetime.timedelta(days=1), ends=ends or today + datetime.timedelta(days=30)
    )
    return user


# --- guests -------------------------------------------------------------------------------------


@pytest.mark.sqlite_smoke
def test_a_guest_sees_the_descriptions_and_zero_remaining_after_their_view(client, many):
    html = page(client, many[0])
    assert GUEST_BANNER in html
    assert "Official Description" in html
    assert "Cholera variant 0" in html
    assert not is_gated(html)
    # one locked panel names what the code has, with one link to register
    assert html.count("Register to view content") == 1
    assert html.count("Create a free account</a> to unlock this content.") == 1
    assert 'id="siblings-heading"' not in html  # related codes are locked, not rendered
    assert "Cholera variant 1<" not in html


@pytest.mark.sqlite_smoke
def test_a_guest_meets_the_gate_on_a_second_code(client, many):
    page(client, many[0])
    html = page(client, many[1])
    assert is_gated(html)
    assert GUEST_GATED_BANNER in html
    # still the code, its title and hierarchy
    assert '<span class="code">A00.1</span>' in html
    assert "Cholera variant 1" in html
    assert '<a href="/icd-10-cm/A00/" title="Cholera">A00</a>' in html
    # ...but not the content
    assert "Official Description" not in html
    assert "Common Language Description" not in html
    assert 'href="/accounts/signup/"' in html
    assert 'href="/accounts/login/?next=/icd-10-cm/A00.1/"' in html


def test_the_gate_carries_paywall_structured_data(client, many):
    page(client, many[0])
    html = page(client, many[1])
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(found.group(1))
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"] == {
        "@type": "WebPageElement",
        "isAccessibleForFree": False,
        "cssSelector": ".locked-content",
    }
    assert 'class="panel gate locked-content"' in html


def test_structured_data_is_escaped(client, many):
    Code.objects.filter(pk=many[0].pk).update(title="</script><script>alert(1)</script>")
    html = page(client, many[0])
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert "alert" in found.group(1)
    assert "<script>alert" not in html
    assert json.loads(found.group(1))["name"].endswith("</script><script>alert(1)</script>")


def test_reopening_the_same_code_is_free(client, many):
    for _ in range(3):
        html = page(client, many[0])
        assert not is_gated(html)
        assert "This is your free guest view." in html
    assert CodeView.objects.count() == 1
    assert sorted(QuotaCounter.objects.values_list("used", flat=True)) == [1, 1]  # session and address


def test_browsing_and_lookup_do_not_count_and_warn_before_the_view(client, many):
    for url in ["/icd-10-cm/browse/1/", "/icd-10-cm/A00.99/"]:
        response = client.get(url)
        assert "Opening a code page uses your free code page view (1 left)" in response.content.decode(), url
    assert client.get("/lookup/?q=A0", follow=True).status_code == 200
    assert not CodeView.objects.exists()
    assert not QuotaCounter.objects.exists()
    page(client, many[0])
    html = client.get("/icd-10-cm/browse/1/").content.decode()
    assert "You have used your free code page view" in html
    assert "Opening a code page uses" not in html


def test_signed_in_users_get_no_guest_notice_on_lists(client, alice, many):
    client.force_login(alice)
    html = client.get("/icd-10-cm/browse/1/").content.decode()
    assert "free code page view" not in html


def test_clearing_cookies_does_not_reset_the_address_allowance(client, django_user_model, many):
    from django.test import Client

    # three fresh sessions from one office address: one view each
    for code in many[:3]:
        assert not is_gated(page(Client(), code))
    # the fourth (cookies cleared again) meets the gate, even on a code the office has seen
    assert is_gated(page(Client(), many[3]))
    assert is_gated(page(Client(), many[0]))
    # another address is not affected
    assert not is_gated(page(Client(REMOTE_ADDR="203.0.113.9"), many[3]))


def test_a_forwarded_for_header_is_ignored_from_untrusted_clients(many):
    from django.test import Client

    for i, code in enumerate(many[:3]):
        page(Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"), code)
    assert is_gated(page(Client(HTTP_X_FORWARDED_FOR="198.51.100.50"), many[3]))


def test_a_forwarded_for_header_is_honoured_from_a_trusted_proxy(settings, many):
    from django.test import Client

    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for i, code in enumerate(many[:4]):
        assert not is_gated(page(Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"), code))


def test_metered_pages_are_private_to_the_visitor(client, many):
    response = client.get(many[0].get_absolute_url())
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


# --- signed-in users ----------------------------------------------------------------------------


@pytest.mark.sqlite_smoke
def test_a_free_account_gets_six_views_and_then_the_gate(client, alice, many):
    client.force_login(alice)
    for i, code in enumerate(many[:6]):
        html = page(client, code)
        assert not is_gated(html)
        assert f"{5 - i} code page view{'s' if 5 - i != 1 else ''} remaining." in html
        assert "Free accounts are limited to 6 page views a month; your views renew on" in html
        assert "Register to view content" not in html  # nothing locked for an account
    html = page(client, many[6])
    assert is_gated(html)
    assert "0 code page views remaining." in html
    assert "Upgrade to Pro" in html
    assert not is_gated(page(client, many[2]))  # a code opened this month stays open


def test_an_unverified_account_has_the_guest_allowance(client, many):
    user = make_user("ursula@example.com", verified=False)
    client.force_login(user)
    html = page(client, many[0])
    assert "0 code page views remaining." in html
    assert "Verify your email address</a> to get 5 more views." in html
    html = page(client, many[1])
    assert is_gated(html)
    assert "Verify your email to keep reading" in html


def test_pro_and_staff_never_see_a_count(client, staff, many):
    for user in [pro_user(), staff]:
        client.force_login(user)
        for code in many[:10]:
            html = page(client, code)
            assert not is_gated(html)
            assert "remaining" not in html
            assert "account: unlimited code page views." in html
    assert not QuotaCounter.objects.exists()
    assert CodeView.objects.filter(user=staff).count() == 10  # still their recently viewed list


def test_a_pro_plan_expires_by_itself(client, many):
    today = datetime.date.today()
    user = pro_user(starts=today - datetime.timedelta(days=60), ends=today - datetime.timedelta(days=1))
    client.force_login(user)
    html = page(client, many[0])
    assert "5 code page views remaining." in html


def test_views_of_a_guest_session_carry_over_when_signing_in(client, alice, many):
    page(client, many[0])
    response = client.post(
        "/accounts/login/", {"login": "alice@example.com", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    html = page(client, many[1])
    assert "4 code page views remaining." in html
    assert set(CodeView.objects.filter(user=alice).values_list("code__code", flat=True)) == {"A00.0", "A00.1"}


def test_registering_and_verifying_gives_five_more_views(client, many, mailoutbox):
    page(client, many[0])
    password = "correct horse battery staple"
    client.post("/accounts/signup/", {"email": "carol@example.com", "password1": password, "password2": password})
    link = re.search(r"https?://[^\s/]+(/accounts/confirm-email/[^\s]+/)", mailoutbox[0].body).group(1)
    client.post(link)
    html = page(client, many[0])
    assert "5 code page views remaining." in html


# --- the API ------------------------------------------------------------------------------------


def test_the_api_is_metered_for_anonymous_callers(client, many):
    first = client.get("/api/v1/codes/icd-10-cm/A00.0")
    assert first.status_code == 200
    body = first.json()
    assert body["descriptions"]["official"] == "Cholera variant 0"
    assert "related" not in body
    assert "locked" in body
    second = client.get("/api/v1/codes/icd-10-cm/A00.1")
    assert second.status_code == 403
    assert "No code page views left" in second.json()["error"]
    assert second.json()["hierarchy"][-1]["code"] == "A00"
    # and the page after the API call: the view is spent
    assert is_gated(page(client, many[2]))


def test_the_api_meters_cookieless_callers_by_address(many):
    from django.test import Client

    statuses = [Client().get(f"/api/v1/codes/icd-10-cm/A00.{i}").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 403, 403]


def test_a_bearer_token_is_metered_as_its_owner(client, many):
    user = pro_user()
    _, secret = ApiToken.issue(user=user, name="script")
    for i in range(5):
        response = client.get(f"/api/v1/codes/icd-10-cm/A00.{i}", HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 200
        assert "related" in response.json()
    assert CodeView.objects.filter(user=user).count() == 5


# --- cost ---------------------------------------------------------------------------------------


def _count_queries(client, url: str) -> int:
    """SQL statements a page view runs (BEGIN and COMMIT of a transaction are not statements)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len([q for q in queries if q["sql"] not in ("BEGIN", "COMMIT")])


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite counts in several statements under its write lock"
)
@pytest.mark.django_db(transaction=True)
def test_metering_adds_at_most_two_queries_to_a_page_view(client, settings, many):
    get_user_model().objects.create_user("x", "x@example.com", "pw")  # a user with no email: a free account
    page(client, many[0])  # a guest with a session
    settings.METERING_ENABLED = False
    base = _count_queries(client, many[5].get_absolute_url())
    settings.METERING_ENABLED = True
    assert _count_queries(client, many[0].get_absolute_url()) - base <= 2  # reopening

    free = make_user("fran@example.com")
    client.force_login(free)
    settings.METERING_ENABLED = False
    base = _count_queries(client, many[5].get_absolute_url())
    settings.METERING_ENABLED = True
    assert _count_queries(client, many[1].get_absolute_url()) - base <= 2  # a new view, full page


def test_a_visitor_who_just_registered_is_told_to_verify_not_to_register(client, many):
    client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": "a long pass 123!", "password2": "a long pass 123!"},
    )
    html = page(client, many[0])
    assert "Check your inbox to verify new@example.com</strong> and unlock 5 more code page views." in html
    html = page(client, many[1])
    assert is_gated(html)
    assert "Verify your email to keep reading" in html
    assert "Register free account" not in html
