"""Metered code pages in a real browser: the guest's one view, the gate, registering for five more."""

import datetime
import re

import pytest
from django.core import mail
from django.db import transaction
from playwright.sync_api import Page, expect

from accounts.models import Plan
from codes.importers.base import CodeRow, register_release, sync_codes
from tests.factories import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.metered]

PASSWORD = "correct horse battery staple"
LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)")


@pytest.fixture
def codes():
    release = register_release(dataset="icd-10-cm", version="2026", title="ICD-10-CM FY2026")
    rows = [
        CodeRow(code="E11", title="Type 2 diabetes mellitus", kind="category"),
        CodeRow(code="E11.9", title="Type 2 diabetes mellitus without complications", parent="E11", billable=True),
        CodeRow(code="E11.65", title="Type 2 diabetes mellitus with hyperglycemia", parent="E11", billable=True),
    ]
    rows += [
        CodeRow(code=f"E11.{i}", title=f"Type 2 diabetes variant {i}", parent="E11", billable=True) for i in range(7)
    ]
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=release, rows=rows)


def banner(page: Page):
    return page.get_by_role("status", name="Code page views")


def gate(page: Page):
    return page.get_by_role("region", name=re.compile("Register to keep reading|used this month"))


def test_a_guest_uses_the_view_meets_the_gate_registers_and_gets_five_more(page: Page, live_server, codes, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []

    page.goto(f"{live_server.url}/icd-10-cm/E11.9/")
    expect(banner(page)).to_contain_text("This is your free guest view. Register free account to get 5 more views.")
    expect(page.get_by_role("heading", name="Official Description")).to_be_visible()
    expect(page.get_by_text("Register to view content").first).to_be_visible()

    page.goto(f"{live_server.url}/icd-10-cm/E11.65/")
    expect(gate(page)).to_be_visible()
    expect(page.get_by_role("heading", name="Official Description")).to_have_count(0)
    expect(page.locator(".code-title")).to_have_text("Type 2 diabetes mellitus with hyperglycemia")
    expect(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="E11")).to_be_visible()

    gate(page).get_by_role("link", name="Register free account").click()
    page.get_by_label("Email").fill("coder@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    # The email is sent while the server handles the form: wait for the page it answers with.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email Address")
    path = LINK.search(mail.outbox[0].body).group(1)
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Confirm").click()

    page.goto(f"{live_server.url}/icd-10-cm/E11.9/")  # the code seen as a guest: still free
    expect(banner(page)).to_contain_text("5 code page views remaining.")
    page.goto(f"{live_server.url}/icd-10-cm/E11.65/")
    expect(banner(page)).to_contain_text("4 code page views remaining.")
    expect(page.get_by_role("heading", name="Official Description")).to_be_visible()


def _log_in(page: Page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Account")).to_be_visible()


def test_a_free_account_at_zero_meets_the_gate(page: Page, live_server, codes):
    make_user("fran@example.com")
    _log_in(page, live_server, "fran@example.com")
    for i in range(6):
        page.goto(f"{live_server.url}/icd-10-cm/E11.{i}/")
    expect(banner(page)).to_contain_text("0 code page views remaining.")
    page.goto(f"{live_server.url}/icd-10-cm/E11.6/")
    expect(gate(page)).to_be_visible()
    expect(gate(page).get_by_role("link", name="Upgrade to Pro")).to_be_visible()


def test_a_pro_account_never_sees_a_count(page: Page, live_server, codes):
    user = make_user("paula@example.com")
    today = datetime.date.today()
    Plan.objects.create(user=user, starts=today, ends=today + datetime.timedelta(days=30))
    _log_in(page, live_server, "paula@example.com")
    for i in range(8):
        page.goto(f"{live_server.url}/icd-10-cm/E11.{i if i < 7 else 9}/")
        expect(banner(page)).to_have_text("Pro account: unlimited code page views.")
        expect(page.get_by_role("heading", name="Official Description")).to_be_visible()
