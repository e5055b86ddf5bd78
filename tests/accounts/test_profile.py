import pytest
from django.contrib.auth import get_user_model

from accounts.models import Profile

pytestmark = pytest.mark.django_db


def test_every_user_has_a_profile():
    user = get_user_model().objects.create_user("erin", "erin@example.com", "x")
    assert Profile.objects.filter(user=user).exists()
    assert user.profile.credentials == []


@pytest.mark.sqlite_smoke
def test_the_account_page_shows_the_profile_form(client, alice):
    client.force_login(alice)
    response = client.get("/accounts/profile/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "alice@example.com" in html
    assert '<label for="id_name">' in html
    assert "Certified Professional Coder (AAPC)" in html
    assert "Verified" in html


@pytest.mark.sqlite_smoke
def test_it_saves_the_profile(client, alice):
    client.force_login(alice)
    response = client.post(
        "/accounts/profile/",
        {
            "name": "Alice Coder",
            "credentials": ["CRC", "CPC"],
            "specialties": ["cardiology"],
            "employer": "Acme Health",
        },
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=alice)
    assert profile.name == "Alice Coder"
    assert profile.credentials == ["CPC", "CRC"]  # in the list's order, whatever the order ticked
    assert profile.specialties == ["cardiology"]
    assert profile.employer == "Acme Health"
    page = client.get("/accounts/profile/").content.decode()
    assert "CPC, CRC" in page
    assert "Cardiology" in page


def test_it_rejects_an_unknown_credential(client, alice):
    client.force_login(alice)
    response = client.post("/accounts/profile/", {"credentials": ["WIZARD"]})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Profile.objects.get(user=alice).credentials == []


def test_the_account_page_needs_a_login(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
