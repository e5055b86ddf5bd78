"""The site's own error pages: branded, helpful, and never Django's debug page."""

import pytest
from django.test import Client, RequestFactory

from codingahead.errors import server_error

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def test_a_mistyped_address_gets_the_branded_404_with_a_search_box(client):
    response = client.get("/casepilott/how-to-code-sepsis/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn’t find that page" in html
    assert 'name="q"' in html
    assert 'value="how to code sepsis"' in html
    # The section the address was probably meant for.
    assert 'href="/casepilot/"' in html
    assert "URLconf" not in html  # never the list of URL patterns


def test_the_404_of_an_unrelated_address_offers_no_guesses(client):
    response = client.get("/zzzz/")
    assert response.status_code == 404
    assert "Were you looking for" not in response.content.decode()


def test_a_form_sent_without_its_csrf_token_gets_the_branded_403():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "a@example.com"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


def test_the_500_page_renders_without_a_request_context_or_the_database():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
