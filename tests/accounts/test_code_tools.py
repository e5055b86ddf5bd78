"""Favourite codes and private notes: the code page's tools and the account page lists."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from codes import personal
from codes.models import CodeNote, FavouriteCode

pytestmark = pytest.mark.django_db


@pytest.mark.sqlite_smoke
def test_starring_a_code_without_javascript_comes_back_to_the_page(client, alice, codes):
    client.force_login(alice)
    response = client.post("/accounts/favourites/icd-10-cm/E11.9/", {"favourite": "on", "next": "/icd-10-cm/E11.9/"})
    assert response.status_code == 302
    assert response["Location"] == "/icd-10-cm/E11.9/"
    assert FavouriteCode.objects.filter(user=alice, code=codes["E11.9"]).exists()
    page = client.get("/accounts/profile/").content.decode()
    assert "E11.9" in page
    assert "Type 2 diabetes mellitus without complications" in page


def test_the_script_gets_json_and_can_unstar(client, alice, codes):
    client.force_login(alice)
    headers = {"accept": "application/json"}
    on = client.post("/accounts/favourites/icd-10-cm/E11.9/", {"favourite": "on"}, headers=headers)
    assert on.json() == {"favourite": True, "code": "E11.9"}
    off = client.post("/accounts/favourites/icd-10-cm/E11.9/", {"favourite": "off"}, headers=headers)
    assert off.json() == {"favourite": False, "code": "E11.9"}
    assert not FavouriteCode.objects.exists()


def test_starring_ignores_a_next_url_on_another_site(client, alice, codes):
    client.force_login(alice)
    response = client.post(
        "/accounts/favourites/icd-10-cm/E11.9/", {"favourite": "on", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/icd-10-cm/E11.9/"


def test_starring_an_unknown_code_is_a_404(client, alice, codes):
    client.force_login(alice)
    assert client.post("/accounts/favourites/icd-10-cm/ZZZ/", {"favourite": "on"}).status_code == 404


def test_a_guest_cannot_star(client, codes):
    response = client.post("/accounts/favourites/icd-10-cm/E11.9/", {"favourite": "on"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not FavouriteCode.objects.exists()


def test_starring_needs_post(client, alice, codes):
    client.force_login(alice)
    assert client.get("/accounts/favourites/icd-10-cm/E11.9/").status_code == 405


@pytest.mark.sqlite_smoke
def test_a_note_is_saved_and_shown_to_its_owner_only(client, alice, bob, codes):
    client.force_login(alice)
    response = client.post(
        "/accounts/notes/icd-10-cm/E11.9/", {"text": "Check A1c documentation", "next": "/icd-10-cm/E11.9/"}
    )
    assert response.status_code == 302
    assert CodeNote.objects.get(user=alice).text == "Check A1c documentation"
    assert "Check A1c documentation" in client.get("/accounts/profile/").content.decode()

    client.force_login(bob)
    assert "Check A1c documentation" not in client.get("/accounts/profile/").content.decode()
    assert "Check A1c documentation" not in client.get("/accounts/notes/icd-10-cm/E11.9/").content.decode()
    assert "Check A1c documentation" not in client.get("/accounts/export.csv").content.decode()
    assert "Check A1c documentation" not in personal.code_state(user=bob, code=codes["E11.9"])["note"]


def test_an_empty_note_deletes_it(client, alice, codes):
    CodeNote.objects.create(user=alice, code=codes["E11.9"], text="old")
    client.force_login(alice)
    client.post("/accounts/notes/icd-10-cm/E11.9/", {"text": "   "})
    assert not CodeNote.objects.exists()


def test_a_too_long_note_is_refused_with_a_message(client, alice, codes):
    client.force_login(alice)
    response = client.post("/accounts/notes/icd-10-cm/E11.9/", {"text": "x" * 5001})
    assert response.status_code == 400
    assert "Ensure this value has at most 5000 characters" in response.content.decode()
    assert not CodeNote.objects.exists()


def test_the_code_state_is_one_query(alice, codes):
    code = codes["E11.9"]
    FavouriteCode.objects.create(user=alice, code=code)
    CodeNote.objects.create(user=alice, code=code, text="my note")
    with CaptureQueriesContext(connection) as queries:
        state = personal.code_state(user=alice, code=code)
    assert state == {"favourite": True, "note": "my note"}
    assert len(queries) == 1


def test_the_code_page_has_working_star_and_note_forms(alice, codes):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    CodeNote.objects.create(user=alice, code=codes["E11.9"], text="Remember the A1c")
    html = client.get("/icd-10-cm/E11.9/").content.decode()
    tools = html[html.index('id="tools-heading"') :]
    assert "Add to favourites" in tools
    assert "Remember the A1c</textarea>" in tools
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', tools).group(1)
    response = client.post("/accounts/favourites/icd-10-cm/E11.9/", {"favourite": "on", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "Remove from favourites" in client.get("/icd-10-cm/E11.9/").content.decode()


def test_a_guest_is_invited_to_log_in_on_the_code_page(client, codes):
    html = client.get("/icd-10-cm/E11.9/").content.decode()
    assert "to star codes and keep private notes" in html
    assert "/accounts/favourites/" not in html


def test_the_account_page_lists_the_newest_favourites_and_points_to_the_csv(client, alice, codes, monkeypatch):
    monkeypatch.setattr("codes.templatetags.personal_codes.LIST_LIMIT", 2)
    for code in codes.values():
        FavouriteCode.objects.create(user=alice, code=code)
    client.force_login(alice)
    html = client.get("/accounts/profile/").content.decode()
    assert "The 2 newest of 4 favourites; the CSV below has them all." in html
