import hashlib

import pytest
from django.test import override_settings

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _create(client, name="scrubber") -> str:
    response = client.post("/accounts/tokens/", {"name": name})
    assert response.status_code == 200
    return response.context["new_secret"]


def test_a_staff_user_creates_a_token_shown_once_and_stored_hashed(client, staff):
    client.force_login(staff)
    secret = _create(client)
    assert secret.startswith("ca_")
    token = ApiToken.objects.get(user=staff)
    assert token.name == "scrubber"
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.hint, token.digest}
    page = client.get("/accounts/profile/").content.decode()
    assert "scrubber" in page
    assert token.hint in page
    assert secret not in page  # shown once only


def test_a_free_user_cannot_create_tokens(client, alice):
    client.force_login(alice)
    assert client.post("/accounts/tokens/", {"name": "x"}).status_code == 403
    assert not ApiToken.objects.exists()
    assert "come with the Pro plan" in client.get("/accounts/profile/").content.decode()


def test_a_token_needs_a_name(client, staff):
    client.force_login(staff)
    response = client.post("/accounts/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_revoking_a_token_stops_it_working(client, staff, codes):
    client.force_login(staff)
    secret = _create(client)
    token = ApiToken.objects.get()
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.exists()
    client.logout()
    response = client.get("/api/v1/codes/icd-10-cm/E11.9", headers={"authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_nobody_else_can_revoke_my_token(client, staff, bob):
    token, _ = ApiToken.issue(user=staff, name="mine")
    client.force_login(bob)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_api_accepts_a_bearer_token(client, staff, codes):
    token, secret = ApiToken.issue(user=staff, name="cli")
    response = client.get("/api/v1/codes/icd-10-cm/E11.9", headers={"authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json()["code"] == "E11.9"
    token.refresh_from_db()
    assert token.last_used is not None


def test_the_api_refuses_a_wrong_token_with_a_json_401(client, codes):
    response = client.get("/api/v1/codes/icd-10-cm/E11.9", headers={"authorization": "Bearer ca_not-a-real-token"})
    assert response.status_code == 401
    assert "Invalid or revoked API token" in response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_stops_working_when_its_owner_loses_the_plan(client, staff, codes):
    _, secret = ApiToken.issue(user=staff, name="cli")
    staff.is_staff = False
    staff.save()
    response = client.get("/api/v1/codes/icd-10-cm/E11.9", headers={"authorization": f"Bearer {secret}"})
    assert response.status_code == 403
    assert "no Pro or staff plan" in response.json()["error"]


@override_settings(API_TOKEN_RATE="3/m")
def test_each_token_is_rate_limited_with_a_429(client, staff, codes):
    _, secret = ApiToken.issue(user=staff, name="busy")
    _, other = ApiToken.issue(user=staff, name="quiet")
    auth = {"authorization": f"Bearer {secret}"}
    statuses = [client.get("/api/v1/codes/icd-10-cm/E11.9", headers=auth).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/codes/icd-10-cm/E11.9", headers=auth)
    assert "Rate limit exceeded" in limited.json()["error"]
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Another token has its own allowance.
    assert client.get("/api/v1/codes/icd-10-cm/E11.9", headers={"authorization": f"Bearer {other}"}).status_code == 200


def test_the_account_page_gives_each_field_its_own_id(client, staff):
    client.force_login(staff)
    html = client.get("/accounts/profile/").content.decode()
    assert html.count('id="id_name"') == 1
    assert '<label for="id_token_name">' in html
    assert 'id="id_token_name"' in html
