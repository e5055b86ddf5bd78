"""No account enumeration: signup, login and password reset answer the same for known and unknown emails."""

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _main(response) -> str:
    """The page's main content, without the CSRF token (it differs per response)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return "\n".join(line for line in main.splitlines() if "csrfmiddlewaretoken" not in line)


def test_signup_with_a_taken_email_looks_like_a_new_signup(client, alice, mailoutbox):
    known = client.post(
        "/accounts/signup/", {"email": "alice@example.com", "password1": PASSWORD, "password2": PASSWORD}, follow=True
    )
    client.logout()
    unknown = client.post(
        "/accounts/signup/", {"email": "dave@example.com", "password1": PASSWORD, "password2": PASSWORD}, follow=True
    )
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert _main(known).replace("alice@", "X@") == _main(unknown).replace("dave@", "X@")
    # The owner of the taken address is told by email instead.
    assert [m.to for m in mailoutbox] == [["alice@example.com"], ["dave@example.com"]]
    assert "already" in mailoutbox[0].body.lower()


def test_login_failure_is_the_same_for_known_and_unknown_emails(client, alice):
    known = client.post("/accounts/login/", {"login": "alice@example.com", "password": "wrong password"})
    unknown = client.post("/accounts/login/", {"login": "nobody@example.com", "password": "wrong password"})
    assert known.status_code == unknown.status_code == 200
    assert _main(known).replace("alice@", "X@") == _main(unknown).replace("nobody@", "X@")


def test_password_reset_is_the_same_for_known_and_unknown_emails(client, alice, mailoutbox):
    known = client.post("/accounts/password/reset/", {"email": "alice@example.com"}, follow=True)
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert _main(known) == _main(unknown)
    assert mailoutbox[0].to == ["alice@example.com"]
    # The unknown address is told by email that it has no account; the page says nothing.
    assert mailoutbox[1].to == ["nobody@example.com"]


def test_password_reset_requests_are_rate_limited_per_address(client, alice, mailoutbox):
    responses = [client.post("/accounts/password/reset/", {"email": "alice@example.com"}) for _ in range(6)]
    assert [r.status_code for r in responses] == [302] * 5 + [429]
    assert "Please wait a few minutes, then try again." in responses[-1].content.decode()
    assert len(mailoutbox) == 5
