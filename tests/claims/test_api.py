"""POST /api/v1/claim-check: the issue's request and response shapes, 400s per field, the quota and
the rate limit, and a bounded number of queries per claim."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from codes import claim_views
from tests.claims.conftest import claim, line

pytestmark = pytest.mark.django_db

EXAMPLE = {
    "date_of_service": "2026-03-02",
    "setting": "practitioner",
    "patient": {"age": 67, "sex": "F"},
    "diagnoses": ["E11.22", "N18.4", "I12.9"],
    "lines": [
        {"code": "99214", "modifiers": ["25"], "units": 1, "diagnosis_pointers": [1, 2]},
        {"code": "11102", "modifiers": [], "units": 1, "diagnosis_pointers": [1]},
    ],
}


def _post(client, body, **headers):
    return client.post("/api/v1/claim-check", json.dumps(body), content_type="application/json", **headers)


def test_the_issues_example_answers_in_the_documented_shape(client, claim_data):
    response = _post(client, EXAMPLE)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"findings", "checked"}
    ptp = next(f for f in body["findings"] if f["rule"] == "ncci_ptp")
    assert set(ptp) == {"severity", "rule", "lines", "codes", "message", "source"}
    assert set(ptp["source"]) == {"title", "release", "url"}
    assert ptp["severity"] == "info"  # 25 on the E/M line bypasses the indicator-1 edit
    assert ptp["lines"] == [1, 2]
    assert body["checked"]["ncci_ptp"] == 1
    assert body["checked"]["invalid_code"] == 5


def test_findings_come_worst_first(client, claim_data):
    body = claim(diagnoses=["E11.9", "E85.4"], lines=[line("43239"), line("43235"), line("99292")])
    severities = [f["severity"] for f in _post(client, body).json()["findings"]]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**EXAMPLE, "colour": "red"}, "colour"),
        ({**EXAMPLE, "date_of_service": "2026-02-30"}, "date_of_service"),
        ({**EXAMPLE, "diagnoses": ["E11.22", "not a code"]}, "diagnoses[2]"),
        ({**EXAMPLE, "lines": [{"code": "9921"}]}, "lines[1].code"),
        ({**EXAMPLE, "lines": [{"code": "99214", "units": 0}]}, "lines[1].units"),
        ({**EXAMPLE, "lines": [{"code": "99214", "flavour": 1}]}, "lines[1].flavour"),
        ({**EXAMPLE, "lines": [{"code": "99214"}] * 500}, "lines"),
        ({**EXAMPLE, "patient": {"age": 200}}, "patient.age"),
        ({**EXAMPLE, "setting": "inpatient"}, "setting"),
        ({**EXAMPLE, "setting": {}}, "setting"),
        ({**EXAMPLE, "patient": {"sex": {}}}, "patient.sex"),
        ({**EXAMPLE, "patient": {"sex": None}}, "patient.sex"),
        ({**EXAMPLE, "patient": None}, "patient"),
    ],
)
def test_bad_input_is_a_400_with_a_message_per_field(client, claim_data, body, field):
    response = _post(client, body)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_it_refuses_what_is_not_json(client, claim_data):
    assert client.post("/api/v1/claim-check", "date=1", content_type="text/plain").status_code == 415
    assert client.post("/api/v1/claim-check", "{", content_type="application/json").status_code == 400
    assert client.get("/api/v1/claim-check").status_code == 405


def test_nothing_is_stored(client, claim_data):
    from codes.models import SavedClaim

    _post(client, EXAMPLE)
    assert SavedClaim.objects.count() == 0


def test_a_guest_has_a_few_checks_a_day(client, claim_data, plans):
    plans("guest", claim_checks_per_day=2)
    assert _post(client, EXAMPLE).status_code == 200
    assert _post(client, EXAMPLE).status_code == 200
    refused = _post(client, EXAMPLE)
    assert refused.status_code == 429
    assert "Sign in or create a free account" in refused.json()["error"]
    assert int(refused["Retry-After"]) > 0


def test_pro_is_unlimited_within_the_rate_limit(client, claim_data, alice, monkeypatch):
    from accounts.models import Plan

    Plan.objects.create(user=alice, ends=datetime.date.today() + datetime.timedelta(days=30))
    monkeypatch.setattr(claim_views, "CLAIM_CHECK_RATE", "3/m")
    client.force_login(alice)
    statuses = [_post(client, EXAMPLE).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_queries_per_claim_are_bounded_not_per_pair(client, claim_data):
    small = claim(diagnoses=["E11.9", "E10.9"], lines=[line("43239"), line("43235")])
    ten = claim(
        diagnoses=["E11.22", "N18.4", "I12.9", "E85.4", "I43", "M48.56", "T81.4A", "O80"],
        lines=[
            line(c) for c in ("43239", "43235", "99214", "11102", "11103", "27447", "20610", "J1100", "99292", "22512")
        ],
    )
    counts = []
    for body in (small, ten):
        with CaptureQueriesContext(connection) as queries:
            assert _post(client, body).status_code == 200
        # the check's own queries (the rate limit's and the meter's are the same for any claim)
        counts.append(sum('FROM "codes_' in q["sql"] for q in queries.captured_queries))
    assert counts[0] <= 9
    assert counts[1] == counts[0] + 1  # the placeholder lookup of T81.4A; nothing grows with lines or pairs
