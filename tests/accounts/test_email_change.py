import re

import pytest
from allauth.account.models import EmailAddress

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)")


def test_changing_email_takes_effect_once_the_new_address_is_verified(client, alice, mailoutbox):
    client.force_login(alice)
    response = client.post("/accounts/email/", {"action_add": "", "email": "alice.new@example.com"}, follow=True)
    assert response.status_code == 200
    # Until verified, the old address stays the login address.
    assert EmailAddress.objects.get(user=alice, primary=True).email == "alice@example.com"
    confirm = next(m for m in mailoutbox if m.to == ["alice.new@example.com"])
    path = LINK.search(confirm.body).group(1)
    client.post(path)
    emails = list(EmailAddress.objects.filter(user=alice))
    assert [(e.email, e.verified, e.primary) for e in emails] == [("alice.new@example.com", True, True)]
    alice.refresh_from_db()
    assert alice.email == "alice.new@example.com"


def test_the_email_page_shows_the_current_address(client, alice):
    client.force_login(alice)
    response = client.get("/accounts/email/")
    assert response.status_code == 200
    assert "alice@example.com" in response.content.decode()
