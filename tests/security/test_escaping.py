"""User content is escaped wherever it appears, JSON-LD included."""

import json
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from casepilot.models import Consultation, ConsultMessage, Question
from codes.models import CodeNote
from tests.factories import make_job

pytestmark = pytest.mark.django_db

PAYLOAD = "</script><script>alert(1)</script><img src=x onerror=alert(2)>"


def _assert_inert(response) -> None:
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x onerror" not in html


def _json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    return [json.loads(block) for block in blocks]


def test_a_job_posting_is_escaped_on_its_page_in_its_json_ld_and_in_the_list(client, alice):
    job = make_job(alice, title=f"Coder {PAYLOAD}", employer_name=f"Acme {PAYLOAD}", description=f"We hire. {PAYLOAD}")
    response = client.get(job.get_absolute_url())
    _assert_inert(response)
    html = response.content.decode()
    (data,) = _json_ld(html)
    assert data["title"] == job.title  # the JSON-LD still carries the text, escaped for a script block
    _assert_inert(client.get("/jobs/"))
    _assert_inert(client.get("/jobs/?q=coder"))
    _assert_inert(client.get("/jobs/feed/rss/"))


def test_a_note_is_escaped_on_the_code_page_and_the_account_page(client, alice, code):
    CodeNote.objects.create(user=alice, code=code, text=PAYLOAD)
    client.force_login(alice)
    _assert_inert(client.get("/icd-10-cm/E11.9/"))
    _assert_inert(client.get("/accounts/profile/"))
    export = client.get("/accounts/export.csv").content.decode()
    assert PAYLOAD in export  # a CSV download, served as text/csv, keeps the text as written


def test_a_consultation_is_escaped_for_its_owner_and_in_the_queue(client, alice, staff):
    consultation = Consultation.objects.create(user=alice, subject=f"Help {PAYLOAD}", codes=PAYLOAD)
    ConsultMessage.objects.create(consultation=consultation, author_kind="user", author=alice, body=PAYLOAD)
    client.force_login(alice)
    _assert_inert(client.get(consultation.get_absolute_url()))
    _assert_inert(client.get("/accounts/profile/"))
    staff.groups.add(Group.objects.get_or_create(name=settings.CONSULT_GROUP)[0])
    client.force_login(staff)
    _assert_inert(client.get("/consult/queue/"))
    _assert_inert(client.get(consultation.get_absolute_url()))


def test_a_casepilot_question_is_escaped_on_its_permalink(client, alice):
    question = Question.objects.create(user=alice, text=PAYLOAD, answer=f"Answer {PAYLOAD}", shared=True)
    _assert_inert(client.get(question.get_absolute_url()))
    client.force_login(alice)
    _assert_inert(client.get("/casepilot/"))


def test_a_search_query_is_escaped_on_the_results_page(client, code):
    _assert_inert(client.get("/search/", {"q": PAYLOAD}))
    _assert_inert(client.get("/jobs/", {"q": PAYLOAD}))
