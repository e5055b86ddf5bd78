"""Sessions: a guest's code page writes none, and what is set on a session is kept."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.accounts.test_metering import make_codes

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


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


def test_a_change_deep_inside_a_value_is_saved():
    session = SessionStore()
    session["cart"] = {"items": [1]}
    session.create()
    session["cart"]["items"].append(2)
    session.modified = True
    session.save()
    assert SessionStore(session_key=session.session_key).load() == {"cart": {"items": [1, 2]}}
