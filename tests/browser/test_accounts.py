import datetime
import re

import pytest
from django.core import mail
from django.db import transaction
from playwright.sync_api import Page, expect

from codes.importers.base import CodeRow, register_release, sync_codes

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)")


@pytest.fixture
def codes():
    release = register_release(
        dataset="icd-10-cm", version="2026", title="ICD-10-CM FY2026", effective_date=datetime.date(2025, 10, 1)
    )
    rows = [
        CodeRow(code="E11", title="Type 2 diabetes mellitus", kind="category"),
        CodeRow(code="E11.9", title="Type 2 diabetes mellitus without complications", parent="E11", billable=True),
    ]
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=release, rows=rows)


def test_a_coder_registers_verifies_logs_in_and_stars_a_code(page: Page, live_server, codes, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []

    page.goto(f"{live_server.url}/accounts/signup/")
    page.get_by_label("Email").fill("coder@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Verify Your Email Address")

    assert [m.to for m in mail.outbox] == [["coder@example.com"]]
    path = LINK.search(mail.outbox[0].body).group(1)
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Confirm").click()

    # Log out and back in with the verified address.
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("coder@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Account")).to_be_visible()

    page.goto(f"{live_server.url}/icd-10-cm/E11.9/")
    star = page.get_by_role("button", name="Add to favourites")
    star.click()
    expect(page.get_by_role("button", name="Remove from favourites")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Added to your favourites.")).to_be_attached()

    page.get_by_role("link", name="Account").click()
    favourites = page.get_by_role("region", name="Favourite codes")
    expect(favourites.get_by_role("link", name="E11.9")).to_be_visible()
    expect(favourites).to_contain_text("Type 2 diabetes mellitus without complications")
