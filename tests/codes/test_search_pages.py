"""Case2Code pages: the results page, suggestions, the search API, batch lookup and rate limits."""

import csv
import io
import json

import pytest
from django.core.cache import caches

from codes.search import ranking, search

from .search_data import build

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed():
    build()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    caches["ratelimits"].clear()
    yield
    caches["ratelimits"].clear()


@pytest.mark.sqlite_smoke
def test_an_exact_code_redirects_to_its_page(client, indexed):
    response = client.get("/search/", {"q": "m4856xa"})
    assert response.status_code == 302
    assert response["Location"] == "/icd-10-cm/M48.56XA/"


def test_the_old_lookup_url_still_works(client, indexed):
    response = client.get("/lookup/", {"q": "m4856xa"})
    assert response["Location"] == "/icd-10-cm/M48.56XA/"
    assert b"synonym: heart attack" in client.get("/lookup/", {"q": "heart attack"}).content


@pytest.mark.sqlite_smoke
def test_words_show_results_with_counts_and_why_they_matched(client, indexed):
    response = client.get("/search/", {"q": "heart attack"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'href="/icd-10-cm/I21.9/"' in content
    assert "<mark>infarction</mark>" in content
    assert "synonym: heart attack → myocardial infarction" in content
    assert 'aria-label="Results per code system"' in content
    assert 'ICD-10-CM <span class="count">' in content


def test_a_partial_code_lists_its_codes_instead_of_redirecting(client, indexed):
    content = client.get("/search/", {"q": "E11.2-"}).content.decode()
    assert "/icd-10-cm/E11.21/" in content
    assert "/icd-10-cm/E11.22/" in content


def test_a_misspelling_shows_did_you_mean(client, indexed):
    content = client.get("/search/", {"q": "pnuemonia"}).content.decode()
    assert "Showing results for" in content
    assert "<strong>pneumonia</strong>" in content
    assert "/icd-10-cm/J18.9/" in content


def test_nothing_found_helps(client, indexed):
    response = client.get("/search/", {"q": "qwzzx", "system": "hcpcs"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "No codes match" in content
    assert "Search every code system without filters" in content
    assert "include deleted codes" in content


def test_filters_and_pagination(client, indexed):
    content = client.get("/search/", {"q": "heart failure", "billable": "on"}).content.decode()
    assert "/icd-10-cm/I50.9/" in content
    assert "/icd-10-cm/I50/" not in content
    content = client.get("/search/", {"q": "contusion abdominal", "deleted": "on"}).content.decode()
    assert "/icd-10-cm/S30.1XXA/" in content
    assert "Deleted" in content
    content = client.get("/search/", {"q": "contusion abdominal", "as_of": "2025-01-01"}).content.decode()
    assert "/icd-10-cm/S30.1XXA/" in content
    response = client.get("/search/", {"q": "type 2 diabetes", "page": "2"})
    assert response.status_code == 200
    assert "1 result" not in response.content.decode()


def test_bad_filters_are_a_400_with_a_message(client, indexed):
    response = client.get("/search/", {"q": "heart", "as_of": "yesterday"})
    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()
    assert client.get("/search/", {"q": "heart", "page": "0"}).status_code == 400


@pytest.mark.sqlite_smoke
def test_suggestions_are_json(client, indexed):
    response = client.get("/search/suggest", {"q": "pneum"})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["results"][0]["code"] == "J18.9"
    assert data["results"][0]["url"].endswith("/icd-10-cm/J18.9/")
    assert json.loads(client.get("/search/suggest", {"q": "p"}).content)["results"] == []


@pytest.mark.sqlite_smoke
def test_the_search_api(client, indexed):
    response = client.get("/api/v1/search", {"q": "toradol", "system": "hcpcs", "billable": "true", "limit": "5"})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["query"] == "toradol"
    assert data["results"][0] == {
        "system": "hcpcs",
        "code": "J1885",
        "title": "Injection, ketorolac tromethamine, per 15 mg",
        "billable": True,
        "url": "http://localhost:8000/hcpcs/J1885/",
        "matched": "synonym: toradol → ketorolac",
    }


def test_the_search_api_limits_and_filters(client, indexed):
    data = json.loads(client.get("/api/v1/search", {"q": "diabetes", "limit": "2"}).content)
    assert len(data["results"]) == 2
    data = json.loads(client.get("/api/v1/search", {"q": "diabetes", "billable": "false"}).content)
    assert {r["code"] for r in data["results"]} == {"E11", "E11.2"}


def test_the_search_api_ranks_as_many_codes_as_the_results_page(client, indexed, monkeypatch):
    # Suggestions rank fewer candidates (one here) to keep up with typing; the API ranks what the page does.
    monkeypatch.setattr(ranking, "CANDIDATES_AS_YOU_TYPE", 1)
    page = [r.code_str for r in search("diabetes").results]
    data = json.loads(client.get("/api/v1/search", {"q": "diabetes"}).content)
    assert len(page) > 1
    assert [r["code"] for r in data["results"]] == page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "q is required"),
        ({"q": "x", "system": "icd-9"}, "system must be one of"),
        ({"q": "x", "billable": "maybe"}, "billable must be"),
        ({"q": "x", "limit": "1000"}, "limit must be"),
        ({"q": "x", "limit": "ten"}, "limit must be"),
    ],
)
def test_the_search_api_rejects_bad_parameters(client, indexed, params, message):
    response = client.get("/api/v1/search", params)
    assert response.status_code == 400
    assert message in json.loads(response.content)["error"]


def test_searches_are_rate_limited_per_client(client, indexed, monkeypatch):
    from codes import search_views

    monkeypatch.setattr(search_views, "SEARCH_RATE", "2/m")
    for _ in range(5):
        response = client.get("/api/v1/search", {"q": "heart"})
        if response.status_code == 429:
            break
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Too many searches" in json.loads(response.content)["error"]
    page = client.get("/search/", {"q": "heart"})
    assert page.status_code == 429
    assert b"Too many searches" in page.content
    # another client is not limited
    assert client.get("/api/v1/search", {"q": "heart"}, REMOTE_ADDR="10.0.0.9").status_code == 200


@pytest.mark.sqlite_smoke
def test_batch_lookup_gives_each_codes_status(client, indexed):
    pasted = "m4856xa, E11.2; S30.1XXA\nZZZ99 j1885\tLT"
    response = client.post("/search/batch/", {"codes": pasted})
    assert response.status_code == 200
    content = response.content.decode()
    assert "6 codes checked" in content
    assert "Valid and billable" in content
    assert "Valid header (not billable)" in content
    assert "Deleted 2026-03-31" in content
    assert "Unknown" in content
    assert "Injection, ketorolac tromethamine, per 15 mg" in content


def test_batch_lookup_downloads_csv(client, indexed):
    response = client.post("/search/batch/", {"codes": "M4856XA E11.2 ZZZ99 S30.1XXA", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["typed"], r["code"], r["status"]) for r in rows] == [
        ("M4856XA", "M48.56XA", "billable"),
        ("E11.2", "E11.2", "header"),
        ("ZZZ99", "", "unknown"),
        ("S30.1XXA", "S30.1XXA", "deleted"),
    ]
    assert rows[3]["deleted_on"] == "2026-03-31"
    assert rows[0]["url"] == "http://localhost:8000/icd-10-cm/M48.56XA/"


def test_batch_lookup_refuses_too_many_or_none(client, indexed):
    response = client.post("/search/batch/", {"codes": " ".join(["E11.9"] * 1001)})
    assert response.status_code == 400
    assert "check at most 1,000" in response.content.decode()
    assert client.post("/search/batch/", {"codes": " , ;"}).status_code == 400
    assert client.get("/search/batch/").status_code == 200


def test_the_header_box_is_an_accessible_combobox(client, indexed):
    content = client.get("/search/").content.decode()  # the home page's one box is its hero
    assert 'role="combobox"' in content
    assert 'aria-controls="header-suggestions"' in content
    assert 'data-suggest-url="/search/suggest"' in content
    assert 'action="/search/"' in content
    assert "js/site.js" in content  # its script


def test_editors_add_synonyms_in_the_admin(admin_client, client, indexed):
    response = admin_client.post(
        "/admin/codes/synonym/add/",
        {"term": "Sugar disease", "replacement": "diabetes mellitus", "system": "", "code": "", "source": "editor"},
    )
    assert response.status_code == 302
    data = json.loads(client.get("/api/v1/search", {"q": "sugar disease"}).content)
    assert "E11.9" in [r["code"] for r in data["results"]]
    assert data["results"][0]["matched"].startswith("synonym: sugar disease → diabetes mellitus")


def test_a_seeded_synonym_changed_in_the_admin_becomes_the_editors(admin_client, indexed):
    from codes.models import Synonym

    row = Synonym.objects.get(term="afib")
    response = admin_client.post(
        f"/admin/codes/synonym/{row.pk}/change/",
        {
            "term": "afib",
            "replacement": "atrial fibrillation unspecified",
            "system": "",
            "code": "",
            "source": "curated",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.source == "editor"
    assert row.replacement == "atrial fibrillation unspecified"


def test_a_query_naming_a_code_set_shows_that_tab_and_the_way_back(client, indexed):
    content = client.get("/search/", {"q": "sepsis drg"}).content.decode()
    assert "/ms-drg/871/" in content
    assert 'href="/search/?q=sepsis+drg&amp;system=ms-drg" aria-current="page">MS-DRG' in content
    assert "Your query names a code set" in content
    assert 'href="/search/?q=sepsis">Search every code set for “sepsis”</a>' in content
