"""Every endpoint that costs work or can be abused answers 429 with Retry-After and a clear message
once its limit is passed; a route that is neither limited nor exempted (with a reason) fails the audit."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from casepilot.models import Question
from jobs.models import Job
from tests.factories import PASSWORD
from tests.security.routes import site_routes

# Views that count their own limit (no @ratelimit decorator), and how.
HAND_CHECKED = {
    "codes.views.code_page": "metered: a monthly allowance per user, session and address (accounts/quota.py)",
    "codes.views.api_code": "metered like code pages; with a token, API_TOKEN_RATE per token (accounts/tokens.py)",
    "casepilot.assistant.index": "CASEPILOT_RATE and the daily question quota (casepilot/assistant.py _admit)",
    "casepilot.assistant.api_ask": "CASEPILOT_RATE and the daily question quota (casepilot/assistant.py _admit)",
    "jobs.views.post_job": "POST_RATE per employer, counted once the form is valid",
    "jobs.views.report": "REPORT_RATE per address, counted once the form is valid",
    "jobs.views.save_search": "SAVE_SEARCH_RATE per user",
    "codes.claim_views.claim_check": "CLAIM_CHECK_RATE per address and the daily claim_checks quota, on POST",
    "codes.claim_views.claim_batch_page": "CLAIM_CHECK_RATE per address and a check of the quota per claim, on POST",
    "codes.claim_views.api_claim_check": "CLAIM_CHECK_RATE per address and the daily claim_checks quota",
}
# allauth's views, limited by ACCOUNT_RATE_LIMITS (settings.py); keyed by URL name.
ALLAUTH_LIMITED = {
    "account_login": "login, login_failed",
    "account_signup": "signup",
    "account_reset_password": "reset_password",
    "account_reset_password_from_key": "reset_password_from_key",
    "account_change_password": "change_password",
    "account_set_password": "change_password",
    "account_email": "manage_email",
    "account_confirm_email": "confirm_email",
    "account_reauthenticate": "reauthenticate",
    "account_request_reauthentication_code": "reauthenticate",
    "account_confirm_reauthentication_code": "reauthenticate",
    "account_confirm_login_code": "login_failed",
}
# Cheap, read-only pages (or staff-only ones), with why they need no limit. Keep this list short.
EXEMPT = {
    "codingahead.health.healthz": "one cheap query; polled by the load balancer",
    "codingahead.openapi.openapi_json": "a static document",
    "accounts.views.pricing": "static page",
    "casepilot.assistant.answer": "one row by a random slug",
    "casepilot.views.guide": "one row by slug",
    "casepilot.consult_views.consultant": "static page and the user's own list",
    "casepilot.consult_views.consultation": "the user's own consultation",
    "casepilot.consult_views.attachment": "the user's own file",
    "casepilot.consult_views.queue": "consultants (staff) only",
    "casepilot.consult_views.claim": "consultants (staff) only",
    "casepilot.consult_views.answer": "consultants (staff) only",
    "casepilot.consult_views.close": "consultants (staff) only",
    "jobs.views.detail": "one posting by primary key",
    "jobs.views.dashboard": "the employer's own postings",
    "jobs.views.saved_jobs": "the user's own list",
    "jobs.views.review_queue": "staff only",
    "jobs.views.review_action": "staff only",
    "codingahead.views.home": "static page",
    "codingahead.views.robots_txt": "static text",
    "codes.views.data_sources": "static page",
    "codes.tables.index_table": "read-only code-set page",
    "codes.pcs_index.pcs_index": "read-only code-set page",
    "codes.alphabetic_index.index_letter": "read-only code-set page (one letter's main terms)",
    "codes.alphabetic_index.index_term": "read-only code-set page (its tree cached per data version)",
    "codes.guidelines.section": "read-only page: one section, two queries",
    "codes.views.modifier_list": "read-only code-set page",
    "codes.views.modifier": "read-only code-set page",
    "codes.views.browse": "read-only code-set page",
    "codes.views.browse_node": "read-only code-set page",
    "codes.edits.ptp_edits": "read-only code-set page",
    "codes.claim_views.claim_batch_sample": "static text",
    "codes.claim_views.saved_claims": "the user's own list",
    "codes.claim_views.saved_claim": "the user's own claim (checking it again is a POST of the form)",
    "codes.claim_views.delete_saved_claim": "the user's own claim",
}
# allauth pages that only show a message or sign out.
ALLAUTH_EXEMPT = {"account_logout", "account_inactive", "account_email_verification_sent"}
ALLAUTH_EXEMPT |= {"account_reset_password_done", "account_reset_password_from_key_done"}


def _view_name(view) -> str:
    inner = view
    while hasattr(inner, "__wrapped__"):
        inner = inner.__wrapped__
    return f"{inner.__module__}.{getattr(inner, '__qualname__', type(inner).__qualname__)}"


def _has_ratelimit_decorator(view) -> bool:
    while view is not None:
        code = getattr(view, "__code__", None)
        if code is not None and code.co_filename.replace("\\", "/").endswith("django_ratelimit/decorators.py"):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


def test_every_route_is_rate_limited_or_exempt_with_a_reason():
    unchecked = []
    for path, name, view in site_routes():
        if view.__module__.startswith("allauth."):
            if name not in ALLAUTH_LIMITED and name not in ALLAUTH_EXEMPT:
                unchecked.append(f"{path} ({name})")
            continue
        qualified = _view_name(view)
        if not (_has_ratelimit_decorator(view) or qualified in HAND_CHECKED or qualified in EXEMPT):
            unchecked.append(f"{path} ({qualified})")
    assert not unchecked, "Rate-limit these (django-ratelimit, block=True) or list them with a reason: " + ", ".join(
        unchecked
    )


def test_the_exemptions_name_real_views():
    names = {_view_name(view) for _path, _name, view in site_routes()}
    assert set(EXEMPT) <= names
    assert set(HAND_CHECKED) <= names


# --- Driving each limit --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clock_stands_still(ratelimit_clock_stands_still):
    pass


def _assert_429(response, *, json: bool = False, text: str = "Too many requests") -> None:
    assert response.status_code == 429, response.content[:300]
    assert int(response["Retry-After"]) > 0
    if json:
        assert response.json()["error"]
    else:
        assert text in response.content.decode()


def _hammer(send, limit: int):
    """`limit` requests pass, the next is refused: returns that refusal."""
    for i in range(limit):
        response = send()
        assert response.status_code != 429, f"refused after {i} requests, the limit is {limit}"
    return send()


@pytest.fixture
def job(alice) -> Job:
    return Job.objects.create(
        owner=alice,
        title="Outpatient Coder",
        employer_name="Acme Health",
        work_setting="outpatient",
        employment_type="full_time",
        description="A coding job with enough words to pass the checks.",
        apply_to="https://example.com/apply",
        status=Job.Status.LIVE,
        published_at=timezone.now(),
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )


pytestmark = pytest.mark.django_db


def test_login_signup_and_password_reset(client, alice, settings):
    # allauth's "login_failed" lockout answers with a form error; its "login" limit with a 429.
    limits = {"login": "2/m/ip", "signup": "1/m/ip", "reset_password": "1/m/ip"}
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, **limits}
    wrong = {"login": "alice@example.com", "password": "wrong"}
    _assert_429(_hammer(lambda: client.post("/accounts/login/", wrong), 2))
    signup = {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD}
    _assert_429(_hammer(lambda: client.post("/accounts/signup/", signup), 1))
    reset = {"email": "alice@example.com"}
    _assert_429(_hammer(lambda: client.post("/accounts/password/reset/", reset), 1))


def test_code_search_suggestions_and_batch(client, code, monkeypatch):
    from codes import search_views

    monkeypatch.setattr(search_views, "SEARCH_RATE", "1/m")
    monkeypatch.setattr(search_views, "SUGGEST_RATE", "1/m")
    monkeypatch.setattr(search_views, "BATCH_RATE", "1/m")
    _assert_429(_hammer(lambda: client.get("/search/", {"q": "diabetes"}), 1), text="Too many searches")
    _assert_429(_hammer(lambda: client.get("/search/suggest", {"q": "diab"}), 1), json=True)
    _assert_429(_hammer(lambda: client.post("/search/batch/", {"codes": "E11.9"}), 1), text="Too many searches")


def test_the_code_api_per_token(client, staff, code, settings):
    settings.API_TOKEN_RATE = "1/m"
    _token, secret = ApiToken.issue(user=staff, name="script")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    _assert_429(_hammer(lambda: client.get("/api/v1/codes/icd-10-cm/E11.9", **auth), 1), json=True)


def test_casepilot_ask_page_and_api(client, settings):
    settings.CASEPILOT_RATE = "0/m"
    _assert_429(client.post("/casepilot/", {"question": "What is E11.9?"}), text="asking very fast")
    response = client.post("/api/v1/casepilot/ask", {"question": "What is E11.9?"}, content_type="application/json")
    _assert_429(response, json=True)


def test_rating_an_answer(client):
    question = Question.objects.create(text="q", answer="a")
    _assert_429(_hammer(lambda: client.post(f"/casepilot/a/{question.slug}/rate/", {"rating": "1"}), 60))


def test_consultations(client, alice):
    client.force_login(alice)
    _assert_429(_hammer(lambda: client.post("/consult/new/", {}), 30), text="You have sent many messages")


def test_job_posting_reports_and_saved_searches(client, alice, job, monkeypatch):
    from jobs import views

    monkeypatch.setattr(views, "POST_RATE", "0/d")
    monkeypatch.setattr(views, "REPORT_RATE", "0/h")
    monkeypatch.setattr(views, "SAVE_SEARCH_RATE", "0/h")
    client.force_login(alice)
    response = client.post(f"/jobs/{job.pk}/duplicate/")
    _assert_429(response, text="You have sent too many job postings")
    assert response["Retry-After"] == "86400"
    _assert_429(client.post(f"/jobs/{job.pk}/report/", {"reason": "scam"}), text="You have sent too many reports")
    _assert_429(client.post("/jobs/searches/save/", {"frequency": "daily", "query": "q=coder"}))


def test_saving_jobs_and_job_search(client, alice, job):
    client.force_login(alice)
    _assert_429(_hammer(lambda: client.post(f"/jobs/{job.pk}/save/"), 60))
    _assert_429(_hammer(lambda: client.get(f"/jobs/{job.pk}/apply/"), 30))
    _assert_429(_hammer(lambda: client.get("/jobs/feed/rss/"), 120))


def test_favourites_notes_tokens_and_exports(client, staff, code):
    client.force_login(staff)
    _assert_429(_hammer(lambda: client.post("/accounts/favourites/icd-10-cm/E11.9/", {"favourite": "on"}), 60))
    _assert_429(_hammer(lambda: client.post("/accounts/notes/icd-10-cm/E11.9/", {"text": "n"}), 60))
    _assert_429(_hammer(lambda: client.post("/accounts/tokens/", {"name": ""}), 20))
    _assert_429(_hammer(lambda: client.post("/accounts/tokens/999/revoke/"), 30))
    _assert_429(_hammer(lambda: client.get("/accounts/export.csv"), 10))
    _assert_429(_hammer(lambda: client.get("/accounts/export.json"), 5))


def test_guide_search(client):
    _assert_429(_hammer(lambda: client.get("/guides/", {"q": "modifier"}), 60))


def test_the_api_answers_json_and_pages_answer_html(client, alice, job):
    """The same limit answers an API or script in JSON, a browser with the 429 page."""
    client.force_login(alice)
    _hammer(lambda: client.post(f"/jobs/{job.pk}/save/"), 60)
    page = client.post(f"/jobs/{job.pk}/save/")
    _assert_429(page)
    assert "<h1>Too many requests</h1>" in page.content.decode()
    _assert_429(client.post(f"/jobs/{job.pk}/save/", HTTP_ACCEPT="application/json"), json=True)


# --- behind a proxy: limits count the client, never the proxy ------------------------------------

PROXY = "10.0.0.1"


def _via_proxy(client_address: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}


def test_behind_a_trusted_proxy_each_client_has_its_own_search_limit(client, code, monkeypatch, settings):
    from codes import search_views

    settings.TRUSTED_PROXIES = [PROXY]
    monkeypatch.setattr(search_views, "SEARCH_RATE", "1/m")
    search = {"q": "diabetes"}
    _assert_429(_hammer(lambda: client.get("/search/", search, **_via_proxy("198.51.100.7")), 1), text="Too many")
    assert client.get("/search/", search, **_via_proxy("198.51.100.8")).status_code == 200


def test_behind_a_trusted_proxy_each_client_has_its_own_login_limit(client, alice, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    wrong = {"login": "alice@example.com", "password": "wrong"}
    _assert_429(_hammer(lambda: client.post("/accounts/login/", wrong, **_via_proxy("198.51.100.7")), 2))
    assert client.post("/accounts/login/", wrong, **_via_proxy("198.51.100.8")).status_code == 200


def test_a_forwarded_header_from_an_untrusted_address_is_ignored(client, code, monkeypatch, settings):
    from codes import search_views

    settings.TRUSTED_PROXIES = [PROXY]
    monkeypatch.setattr(search_views, "SEARCH_RATE", "1/m")
    # A client writing its own X-Forwarded-For does not get a new allowance with each value.
    spoofed = [{"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": f"198.51.100.{i}"} for i in range(3)]
    assert client.get("/search/", {"q": "diabetes"}, **spoofed[0]).status_code == 200
    _assert_429(client.get("/search/", {"q": "diabetes"}, **spoofed[1]), text="Too many")
