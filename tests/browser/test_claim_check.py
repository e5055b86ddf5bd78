"""The claim check in a browser, at desktop and phone widths: a coder fills a claim (adding a line in
place), sees the findings grouped by line and downloads them as CSV."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.claims.conftest import claim_data  # noqa: F401  (the claim check's sample tables)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [1366, 390])
def test_a_coder_checks_a_claim_and_downloads_the_findings(page: Page, live_server, claim_data, width):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/claim-check/")
    page.get_by_label("Date of service").fill("2026-03-02")
    page.get_by_label("Diagnosis 1", exact=True).fill("E11.9")
    page.get_by_label("Diagnosis 2", exact=True).fill("E10.9")
    page.get_by_label("Line 1 code").fill("43239")
    page.get_by_label("Line 2 code").fill("43235")
    page.get_by_label("Line 2 modifiers").fill("59")
    page.get_by_role("button", name="Add a line").click()  # in place, no reload
    page.get_by_label("Line 3 code").fill("99292")
    page.get_by_label("Line 3 diagnosis pointers").fill("1")
    page.get_by_role("button", name="Check the claim").click()

    results = page.locator("#claim-results")
    expect(results.get_by_role("heading", level=2)).to_contain_text("findings")
    expect(results.get_by_role("heading", name="Line 1: 43239")).to_be_visible()
    expect(results).to_contain_text("modifier indicator 0")
    expect(results).to_contain_text("99292 is an add-on code (type 1)")
    expect(results).to_contain_text("Excludes1")
    # nothing makes the page wider than the screen (the tables scroll inside their boxes)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download findings (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "claim-check.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0] == "claim_id,severity,rule,lines,codes,message,source,release,url"
    assert ",error,ncci_ptp,1 2,43239 43235," in text
