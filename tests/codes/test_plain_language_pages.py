"""What a visitor sees of a plain-language description: our CPT short title as the page
heading, in <title> and in search results; the sources and the reviewed date under the text."""

import datetime

import pytest
from django.db import transaction

from codes import search
from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code, PlainDescription

pytestmark = pytest.mark.django_db

TEXT = (
    "An invented description of a knee operation for the page tests, long enough to read like one, "
    "which mentions the meniscus so that a search for that word finds it."
)


@pytest.fixture
def cpt():
    release = register_release(dataset="cpt-codes", version="2024Q3", title="CMS files, July 2024")
    with transaction.atomic():
        sync_codes(
            system="cpt",
            release=release,
            rows=[CodeRow(code="29881", title="", billable=True), CodeRow(code="99213", title="", billable=True)],
        )
    PlainDescription.objects.create(
        system="cpt",
        code="29881",
        short_title="Invented knee scope title",
        text=TEXT,
        sources=["Invented manual, chapter 1", "Invented fee schedule file"],
        reviewed=datetime.date(2026, 12, 2),
        author="Editors",
        status="published",
    )
    return Code.objects.get(system="cpt", code="29881")


def test_the_cpt_short_title_heads_the_page_and_its_title(client, cpt):
    content = client.get("/cpt/29881/").content.decode()
    assert '<p class="code-title">Invented knee scope title</p>' in content
    assert "<title>29881 – Invented knee scope title | CPT |" in content
    assert "licensed by the American Medical Association" in content  # the descriptor panel stays


def test_the_sources_and_the_reviewed_date_are_shown_under_the_text(client, cpt):
    content = client.get("/cpt/29881/").content.decode()
    assert "<li>Invented manual, chapter 1</li>" in content
    assert "<li>Invented fee schedule file</li>" in content
    assert "reviewed Dec 2, 2026" in content
    assert content.index(TEXT) < content.index("Invented manual, chapter 1")


def test_the_api_carries_the_title_sources_and_date(client, cpt):
    data = client.get("/api/v1/codes/cpt/29881").json()
    assert data["descriptions"]["common_language_title"] == "Invented knee scope title"
    assert data["descriptions"]["common_language_sources"] == [
        "Invented manual, chapter 1",
        "Invented fee schedule file",
    ]
    assert data["descriptions"]["common_language_reviewed"] == "2026-12-02"


def test_a_draft_title_is_not_shown(client, cpt):
    PlainDescription.objects.filter(code="29881").update(status="draft")
    content = client.get("/cpt/29881/").content.decode()
    assert "Invented knee scope title" not in content
    assert "<title>29881 | CPT |" in content


def test_an_official_title_leads_when_a_licensee_loaded_one(client, cpt):
    Code.objects.filter(pk=cpt.pk).update(title="Licensed descriptor stand-in")
    content = client.get("/cpt/29881/").content.decode()
    assert "<title>29881 – Licensed descriptor stand-in" in content


def test_search_results_show_the_short_title_and_find_the_text(client, cpt):
    search.build_index()
    found = search.search("meniscus")
    assert [r.code_str for r in found.results] == ["29881"]
    assert found.results[0].title == "Invented knee scope title"
    content = client.get("/search/?q=meniscus").content.decode()
    assert "Invented knee scope title" in content
