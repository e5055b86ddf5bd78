"""accounts/backends.py: a signed-in user, their plan and their verified email come from the
shared cache, and every change to them shows on the next request."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Plan
from tests.factories import PASSWORD, make_user

from .test_metering import make_codes, page

pytestmark = [pytest.mark.django_db, pytest.mark.metered]

PRO_BANNER = "Pro account: unlimited code page views."


@pytest.fixture
def many():
    return make_codes()


def test_the_user_and_plan_are_read_from_the_database_once(client, alice, many):
    client.force_login(alice)
    page(client, many[0])
    with CaptureQueriesContext(connection) as second:
        page(client, many[1])
    tables = " ".join(q["sql"] for q in second.captured_queries)
    assert "auth_user" not in tables
    assert "accounts_plan" not in tables
    assert "account_emailaddress" not in tables


def test_a_plan_granted_in_the_admin_counts_on_the_next_page(client, alice, many):
    client.force_login(alice)
    assert PRO_BANNER not in page(client, many[0])
    today = datetime.date.today()
    Plan.objects.create(user=alice, starts=today, ends=today + datetime.timedelta(days=30))
    assert PRO_BANNER in page(client, many[1])


def test_a_plan_taken_away_counts_on_the_next_page(client, alice, many):
    today = datetime.date.today()
    plan = Plan.objects.create(user=alice, starts=today, ends=today + datetime.timedelta(days=30))
    client.force_login(alice)
    assert PRO_BANNER in page(client, many[0])
    plan.delete()
    assert PRO_BANNER not in page(client, many[1])


def test_verifying_the_email_gives_the_extra_views_at_once(client, many):
    carol = make_user("carol@example.com", verified=False)
    client.force_login(carol)
    assert "until the email address is verified" in page(client, many[0])
    address = EmailAddress.objects.get(user=carol)
    address.verified = True
    address.save()
    assert "until the email address is verified" not in page(client, many[1])


def test_a_deactivated_user_is_signed_out_on_the_next_request(client, alice, many):
    client.force_login(alice)
    assert "Log out" in page(client, many[0])
    alice.is_active = False
    alice.save()
    assert "Log out" not in page(client, many[1])


def test_a_password_changed_elsewhere_ends_this_session(client, alice, many):
    client.force_login(alice)
    page(client, many[0])
    user = get_user_model().objects.get(pk=alice.pk)
    user.set_password("another long passphrase entirely")
    user.save()
    assert "Log out" not in page(client, many[1])


def test_a_deleted_user_is_signed_out(client, alice, many):
    client.force_login(alice)
    page(client, many[0])
    alice.delete()
    assert "Log out" not in page(client, many[1])


def test_logging_in_with_a_password_uses_the_cached_backend(client, alice, many):
    assert client.login(username="alice", password=PASSWORD)
    assert "Log out" in page(client, many[0])
    assert "Log out" in page(client, many[1])


def test_stars_and_notes_show_at_once_in_one_query(client, alice, many):
    client.force_login(alice)
    page(client, many[0])
    with CaptureQueriesContext(connection) as queries:
        assert "Add to favourites" in page(client, many[0])
    assert len([q for q in queries.captured_queries if "favourite" in q["sql"] or "codenote" in q["sql"]]) == 1
    client.post(f"/accounts/favourites/icd-10-cm/{many[0].code}/", {"favourite": "on"})
    assert "Remove from favourites" in page(client, many[0])
    client.post(f"/accounts/notes/icd-10-cm/{many[1].code}/", {"text": "Check the <b>chart</b>"})
    html = page(client, many[1])
    assert "Check the &lt;b&gt;chart&lt;/b&gt;" in html
    assert "Add to favourites" in html
    client.post(f"/accounts/favourites/icd-10-cm/{many[0].code}/", {"favourite": "off"})
    assert "Add to favourites" in page(client, many[0])
