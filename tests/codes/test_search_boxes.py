"""Other apps' boxes on the search page (codes/search_boxes.py): CasePilot's guides box shows for
a word query that matches a guide well, on the first page only."""

import datetime

import pytest

from casepilot.models import Guide

pytestmark = pytest.mark.django_db


@pytest.fixture
def guide() -> Guide:
    return Guide.objects.create(
        slug="modifier-25",
        title="Modifier 25: a significant, separately identifiable E/M service",
        summary="When an E/M visit on the day of a procedure can be reported with modifier 25.",
        body="Modifier 25 marks a significant, separately identifiable evaluation and management service "
        "by the same physician on the same day as a procedure.",
        body_html="<p>Modifier 25 ...</p>",
        topic="modifiers",
        sources=["CMS NCCI Policy Manual 2024, Chapter XI"],
        keywords=["modifier 25", "separately identifiable"],
        codes=["cpt 99213"],
        updated=datetime.date(2026, 1, 1),
    )


def test_a_matching_word_query_shows_the_guides_box(client, guide):
    content = client.get("/search/", {"q": "modifier 25 separately identifiable"}).content.decode()
    assert '<section class="panel search-guides" aria-labelledby="guides-heading">' in content
    assert '<h2 id="guides-heading">Coding guides</h2>' in content
    assert (
        '<a href="/guides/modifier-25/">Modifier 25: a significant, separately identifiable E/M service</a>' in content
    )


def test_a_query_without_letters_shows_no_box(client, guide):
    assert "search-guides" not in client.get("/search/", {"q": "25"}).content.decode()


def test_a_query_no_guide_matches_shows_no_box(client, guide):
    assert "search-guides" not in client.get("/search/", {"q": "fracture of femur"}).content.decode()


def test_later_pages_show_no_box(client, guide):
    response = client.get("/search/", {"q": "modifier 25 separately identifiable", "page": "2"})
    assert "search-guides" not in response.content.decode()
