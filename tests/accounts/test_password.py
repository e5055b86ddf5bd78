import re

import pytest
from django.contrib.auth import get_user_model

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

RESET_LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)")
NEW_PASSWORD = "a brand new passphrase 42"


def test_password_reset_email_link_sets_a_new_password(client, alice, mailoutbox):
    client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert len(mailoutbox) == 1
    path = RESET_LINK.search(mailoutbox[0].body).group(1)
    form_page = client.get(path, follow=True)  # allauth moves the key into the session and redirects
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_a_used_reset_link_no_longer_works(client, alice, mailoutbox):
    client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    path = RESET_LINK.search(mailoutbox[0].body).group(1)
    page = client.get(path, follow=True)
    client.post(page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.logout()
    again = client.get(path, follow=True)
    assert "bad token" in again.content.decode().lower()


def test_change_password_needs_the_old_one(client, alice):
    client.force_login(alice)
    wrong = client.post(
        "/accounts/password/change/", {"oldpassword": "nope", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert wrong.status_code == 200
    assert 'aria-invalid="true"' in wrong.content.decode()
    assert 'class="errorlist"' in wrong.content.decode()
    right = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert right.status_code == 302
    assert get_user_model().objects.get(pk=alice.pk).check_password(NEW_PASSWORD)
