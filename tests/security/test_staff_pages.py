"""Admin and staff pages only for staff; the admin login has its own rate limit."""

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_job

pytestmark = pytest.mark.django_db

ADMIN_URLS = [
    "/admin/",
    "/admin/auth/user/",
    "/admin/accounts/apitoken/",
    "/admin/jobs/job/",
    "/admin/casepilot/question/",
]
STAFF_URLS = ["/jobs/review/", "/consult/queue/"]


@pytest.mark.parametrize("url", ADMIN_URLS + STAFF_URLS)
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code in {302, 403}
    if response.status_code == 302:
        assert "login" in response["Location"]


@pytest.mark.parametrize("url", ADMIN_URLS + STAFF_URLS)
def test_a_normal_user_gets_no_staff_page(client, alice, url):
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code in {302, 403, 404}
    if response.status_code == 302:
        assert "login" in response["Location"]


def test_staff_actions_refuse_a_normal_user(client, alice):
    job = make_job(alice, status="pending")
    client.force_login(alice)
    response = client.post(f"/jobs/review/{job.pk}/", {"action": "approve"})
    assert response.status_code in {302, 403}
    job.refresh_from_db()
    assert job.status == "pending"


def test_staff_reach_the_admin(client, staff):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("ratelimit_clock_stands_still")
def test_admin_login_is_limited_per_username_with_a_429_page(staff):
    statuses = [
        Client(REMOTE_ADDR=f"10.0.0.{i}").post("/admin/login/", {"username": staff.username, "password": "wrong"})
        for i in range(7)
    ]
    assert [r.status_code for r in statuses[:5]] == [200] * 5
    limited = statuses[5]
    assert limited.status_code == 429
    assert limited["Retry-After"].isdigit()
    assert b"Too many requests" in limited.content
    # Even the right password waits: the username is locked, whoever tries it.
    response = Client(REMOTE_ADDR="10.0.1.1").post("/admin/login/", {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 429


@pytest.mark.usefixtures("ratelimit_clock_stands_still")
def test_admin_login_is_limited_per_address(staff):
    client = Client(REMOTE_ADDR="10.0.2.2")
    statuses = [
        client.post("/admin/login/", {"username": f"user{i}", "password": "wrong"}).status_code for i in range(21)
    ]
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
