"""Below the Pro plan an answer carries the locked details of at most a few codes (issue 12, item 2)."""

import datetime
import json

import pytest
from django.db import transaction

from casepilot.models import Question
from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code, Note

pytestmark = pytest.mark.django_db

CODES = [f"Q{n:02d}.{d}" for n in range(10, 20) for d in range(10)]  # 100 codes, Q10.0 ... Q19.9


@pytest.fixture
def hundred_codes(db, settings):
    settings.CASEPILOT_RATE = "1000/m"
    release = register_release(
        dataset="icd-10-cm", version="2026", title="ICD-10-CM FY2026", effective_date=datetime.date(2025, 10, 1)
    )
    rows = [CodeRow(code=c, title=f"Invented condition {c}", billable=True) for c in CODES]
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=release, rows=rows)
    for row in Code.objects.filter(system="icd-10-cm", code__in=CODES):
        Note.objects.create(code=row, type=Note.Type.EXCLUDES1, text=f"secret note of {row.code}", position=1)


def ask(client, question):
    response = client.post("/casepilot/", {"question": question})
    assert response.status_code == 200
    return response, Question.objects.latest("pk")


def test_a_guest_gets_the_notes_of_three_codes_and_the_rest_named_and_linked(client, hundred_codes):
    response, question = ask(client, "Notes of " + ", ".join(CODES))
    assert question.answer.count("secret note of") == 3
    assert "secret note of Q10.0" in question.answer
    assert "secret note of Q10.3" not in question.answer
    assert "Not shown for 97 more codes: Q10.3, Q10.4" in question.answer
    assert "locked details" in question.answer
    assert "at most 3 codes" in question.answer
    # Every code of the question is named and linked in the answer, detailed or not.
    assert {c["code"] for c in question.codes} == set(CODES)
    page = response.content.decode()
    assert 'href="/icd-10-cm/Q19.9/"' in page
    # The public permalink shows the same capped answer.
    permalink = client.get(question.get_absolute_url()).content.decode()
    assert "secret note of Q10.2" in permalink
    assert "secret note of Q10.3" not in permalink


def test_the_api_and_the_stream_are_capped_too(client, hundred_codes):
    response = client.post(
        "/api/v1/casepilot/ask", {"question": "Notes of " + " ".join(CODES)}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["answer"].count("secret note of") == 3
    streamed = client.post(
        "/casepilot/", {"question": "Excludes1 of " + " ".join(CODES[:10])}, HTTP_X_CASEPILOT_STREAM="1"
    )
    lines = [json.loads(line) for line in b"".join(streamed.streaming_content).splitlines()]
    assert sum(line["text"].count("secret note of") for line in lines if line["type"] == "text") == 3
    assert lines[-1]["type"] == "done"
    assert lines[-1]["answer"].count("secret note of") == 3


def test_a_code_named_twice_counts_once(client, hundred_codes):
    _, question = ask(client, "Notes of Q10.0, Q10.0, Q10.1 and Q10.2")
    assert question.answer.count("secret note of") == 3
    assert "Not shown" not in question.answer


def test_staff_get_every_code(client, hundred_codes, django_user_model):
    user = django_user_model.objects.create_user("sam", "sam@example.com", "pw", is_staff=True)
    client.force_login(user)
    _, question = ask(client, "Notes of " + ", ".join(CODES[:20]))
    assert question.answer.count("secret note of") == 20
    assert "Not shown" not in question.answer
