"""/pricing/: what each plan gets, from the settings, and the visitor's own plan."""

import datetime

import pytest

from accounts.models import Plan, ProRequest

pytestmark = [pytest.mark.django_db, pytest.mark.metered]


@pytest.mark.sqlite_smoke
def test_the_pricing_page_lists_the_plans_and_when_views_renew(client, plans):
    plans("free", code_views=8)
    html = client.get("/pricing/").content.decode()
    assert "<h2>Guest</h2>" in html
    assert "<h2>Free account</h2>" in html
    assert "<h2>Pro</h2>" in html
    assert "1 code page view a month" in html
    assert "7 more views: 8 a month" in html
    assert "Unlimited code page views." in html
    today = datetime.date.today()
    renews = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    assert f"the next time on {renews:%b} {renews.day}, {renews.year}" in html
    assert 'href="/accounts/signup/"' in html


def test_the_pricing_page_marks_the_visitors_plan(client, alice):
    client.force_login(alice)
    html = client.get("/pricing/").content.decode()
    assert html.count("Your plan.") == 1
    assert html.index("Your plan.") > html.index("<h2>Free account</h2>")
    today = datetime.date.today()
    Plan.objects.create(user=alice, starts=today, ends=today)
    html = client.get("/pricing/").content.decode()
    assert html.index("Your plan.") > html.index("<h2>Pro</h2>")


def test_staff_grant_pro_in_the_admin(client, staff, alice):
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    response = client.post(
        "/admin/accounts/plan/add/",
        {"user": alice.pk, "name": "pro", "starts": "2025-01-01", "ends": "2025-12-31", "note": "invoice 12"},
    )
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert plan.granted_by == staff
    assert not plan.is_current  # it ended by itself
    response = client.post(
        "/admin/accounts/plan/add/", {"user": alice.pk, "name": "pro", "starts": "2025-02-01", "ends": "2025-01-01"}
    )
    assert response.status_code == 200
    assert "The plan must end on or after its first day." in response.content.decode()


def test_the_pricing_page_says_how_to_get_pro_and_lays_out_three_cards(client):
    html = client.get("/pricing/").content.decode()
    assert "How to get Pro" in html
    assert 'id="pro-request"' in html
    assert "while online payment is being built" not in html


def test_a_pro_request_is_kept_and_mailed_to_staff(client, staff, mailoutbox, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    response = client.post(
        "/pricing/", {"name": "Dana Coder", "email": "dana@clinic.example", "organisation": "Clinic", "seats": "3"}
    )
    assert response.status_code == 302
    request = ProRequest.objects.get()
    assert (request.name, request.seats, request.handled) == ("Dana Coder", 3, False)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [staff.email]
    assert mailoutbox[0].reply_to == ["dana@clinic.example"]
    assert "Dana Coder" in mailoutbox[0].body
    assert "Thank you: we have your request" in client.get(response["Location"]).content.decode()


def test_a_bad_pro_request_says_what_is_wrong_and_keeps_nothing(client):
    response = client.post("/pricing/", {"name": "", "email": "not-an-email", "seats": "0"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert "between 1 and 500 seats" in html
    assert not ProRequest.objects.exists()


def test_pro_requests_are_rate_limited(client):
    for _ in range(5):
        client.post("/pricing/", {"name": "x", "email": "x@example.com", "seats": "1"})
    assert client.post("/pricing/", {"name": "x", "email": "x@example.com", "seats": "1"}).status_code == 429
