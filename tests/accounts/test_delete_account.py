import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from accounts.models import ApiToken, Profile
from codes.models import CodeNote, FavouriteCode
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_with_data(alice, codes):
    FavouriteCode.objects.create(user=alice, code=codes["E11.9"])
    CodeNote.objects.create(user=alice, code=codes["E11.9"], text="private")
    ApiToken.issue(user=alice, name="old token")
    Profile.objects.filter(user=alice).update(name="Alice", employer="Acme")
    return alice


def test_deleting_the_account_removes_its_personal_data(client, alice_with_data, bob):
    client.force_login(alice_with_data)
    assert client.get("/accounts/delete/").status_code == 200
    response = client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "on"}, follow=True)
    assert response.status_code == 200
    assert "Your account and its personal data are deleted." in response.content.decode()
    assert not response.context["user"].is_authenticated
    assert not get_user_model().objects.filter(email="alice@example.com").exists()
    assert not EmailAddress.objects.filter(email="alice@example.com").exists()
    assert not Profile.objects.filter(name="Alice").exists()
    assert not FavouriteCode.objects.exists()
    assert not CodeNote.objects.exists()
    assert not ApiToken.objects.exists()
    assert get_user_model().objects.filter(pk=bob.pk).exists()
    # The address can sign up again afterwards.
    client.post("/accounts/login/", {"login": "alice@example.com", "password": PASSWORD})
    assert not client.get("/accounts/profile/").wsgi_request.user.is_authenticated


def test_it_needs_the_right_password(client, alice_with_data):
    client.force_login(alice_with_data)
    response = client.post("/accounts/delete/", {"password": "wrong", "confirm": "on"})
    assert response.status_code == 400
    assert "That is not your current password." in response.content.decode()
    assert get_user_model().objects.filter(pk=alice_with_data.pk).exists()


def test_it_needs_the_confirmation_box(client, alice_with_data):
    client.force_login(alice_with_data)
    response = client.post("/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 400
    assert get_user_model().objects.filter(pk=alice_with_data.pk).exists()
