"""allauth's pages render in the site's layout, with labelled fields."""

import pytest

pytestmark = pytest.mark.django_db

SITE_CHROME = ['<header class="site-header">', '<main id="main"', '<footer class="site-footer">', "css/accounts.css"]


def _in_layout(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    for piece in SITE_CHROME:
        assert piece in html
    return html


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/signup/",
        "/accounts/login/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/confirm-email/not-a-key/",
        "/accounts/password/reset/key/1-set-password/",
        "/accounts/password/reset/key/done/",
        "/accounts/confirm-email/",
    ],
)
def test_entrance_pages_use_the_site_layout(client, path):
    _in_layout(client.get(path))


@pytest.mark.parametrize(
    "path",
    ["/accounts/logout/", "/accounts/email/", "/accounts/password/change/", "/accounts/profile/", "/accounts/delete/"],
)
def test_account_pages_use_the_site_layout(client, alice, path):
    client.force_login(alice)
    _in_layout(client.get(path))


@pytest.mark.sqlite_smoke
def test_forms_have_labels_and_accessible_errors(client):
    html = _in_layout(client.post("/accounts/signup/", {"email": "not-an-email", "password1": "a", "password2": "b"}))
    assert '<label for="id_email">' in html
    assert '<label for="id_password1">' in html
    assert 'class="form-row"' in html
    assert '<ul class="errorlist" id="id_email_error">' in html
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize(
    ("path", "title", "button"),
    [("/accounts/login/", "<title>Log in", ">Log in<"), ("/accounts/signup/", "<title>Register", ">Register<")],
)
def test_entrance_pages_use_the_sites_words(client, path, title, button):
    html = _in_layout(client.get(path))
    assert title in html
    assert button in html
    for library_word in ("Sign In", "Sign Up", "Signup", "Remember Me"):
        assert library_word not in html


def test_the_verification_mail_names_the_site_not_the_host(client, mailoutbox, settings):
    settings.SITE_NAME = "codingahead"
    settings.SITE_ROOT = "https://codingahead.example"
    client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": "a long pass 123!", "password2": "a long pass 123!"},
    )
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Hello from codingahead" in body
    assert "https://codingahead.example/" in body
    assert "Hello from testserver" not in body
    assert "Thank you for using" not in body
