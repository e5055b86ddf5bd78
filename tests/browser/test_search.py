"""Case2Code in a browser: header suggestions by keyboard, and a pasted batch downloaded as CSV."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.codes.search_data import build

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def indexed():
    build()


def test_a_coder_picks_a_suggestion_with_the_keyboard(page: Page, live_server, indexed):
    page.goto(f"{live_server.url}/hcpcs/J1100/")
    box = page.get_by_role("combobox", name="Search codes")
    box.press_sequentially("heart att", delay=30)
    listbox = page.get_by_role("listbox", name="Suggested codes")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    # A word prefix completes the category coders mean first (issue 16: categories and main terms).
    expect(listbox.get_by_role("option").first).to_contain_text("I21")

    box.press("ArrowDown")
    expect(listbox.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "header-suggestion-0")
    box.press("Escape")
    expect(listbox).to_be_hidden()

    box.press("ArrowDown")  # reopens the list
    expect(listbox).to_be_visible()
    box.press("ArrowDown")
    chosen = listbox.get_by_role("option").first.get_attribute("data-url")
    box.press("Enter")
    expect(page).to_have_url(f"{live_server.url}{chosen}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("I21")


def test_enter_without_a_choice_opens_the_results_page(page: Page, live_server, indexed):
    page.goto(f"{live_server.url}/search/")
    box = page.get_by_role("combobox", name="Search codes")
    box.fill("broken wrist")
    box.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/search/?q=broken+wrist")
    expect(page.get_by_role("link", name="S62.101A")).to_be_visible()


def test_a_coder_pastes_a_batch_and_downloads_the_csv(page: Page, live_server, indexed):
    page.goto(f"{live_server.url}/search/batch/")
    page.get_by_label("Codes to check").fill("m4856xa\nE11.2, ZZZ99; S30.1XXA")
    page.get_by_role("button", name="Check codes").click()
    expect(page.get_by_role("heading", name="4 codes checked")).to_be_visible()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Valid and billable")
    expect(table).to_contain_text("Unknown")
    expect(table).to_contain_text("Deleted 2026-03-31")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "codes.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "typed,system,code,status,deleted_on,title,url"
    assert "m4856xa,icd-10-cm,M48.56XA,billable" in text
    assert "ZZZ99,,,unknown" in text
