import datetime
import json

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect

from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import PtpEdit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def edits(settings):
    settings.CASEPILOT_RATE = "1000/m"
    release = register_release(dataset="cpt-codes", version="2024Q3", title="CPT code numbers, 2024Q3")
    with transaction.atomic():
        sync_codes(
            system="cpt", release=release, rows=[CodeRow(code=c, title="", billable=True) for c in ("43235", "43239")]
        )
    for setting in ("practitioner", "outpatient"):
        ptp = register_release(
            dataset=f"ncci-ptp-{setting}", version="2024Q3", title=f"NCCI PTP {setting} 2024Q3",
            effective_date=datetime.date(2024, 7, 1),
        )  # fmt: skip
        PtpEdit.objects.create(
            setting=setting, column1="43239", column2="43235", modifier_indicator="0",
            rationale="CPT Separate procedure definition", release=ptp,
        )  # fmt: skip


def test_a_coder_asks_watches_the_answer_stream_and_follows_a_citation(page: Page, live_server, edits):
    page.goto(f"{live_server.url}/casepilot/")
    page.get_by_label("Your question").fill("Can 43239 and 43235 be billed together?")
    # Record what the page shows while the answer streams in: progress lines, then text.
    page.evaluate(
        """() => {
        window.seen = [];
        new MutationObserver(() => {
            const progress = document.querySelector(".casepilot-progress");
            if (progress) window.seen.push("progress: " + progress.textContent);
            if (document.querySelector("[data-answer-text] p")) window.seen.push("text");
        }).observe(document.body, {subtree: true, childList: true, characterData: true});
    }"""
    )
    # Keep a copy of the streamed answer as it passes: Chromium does not keep the body of a response
    # that a script has read as a stream, so Response.body() cannot be relied on afterwards.
    streamed = []

    def keep_a_copy(route):
        if route.request.method != "POST":
            return route.continue_()
        response = route.fetch()
        streamed.append((response.headers["content-type"], response.text()))
        route.fulfill(response=response)

    page.route("**/casepilot/", keep_a_copy)
    page.get_by_role("button", name="Ask CasePilot").click()
    expect(page.locator(".casepilot-citations")).to_be_visible()
    content_type, body = streamed[0]
    assert content_type == "application/x-ndjson"
    # The stream says what it checks before it answers (the page shows each line as it comes; how
    # many of them a browser paints depends on how the bytes arrive, so the order is read here).
    events = [json.loads(line) for line in body.splitlines() if line]
    kinds = [e["type"] for e in events]
    checks = [e["text"] for e in events if e["type"] == "progress" and "43239 and 43235" in e["text"]]
    assert checks, events
    assert kinds.index("progress") < kinds.index("text")
    assert "text" in page.evaluate("window.seen")
    expect(page).to_have_url(f"{live_server.url}/casepilot/")
    expect(page.get_by_role("heading", name="Answer", exact=True)).to_be_visible()
    expect(page.locator("[data-answer-text]")).to_contain_text("43239 is column 1 and 43235 is column 2")
    expect(page.get_by_role("link", name="Permalink", exact=True)).to_be_visible()

    page.get_by_role("link", name="NCCI PTP edits of 43239 (Practitioner, 2024Q3)").click()
    expect(page).to_have_url(f"{live_server.url}/cpt/43239/edits/?role=column1&setting=practitioner&status=all")
    expect(page.get_by_text("43235").first).to_be_visible()
