"""Hostile input on every URL and form: never a 500, never garbage stored (NUL bytes, which
PostgreSQL refuses in text, are cleaned or refused with a 4xx)."""

import json
import os
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.routes import site_routes

pytestmark = pytest.mark.django_db

# CI runs the same examples every time (derandomize); FUZZ_RANDOM=1 explores new ones.
FUZZ = settings(
    max_examples=12,
    derandomize=not os.getenv("FUZZ_RANDOM"),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

# Parameters the views read from the query string, plus a few they do not.
PARAMS = [
    "q", "system", "billable", "limit", "page", "sort", "letter", "role", "setting", "status", "next",
    "state", "workplace", "work_setting", "employment_type", "credential", "salary_min", "remote", "days",
    "kind", "code", "format", "rated", "index", "chapter", "x",
]  # fmt: skip

HOSTILE = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None), max_size=20),  # lone surrogates: invalid UTF-8 once encoded
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\x1b[31m\r\n\t",
            "x" * 5000,
            "' OR 1=1 --",
            "'; DROP TABLE codes_code; --",
            "<script>alert(1)</script>",
            "%",
            "%00",
            "9" * 40,
            "-1",
            "-99999999999999999999",
            "1e309",
            "NaN",
            "[]",
            "{}",
            "E11.9",
            "\ufeff",
            "\u202e",
        ]
    ),
    st.integers().map(str),
)


def _encode(value: str) -> str:
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


GET_ROUTES = sorted({path for path, _, _ in site_routes()} | {"/search/?", "/jobs/?"})


@pytest.mark.parametrize("path", sorted({path for path, _, _ in site_routes()}))
def test_query_strings_never_cause_a_500(client, alice, code, path):
    client.force_login(alice)

    @FUZZ
    @given(params=st.dictionaries(st.sampled_from(PARAMS), HOSTILE, max_size=4))
    def run(params):
        query = "&".join(f"{name}={_encode(value)}" for name, value in params.items())
        response = client.get(path, QUERY_STRING=query)
        assert response.status_code < 500, (path, query)

    run()


FORMS = {
    "/search/batch/": ["codes"],
    "/casepilot/": ["question"],
    "/accounts/profile/": ["display_name", "employer", "specialty", "credentials", "years_experience"],
    "/accounts/notes/icd-10-cm/E11.9/": ["text", "next"],
    "/accounts/favourites/icd-10-cm/E11.9/": ["favourite", "next"],
    "/accounts/tokens/": ["name"],
    "/accounts/login/": ["login", "password", "next"],
    "/accounts/signup/": ["email", "password1", "password2"],
    "/accounts/password/reset/": ["email"],
    "/consult/new/": ["subject", "codes", "question"],
    "/jobs/new/": ["title", "employer_name", "city", "state", "zip_code", "salary_min", "salary_max", "description"],
    "/jobs/searches/save/": ["q", "name", "frequency", "state"],
}


@pytest.mark.parametrize("path", sorted(FORMS))
def test_forms_never_cause_a_500_or_store_nul_bytes(client, alice, code, settings, path):
    settings.CASEPILOT_RATE = "100000/m"
    client.force_login(alice)

    @FUZZ
    @given(data=st.fixed_dictionaries({}, optional=dict.fromkeys(FORMS[path], HOSTILE)))
    def run(data):
        # Form fields travel as UTF-8: a lone surrogate becomes U+FFFD, as a browser sends it.
        clean = {k: v.encode("utf-8", "replace").decode("utf-8") for k, v in data.items()}
        response = client.post(path, clean)
        assert response.status_code < 500, (path, clean)

    run()


@FUZZ
@given(body=st.one_of(HOSTILE, st.builds(lambda q: json.dumps({"question": q}), HOSTILE), st.binary(max_size=50)))
def test_the_casepilot_api_never_answers_500(client, settings, body):
    settings.CASEPILOT_RATE = "100000/m"
    settings.PLANS = {**settings.PLANS, "guest": {**settings.PLANS["guest"], "casepilot_questions_per_day": 100000}}
    data = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
    response = client.post("/api/v1/casepilot/ask", data, content_type="application/json")
    assert response.status_code < 500, body


# --- the 500s the fuzzing found, kept as plain regression tests ---


def test_a_control_character_in_a_feed_query_is_dropped_not_a_500(client):
    for feed in ("/jobs/feed/atom/", "/jobs/feed/rss/"):
        response = client.get(feed, {"q": "coder\x01\x1b"})
        assert response.status_code == 200
        assert b"\x01" not in response.content


def test_a_bare_word_as_next_falls_back_to_the_code_page(client, alice, code):
    client.force_login(alice)
    response = client.post("/accounts/favourites/icd-10-cm/E11.9/", {"favourite": "on", "next": "home"})
    assert response.status_code == 302
    assert response["Location"] == "/icd-10-cm/E11.9/"
