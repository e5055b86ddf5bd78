"""CaseConsultant in a real browser: open a consultation, see the automated answer, a consultant replies, the user sees it."""

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import Page, expect

from casepilot import engine

pytestmark = pytest.mark.django_db(transaction=True)


def fake_casepilot(question: str) -> dict:
    return {
        "text": "Modifier 25 applies when the E/M is significant and separately identifiable.",
        "citations": [{"title": "NCCI Policy Manual, chapter 11", "url": "https://example.org/ncci"}],
        "codes": [{"system": "cpt", "code": "99214", "url": "/cpt/99214/"}],
    }


def log_in(page: Page, live_server, user) -> None:
    """Sign in by handing the browser a session cookie (allauth's sign-in is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])


@pytest.fixture
def consult_live(settings, tmp_path, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(engine, "answer", fake_casepilot)
    settings.MEDIA_ROOT = tmp_path / "media"


def test_open_a_consultation_see_the_automated_answer_and_the_consultants_reply(
    page: Page, live_server, consult_live, mailoutbox
):
    users = get_user_model().objects
    coder = users.create_user("coder", "coder@example.com", "pw")
    EmailAddress.objects.create(user=coder, email=coder.email, verified=True, primary=True)
    consultant = users.create_user("consultant", "consultant@example.com", "pw", is_staff=True)
    consultant.groups.add(Group.objects.create(name="consultants"))

    # The coder opens a consultation with a note that has a patient's name in it.
    log_in(page, live_server, coder)
    page.goto(f"{live_server.url}/consult/")
    page.get_by_label("Subject").fill("Modifier 25 with a biopsy")
    page.get_by_label("Codes involved").fill("99214, 11102")
    page.get_by_label("Question").fill("Patient: Jane Doe. E/M and biopsy on 05/30/2024. Is modifier 25 right?")
    page.get_by_role("button", name="Send question").click()

    expect(page.get_by_role("heading", name="Modifier 25 with a biopsy", level=1)).to_be_visible()
    expect(page.get_by_text("we removed 1 name")).to_be_visible()
    page.reload()
    expect(page.get_by_text("Automated: drafted by CasePilot")).to_be_visible()
    expect(page.get_by_text("Modifier 25 applies when the E/M is significant")).to_be_visible()
    expect(page.get_by_role("link", name="NCCI Policy Manual, chapter 11")).to_be_visible()
    expect(page.get_by_text("Jane Doe")).to_have_count(0)
    url = page.url

    # A consultant finds it in the queue, claims it and answers from CasePilot's draft.
    log_in(page, live_server, consultant)
    page.goto(f"{live_server.url}/consult/queue/")
    expect(page.get_by_text("within target")).to_be_visible()
    page.get_by_role("link", name="Modifier 25 with a biopsy").click()
    page.get_by_role("button", name="Claim").click()
    answer = page.get_by_label("Your answer")
    expect(answer).to_have_value("Modifier 25 applies when the E/M is significant and separately identifiable.")
    answer.fill("Yes: append 25 to 99214; the biopsy decision alone is not a separate E/M.")
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_text("Your answer has been sent to the user.")).to_be_visible()

    # The coder sees the consultant's answer on the site, and got it by email.
    log_in(page, live_server, coder)
    page.goto(url)
    expect(page.get_by_text("From a consultant")).to_be_visible()
    expect(page.get_by_text("Yes: append 25 to 99214")).to_be_visible()
    expect(page.locator("#consult-status")).to_have_text("Answered")
    assert [m.to for m in mailoutbox] == [["coder@example.com"], ["coder@example.com"]]
