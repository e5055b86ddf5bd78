import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/")


def _sign_up(client, email="carol@example.com"):
    return client.post("/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}, follow=True)


@pytest.mark.sqlite_smoke
def test_signup_sends_a_verification_email_with_a_link(client, mailoutbox):
    response = _sign_up(client)
    assert response.status_code == 200
    assert "verify your email address" in response.content.decode().lower()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["carol@example.com"]
    assert LINK.search(mailoutbox[0].body)
    user = get_user_model().objects.get(email="carol@example.com")
    assert user.profile.credentials == []  # every new user gets a profile
    assert not EmailAddress.objects.get(user=user).verified


def test_following_the_link_verifies_the_email_and_signs_in(client, mailoutbox):
    _sign_up(client)
    link = LINK.search(mailoutbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200
    assert "Confirm" in page.content.decode()
    response = client.post("/" + path, follow=True)
    assert response.status_code == 200
    assert EmailAddress.objects.get(email="carol@example.com").verified
    assert response.context["user"].is_authenticated


def test_an_unverified_user_cannot_log_in_until_verified(client, mailoutbox):
    _sign_up(client)
    client.logout()
    response = client.post("/accounts/login/", {"login": "carol@example.com", "password": PASSWORD}, follow=True)
    assert not response.context["user"].is_authenticated
    assert "verify your email address" in response.content.decode().lower()
    assert len(mailoutbox) == 1  # not sent again so soon (allauth rate-limits confirmation emails)


@pytest.mark.sqlite_smoke
def test_a_verified_user_logs_in_and_out(client, alice):
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/accounts/profile/").status_code == 302


def test_a_wrong_password_is_refused_with_a_clear_message(client, alice):
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_repeated_failed_logins_lock_the_account_out(client, alice):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "alice@example.com", "password": "wrong"})
    response = client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert not response.context["user"].is_authenticated
    assert "Too many failed login attempts" in response.content.decode()
