"""No open redirects: every `next` the site honours stays on the site."""

import pytest

from tests.factories import PASSWORD, make_job

pytestmark = pytest.mark.django_db

HOSTILE = [
    "//evil.example",
    "https://evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "https://testserver@evil.example",
]


def _stays_here(response) -> None:
    assert response.status_code in {301, 302, 303}, response.status_code
    location = response["Location"]
    assert "evil.example" not in location
    assert not location.startswith(("//", "javascript:", "\\")), location


@pytest.mark.parametrize("target", HOSTILE)
def test_login_ignores_a_foreign_next(client, alice, target):
    response = client.post(f"/accounts/login/?next={target}", {"login": alice.email, "password": PASSWORD})
    _stays_here(response)
    response = client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD, "next": target})
    _stays_here(response)


@pytest.mark.parametrize("target", HOSTILE)
def test_logout_ignores_a_foreign_next(client, alice, target):
    client.force_login(alice)
    _stays_here(client.post("/accounts/logout/", {"next": target}))


@pytest.mark.parametrize("target", HOSTILE)
def test_code_tools_ignore_a_foreign_next(client, alice, code, target):
    client.force_login(alice)
    _stays_here(client.post("/accounts/favourites/icd-10-cm/E11.9/", {"favourite": "on", "next": target}))
    _stays_here(client.post("/accounts/notes/icd-10-cm/E11.9/", {"text": "a note", "next": target}))


@pytest.mark.parametrize("target", HOSTILE)
def test_saving_a_job_ignores_a_foreign_next(client, alice, target):
    job = make_job(alice)
    client.force_login(alice)
    _stays_here(client.post(f"/jobs/{job.pk}/save/", {"next": target}))


def test_the_apply_link_goes_only_to_the_employers_own_address(client, alice):
    # The apply redirect takes no parameter: it sends the visitor to the posting's stored address.
    job = make_job(alice, apply_to="https://acmehealth.example/careers/1")
    response = client.get(f"/jobs/{job.pk}/apply/?next=https://evil.example")
    assert response.status_code == 302
    assert response["Location"] == "https://acmehealth.example/careers/1"
