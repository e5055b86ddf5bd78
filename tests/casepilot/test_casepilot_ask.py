"""The CasePilot page: asking without JavaScript, the streamed answer, history, rating,
permalinks, PHI redaction and quotas; and the JSON API."""

import json

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from accounts.models import ApiToken, QuotaCounter
from casepilot.models import Question

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.CASEPILOT_RATE = "1000/m"


def stream_lines(response) -> list[dict]:
    return [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines() if line]


@pytest.mark.sqlite_smoke
def test_the_page_has_a_labelled_form(client, pilot_data):
    response = client.get("/casepilot/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<label for="casepilot-question">Your question</label>' in content
    assert "js/casepilot.js" in content


@pytest.mark.sqlite_smoke
def test_without_javascript_the_post_returns_the_whole_answer(client, pilot_data):
    response = client.post("/casepilot/", {"question": "Can 43239 and 43235 be billed together?"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "43239 is column 1 and 43235 is column 2" in content
    assert 'href="/cpt/43239/edits/?role=column1&amp;setting=practitioner&amp;status=all"' in content
    assert 'href="/cpt/43235/"' in content
    question = Question.objects.get()
    assert question.get_absolute_url() in content
    assert question.user is None
    assert question.asker


def test_with_javascript_the_answer_streams_progress_then_text_then_sources(client, pilot_data):
    response = client.post(
        "/casepilot/", {"question": "How many units of J1100 per day?"}, headers={"X-CasePilot-Stream": "1"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-ndjson"
    lines = stream_lines(response)
    kinds = [line["type"] for line in lines]
    assert kinds[0] == "progress"
    assert kinds[-1] == "done"
    assert kinds.index("text") < kinds.index("done")
    done = lines[-1]
    assert "120 units per day" in done["answer"]
    assert done["codes"] == [{"system": "hcpcs", "code": "J1100", "url": "/hcpcs/J1100/"}]
    assert done["permalink"] == Question.objects.get().get_absolute_url()


def test_an_empty_question_gets_a_clear_message(client, pilot_data):
    response = client.post("/casepilot/", {"question": "   "})
    assert response.status_code == 400
    assert "Type a question first." in response.content.decode()


def test_a_too_long_question_is_refused(client, pilot_data):
    response = client.post("/casepilot/", {"question": "x" * 1001})
    assert response.status_code == 400
    assert "under 1000 characters" in response.content.decode()


def test_phi_is_redacted_before_storage_and_the_user_is_told(client, pilot_data):
    asked = "Patient: John Smith, DOB 04/12/1956, SSN 123-45-6789. Is E11 billable?"
    response = client.post("/casepilot/", {"question": asked})
    content = response.content.decode()
    assert "personal health information" in content
    assert "E11 (Type 2 diabetes mellitus) is not billable" in content
    stored = Question.objects.get()
    for secret in ("John", "Smith", "1956", "123-45-6789"):
        assert secret not in stored.text
        assert secret not in stored.answer
    assert stored.redactions.get("ssn") == 1


def test_a_signed_in_user_keeps_a_history(client, pilot_data, alice):
    client.force_login(alice)
    client.post("/casepilot/", {"question": "Is E11 billable?"})
    client.post("/casepilot/", {"question": "What is CPT code 99213?"})
    assert list(Question.objects.of(alice).values_list("text", flat=True)) == [
        "What is CPT code 99213?",
        "Is E11 billable?",
    ]
    content = client.get("/casepilot/").content.decode()
    assert "Your questions" in content
    assert "Is E11 billable?" in content


def test_history_is_private(client, pilot_data, alice):
    Question.objects.create(user=alice, text="Alice's question", answer="...")
    assert "Alice&#x27;s question" not in client.get("/casepilot/").content.decode()


def test_the_asker_rates_an_answer(client, pilot_data):
    client.post("/casepilot/", {"question": "Is E11 billable?"})
    question = Question.objects.get()
    response = client.post(f"/casepilot/a/{question.slug}/rate/", {"rating": "1"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.rating == 1
    assert client.post(f"/casepilot/a/{question.slug}/rate/", {"rating": "5"}).status_code == 400


def test_someone_else_cannot_rate(client, pilot_data, alice):
    question = Question.objects.create(user=alice, text="q", answer="a")
    assert client.post(f"/casepilot/a/{question.slug}/rate/", {"rating": "1"}).status_code == 404  # private
    Question.objects.filter(pk=question.pk).update(shared=True)
    assert client.post(f"/casepilot/a/{question.slug}/rate/", {"rating": "1"}).status_code == 403


def test_a_permalink_is_private_to_its_owner_until_they_share_it(client, pilot_data, alice, django_user_model):
    client.force_login(alice)
    client.post("/casepilot/", {"question": "Is E11 billable?"})
    question = Question.objects.get()
    url = question.get_absolute_url()
    page = client.get(url).content.decode()
    assert "only you can open it" in page
    bob = django_user_model.objects.create_user(username="bob", email="bob@example.com", password="pw-bob-1")
    client.force_login(bob)
    assert client.get(url).status_code == 404
    assert client.post(f"{url}share/", {"shared": "on"}).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404

    client.force_login(alice)
    assert client.post(f"{url}share/", {"shared": "on"}).status_code == 302
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Is E11 billable?" in content
    assert "E11 (Type 2 diabetes mellitus) is not billable" in content
    assert "Was this answer helpful?" not in content  # only the asker rates
    assert "Stop sharing" not in content  # only the asker shares
    client.force_login(bob)
    assert client.post(f"{url}share/", {"shared": "off"}).status_code == 403  # readable, not bob's

    client.force_login(alice)
    client.post(f"{url}share/", {"shared": "off"})
    client.logout()
    assert client.get(url).status_code == 404
    assert client.get("/casepilot/a/nope/").status_code == 404


def test_a_guests_answer_is_private_to_the_guests_session(client, pilot_data, django_user_model):
    client.post("/casepilot/", {"question": "Is E11 billable?"})
    url = Question.objects.get().get_absolute_url()
    assert client.get(url).status_code == 200
    other = type(client)()  # another browser
    assert other.get(url).status_code == 404
    assert client.post(f"{url}share/", {"shared": "on"}).status_code == 302
    assert other.get(url).status_code == 200


def test_guests_have_three_questions_a_day(client, pilot_data):
    for _ in range(3):
        assert client.post("/casepilot/", {"question": "Is E11 billable?"}).status_code == 200
    response = client.post("/casepilot/", {"question": "Is E11 billable?"})
    assert response.status_code == 429
    assert "3 questions a guest may ask" in response.content.decode()
    assert Question.objects.count() == 3


def test_a_new_session_does_not_reset_a_guests_allowance(client, pilot_data, settings):
    for _ in range(3):
        client.post("/casepilot/", {"question": "Is E11 billable?"})
    client.cookies.clear()
    assert client.post("/casepilot/", {"question": "Is E11 billable?"}).status_code == 429


def test_free_accounts_have_their_own_allowance(client, pilot_data, alice, plans):
    plans("free", casepilot_questions_per_day=2)
    client.force_login(alice)
    assert client.post("/casepilot/", {"question": "Is E11 billable?"}).status_code == 200
    assert client.post("/casepilot/", {"question": "Is E11 billable?"}).status_code == 200
    response = client.post("/casepilot/", {"question": "Is E11 billable?"})
    assert response.status_code == 429
    assert "free plan allows today" in response.content.decode()
    assert QuotaCounter.objects.get(meter="casepilot_questions").used == 2


def test_the_rate_limit_has_a_clear_message(client, pilot_data, settings, plans):
    settings.CASEPILOT_RATE = "2/m"
    plans("guest", casepilot_questions_per_day=100)
    client.post("/casepilot/", {"question": "Is E11 billable?"})
    client.post("/casepilot/", {"question": "Is E11 billable?"})
    response = client.post("/casepilot/", {"question": "Is E11 billable?"})
    assert response.status_code == 429
    assert "Wait a minute" in response.content.decode()


def test_a_refused_streamed_question_gets_json(client, pilot_data):
    response = client.post("/casepilot/", {"question": ""}, headers={"X-CasePilot-Stream": "1"})
    assert response.status_code == 400
    assert response.json() == {"error": "Type a question first."}


# --- API ---


@pytest.mark.sqlite_smoke
def test_the_api_returns_answer_citations_and_codes(client, pilot_data):
    response = client.post(
        "/api/v1/casepilot/ask", json.dumps({"question": "Is E11 billable?"}), content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"answer", "citations", "codes"}
    assert "not billable" in body["answer"]
    assert body["citations"][0] == {"title": body["citations"][0]["title"], "url": "/icd-10-cm/E11/"}
    assert {"system": "icd-10-cm", "code": "E11.9", "url": "/icd-10-cm/E11.9/"} in body["codes"]
    for item in body["citations"]:
        assert set(item) == {"title", "url"}
    for item in body["codes"]:
        assert set(item) == {"system", "code", "url"}


def test_the_api_needs_no_csrf_token(pilot_data):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/casepilot/ask", json.dumps({"question": "What is CPT code 99213?"}), content_type="application/json"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"q": "x"}', b'{"question": 5}'])
def test_the_api_rejects_bad_json_clearly(client, pilot_data, body):
    response = client.post("/api/v1/casepilot/ask", body, content_type="application/json")
    assert response.status_code == 400
    assert "question" in response.json()["error"].lower()


def test_the_api_counts_against_the_quota(client, pilot_data):
    for _ in range(3):
        client.post("/api/v1/casepilot/ask", json.dumps({"question": "E11"}), content_type="application/json")
    response = client.post("/api/v1/casepilot/ask", json.dumps({"question": "E11"}), content_type="application/json")
    assert response.status_code == 429
    assert "guest" in response.json()["error"]


def test_the_api_only_accepts_post(client, pilot_data):
    assert client.get("/api/v1/casepilot/ask").status_code == 405


def test_an_api_token_asks_as_its_owner(client, pilot_data, staff):
    _token, secret = ApiToken.issue(user=staff, name="script")
    for _ in range(4):  # more than a guest may ask
        response = client.post(
            "/api/v1/casepilot/ask",
            json.dumps({"question": "Is E11 billable?"}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert response.status_code == 200
    assert Question.objects.filter(user=staff).count() == 4
    bad = client.post(
        "/api/v1/casepilot/ask", json.dumps({"question": "E11"}), content_type="application/json",
        headers={"Authorization": "Bearer ca_wrong"},
    )  # fmt: skip
    assert bad.status_code == 401


def test_api_guests_are_counted_by_address_without_a_session_per_call(client, pilot_data):
    client.post("/api/v1/casepilot/ask", json.dumps({"question": "E11"}), content_type="application/json")
    assert Session.objects.count() == 0
    assert QuotaCounter.objects.get().subject.startswith("a:")


def test_control_characters_in_a_question_are_stored_as_replacement_characters(client, pilot_data):
    response = client.post("/casepilot/", {"question": "What is\x00 E11.9?\t"})
    assert response.status_code == 200
    assert list(Question.objects.values_list("text", flat=True)) == ["What is\ufffd E11.9?"]


def test_every_code_page_has_a_casepilot_box_that_asks_with_its_code(client, pilot_data):
    page = client.get("/icd-10-cm/E11.9/").content.decode()
    assert "Have a question about ICD-10-CM code E11.9?" in page
    assert 'name="about" value="icd-10-cm:E11.9"' in page
    assert 'action="/casepilot/"' in page  # without JavaScript the form posts and gets the answer page
    response = client.post("/casepilot/", {"question": "Is it billable?", "about": "icd-10-cm:E11.9"})
    assert response.status_code == 200
    question = Question.objects.get()
    assert question.text == "Is it billable? (ICD-10-CM E11.9)"
    assert "E11.9 (Type 2 diabetes mellitus without complications) is billable" in question.answer


def test_the_box_refuses_a_code_that_is_not_on_the_site(client, pilot_data):
    response = client.post("/casepilot/", {"question": "Is it billable?", "about": "icd-10-cm:<script>"})
    assert response.status_code == 400
    assert "That code is not on this site." in response.content.decode()
    assert not Question.objects.exists()


def test_the_streamed_answer_says_how_many_questions_are_left(client, pilot_data, settings):
    settings.PLANS = {**settings.PLANS, "guest": {**settings.PLANS["guest"], "casepilot_questions_per_day": 3}}
    response = client.post(
        "/casepilot/", {"question": "What is the RVU?", "about": "cpt:99213"}, HTTP_X_CASEPILOT_STREAM="1"
    )
    lines = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert lines[-1]["type"] == "done"
    assert lines[-1]["remaining"] == 2
    assert "99213" in lines[-1]["answer"]
