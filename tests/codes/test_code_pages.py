import datetime
import json

import pytest
from django.db import transaction

from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code, PlainDescription

pytestmark = pytest.mark.django_db


@pytest.fixture
def icd10cm():
    release = register_release(
        dataset="icd-10-cm", version="2026", title="ICD-10-CM FY2026", effective_date=datetime.date(2025, 10, 1)
    )
    rows = [
        CodeRow(code="13", title="Diseases of the musculoskeletal system and connective tissue", kind="chapter"),
        CodeRow(code="M45-M49", title="Spondylopathies", kind="section", parent="13"),
        CodeRow(code="M48", title="Other spondylopathies", kind="category", parent="M45-M49"),
        CodeRow(code="M48.5", title="Collapsed vertebra, not elsewhere classified", kind="subcategory", parent="M48"),
        CodeRow(code="M48.56", title="Collapsed vertebra, NEC, lumbar region", kind="subcategory", parent="M48.5"),
        CodeRow(
            code="M48.56XA",
            title="Collapsed vertebra, not elsewhere classified, lumbar region, initial encounter for fracture",
            parent="M48.56",
            billable=True,
        ),
        CodeRow(
            code="M48.56XD",
            title="Collapsed vertebra, not elsewhere classified, lumbar region, subsequent encounter for fracture with routine healing",
            parent="M48.56",
            billable=True,
        ),
    ]
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=release, rows=rows)
    return Code.objects.get(system="icd-10-cm", code="M48.56XA")


@pytest.fixture
def cpt():
    release = register_release(dataset="cpt-codes", version="2024Q3", title="CMS files, July 2024")
    rows = [
        CodeRow(code="99213", title="", billable=True),
        CodeRow(code="22511", title="", billable=True),
        CodeRow(code="22521", title="", billable=False, deleted=True, termination_date=datetime.date(2014, 12, 31)),
    ]
    with transaction.atomic():
        sync_codes(system="cpt", release=release, rows=rows)
    Code.objects.filter(code="22521").update(replaced_by="22511")
    return Code.objects.get(system="cpt", code="99213")


@pytest.mark.sqlite_smoke
def test_it_shows_a_code_page(client, icd10cm):
    response = client.get("/icd-10-cm/M48.56XA/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "M48.56XA" in content
    assert "initial encounter for fracture" in content
    assert "Official Description" in content
    assert "Common Language Description" not in content  # none is written: the section is hidden
    assert 'data-copy="M48.56XA"' in content
    assert '<link rel="canonical" href="http://localhost:8000/icd-10-cm/M48.56XA/">' in content
    # breadcrumbs through the hierarchy
    for ancestor in ("Chapter 13", "M45-M49", "M48", "M48.5", "M48.56"):
        assert f">{ancestor}</a>" in content


@pytest.mark.parametrize("sloppy", ["m4856xa", "M4856XA", "m48.56xa", "M48.56xa"])
def test_sloppy_codes_redirect_permanently_to_the_canonical_url(client, icd10cm, sloppy):
    response = client.get(f"/icd-10-cm/{sloppy}/")
    assert response.status_code == 301
    assert response["Location"] == "/icd-10-cm/M48.56XA/"


def test_an_unknown_code_is_a_404_with_close_matches(client, icd10cm):
    response = client.get("/icd-10-cm/M48.56XZ/")
    assert response.status_code == 404
    assert b"M48.56XA" in response.content
    assert b"M48.56XD" in response.content


def test_a_header_says_it_is_not_billable_and_lists_its_codes(client, icd10cm):
    response = client.get("/icd-10-cm/M48.56/")
    content = response.content.decode()
    assert "Not billable" in content
    assert "/icd-10-cm/M48.56XD/" in content


def test_browse_nodes_have_their_own_pages(client, icd10cm):
    assert client.get("/icd-10-cm/").status_code == 200
    assert b"/icd-10-cm/browse/13/" in client.get("/icd-10-cm/").content
    response = client.get("/icd-10-cm/browse/M45-M49/")
    assert response.status_code == 200
    assert b"/icd-10-cm/M48/" in response.content
    assert client.get("/icd-10-cm/M45-M49/").status_code == 301


def test_the_plain_language_description_is_shown_when_published(client, icd10cm):
    PlainDescription.objects.create(
        system="icd-10-cm", code="M48.56XA", text="A lumbar bone collapsed.", author="Editors", status="published"
    )
    assert b"A lumbar bone collapsed." in client.get("/icd-10-cm/M48.56XA/").content


def test_a_draft_plain_language_description_is_not_shown(client, icd10cm):
    PlainDescription.objects.create(system="icd-10-cm", code="M48.56XA", text="Draft words.", author="Editors")
    content = client.get("/icd-10-cm/M48.56XA/").content.decode()
    assert "Draft words." not in content
    assert "Common Language Description" not in content


def test_cpt_pages_say_the_descriptor_is_licensed_until_loaded(client, cpt):
    content = client.get("/cpt/99213/").content.decode()
    assert "licensed by the American Medical Association and is not shown here" in content
    assert "once the site operator loads" not in content


def test_a_deleted_code_says_when_and_what_replaced_it(client, cpt):
    content = client.get("/cpt/22521/").content.decode()
    assert "This code was deleted" in content
    assert "Dec 31, 2014" in content
    assert 'href="/cpt/22511/"' in content


@pytest.mark.sqlite_smoke
def test_the_api_returns_the_code_page_data(client, icd10cm):
    response = client.get("/api/v1/codes/icd-10-cm/m4856xa")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["code"] == "M48.56XA"
    assert data["system"] == "icd-10-cm"
    assert data["billable"] is True
    assert data["status"] == "active"
    assert [a["code"] for a in data["hierarchy"]] == ["13", "M45-M49", "M48", "M48.5", "M48.56"]
    assert data["descriptions"]["official"].endswith("initial encounter for fracture")
    assert "related" in data


def test_the_api_404s_unknown_codes_and_systems(client, icd10cm):
    assert client.get("/api/v1/codes/icd-10-cm/ZZZ").status_code == 404
    response = client.get("/api/v1/codes/icd-11/M48")
    assert response.status_code == 404
    assert "Unknown code system" in response.json()["error"]


def test_lookup_redirects_an_exact_code_and_lists_a_prefix(client, icd10cm):
    response = client.get("/lookup/", {"q": "m48.56xa"})
    assert response.status_code == 302
    assert response["Location"] == "/icd-10-cm/M48.56XA/"
    response = client.get("/lookup/", {"q": "M48.56X"})
    assert response.status_code == 200
    assert b"M48.56XD" in response.content


def test_the_sitemap_lists_every_code_page(client, icd10cm):
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-icd-10-cm.xml" in index
    pages = client.get("/sitemap-icd-10-cm.xml").content.decode()
    assert "/icd-10-cm/M48.56XA/" in pages
    assert "/icd-10-cm/M48/" in pages


def test_robots_txt_points_to_the_sitemap(client):
    content = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://localhost:8000/sitemap.xml" in content


def test_home_page_has_lookup_and_navigation(client):
    content = client.get("/").content.decode()
    for text in ("Case2Code", "CasePilot", "CaseConsultant", "CareerCenter", "Log in", "Register", 'name="q"'):
        assert text in content
