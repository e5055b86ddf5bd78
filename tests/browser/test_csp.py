"""The strict Content-Security-Policy in a real browser: the main pages raise no violation, and
the JavaScript features still work under it (suggestions, copy button, CasePilot streaming)."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tests.codes.search_data import build
from tests.factories import make_job

pytestmark = pytest.mark.django_db(transaction=True)

# Runs before any page script: records every CSP violation the browser reports.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def site(settings):
    settings.CASEPILOT_RATE = "1000/m"
    build()
    employer = get_user_model().objects.create_user("employer", "hr@acmehealth.example", "pw")
    return make_job(employer, title="Inpatient Coder </script><script>alert(1)</script>")


@pytest.fixture
def watched(page: Page):
    """The page, with CSP violations collected from the console and from the DOM event."""
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    return page, console


def _assert_no_violations(page: Page, console: list[str]) -> None:
    violations = page.evaluate("window.__cspViolations")
    csp_messages = [text for text in console if "Content Security Policy" in text or "Content-Security-Policy" in text]
    assert violations == [], violations
    assert csp_messages == [], csp_messages


def test_main_pages_raise_no_csp_violation(watched, live_server, site):
    page, console = watched
    for path in ("/", "/jobs/", site.get_absolute_url(), "/accounts/login/", "/accounts/signup/", "/search/?q=heart"):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        _assert_no_violations(page, console)
    # The job's JSON-LD is data, not script: it is parsed and never run.
    page.goto(f"{live_server.url}{site.get_absolute_url()}")
    data = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert data["title"] == site.title
    _assert_no_violations(page, console)


def test_suggestions_and_copy_button_work_under_the_policy(watched, live_server, site):
    page, console = watched
    page.goto(f"{live_server.url}/icd-10-cm/I21.9/")
    page.get_by_role("button", name="Copy code I21.9").click()
    expect(page.get_by_role("button", name="Copy code I21.9")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "I21.9"

    box = page.get_by_role("combobox", name="Search codes")
    box.press_sequentially("heart att", delay=30)
    listbox = page.get_by_role("listbox", name="Suggested codes")
    expect(listbox.get_by_role("option").first).to_contain_text("I21")
    _assert_no_violations(page, console)


def test_casepilot_streams_its_answer_under_the_policy(watched, live_server, site):
    page, console = watched
    page.goto(f"{live_server.url}/casepilot/")
    page.get_by_label("Your question").fill("Is I21.9 billable?")
    with page.expect_response(lambda r: r.url.endswith("/casepilot/") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Ask CasePilot").click()
    assert answer.value.headers["content-type"] == "application/x-ndjson"
    expect(page.locator("[data-answer-text]")).to_contain_text("I21.9")
    # Streamed in place: still the same page, not a reload.
    expect(page).to_have_url(f"{live_server.url}/casepilot/")
    _assert_no_violations(page, console)
