import datetime

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from codes.importers.base import CodeRow, register_release, sync_codes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def codes():
    release = register_release(
        dataset="icd-10-cm", version="2026", title="ICD-10-CM FY2026", effective_date=datetime.date(2025, 10, 1)
    )
    rows = [
        CodeRow(code="13", title="Diseases of the musculoskeletal system", kind="chapter"),
        CodeRow(code="M45-M49", title="Spondylopathies", kind="section", parent="13"),
        CodeRow(code="M48", title="Other spondylopathies", kind="category", parent="M45-M49"),
        CodeRow(code="M48.5", title="Collapsed vertebra, not elsewhere classified", kind="subcategory", parent="M48"),
        CodeRow(code="M48.56", title="Collapsed vertebra, NEC, lumbar region", kind="subcategory", parent="M48.5"),
        CodeRow(
            code="M48.56XA",
            title="Collapsed vertebra, not elsewhere classified, lumbar region, initial encounter for fracture",
            parent="M48.56",
            billable=True,
        ),
    ]
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=release, rows=rows)


def test_a_coder_opens_a_code_copies_it_and_follows_a_breadcrumb(page: Page, live_server, codes):
    page.goto(f"{live_server.url}/")
    page.get_by_label("Search codes").fill("m4856xa")
    page.get_by_label("Search codes").press("Enter")
    expect(page).to_have_url(f"{live_server.url}/icd-10-cm/M48.56XA/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("M48.56XA")

    page.get_by_role("button", name="Copy code M48.56XA").click()
    expect(page.get_by_role("button", name="Copy code M48.56XA")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "M48.56XA"

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="M48", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/icd-10-cm/M48/")
    expect(page.get_by_text("Other spondylopathies").first).to_be_visible()
