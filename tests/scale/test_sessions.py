"""codingahead/sessions: a new session costs one INSERT, and nothing set on it is ever lost."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from codingahead.sessions.db import SessionStore
from tests.accounts.test_metering import make_codes

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def _stored(session_key: str) -> dict:
    return SessionStore(session_key=session_key).load()


@pytest.mark.metered
def test_a_guests_first_code_page_writes_no_session(client):
    # The meter holds guests by a cookie of its own (accounts/quota.py), so no session row.
    code = make_codes()[0]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(code.get_absolute_url())
    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
    assert "sessionid" not in response.cookies
    assert not Session.objects.exists()


def test_a_change_after_creation_is_saved():
    session = SessionStore()
    session["a"] = 1
    session.create()
    session["b"] = 2
    session.save()
    assert _stored(session.session_key) == {"a": 1, "b": 2}


def test_a_change_deep_inside_a_value_is_saved():
    session = SessionStore()
    session["cart"] = {"items": [1]}
    session.create()
    session["cart"]["items"].append(2)
    session.modified = True
    session.save()
    assert _stored(session.session_key) == {"cart": {"items": [1, 2]}}


def test_a_key_in_use_is_never_handed_out_twice(monkeypatch):
    first = SessionStore()
    first["owner"] = "first"
    first.create()
    keys = iter([first.session_key, "x" * 32])
    monkeypatch.setattr(SessionStore, "_get_new_session_key", lambda self: next(keys))
    second = SessionStore()
    second["owner"] = "second"
    second.create()
    assert second.session_key == "x" * 32
    assert _stored(first.session_key) == {"owner": "first"}


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_new_session_is_one_statement():
    session = SessionStore()
    session["a"] = 1
    with CaptureQueriesContext(connection) as queries:
        session.create()
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) == 1
    assert sql[0].startswith('INSERT INTO "django_session"')  # no BEGIN and COMMIT around it
    assert _stored(session.session_key) == {"a": 1}  # and it reads back, unexpired


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_key_in_use_is_never_handed_out_twice(monkeypatch):
    test_a_key_in_use_is_never_handed_out_twice(monkeypatch)


@pytest.mark.django_db(transaction=True)
def test_a_new_cached_session_reaches_the_cache_when_first_read_back():
    from codingahead.sessions.cached_db import SessionStore as CachedStore

    session = CachedStore()
    session["metered"] = True
    session.create()
    cache = session._cache  # SESSION_CACHE_ALIAS
    assert cache.get(session.cache_key) is None
    again = CachedStore(session_key=session.session_key)
    assert again.load() == {"metered": True}
    assert cache.get(session.cache_key) == {"metered": True}
