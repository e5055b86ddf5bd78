from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from codes import tables

SAMPLES = Path(__file__).parent / "samples"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


@pytest.fixture
def imported():
    call_command("import_icd10cm", str(SAMPLES / "icd10cm_tabular_sample.xml"), stdout=StringIO())
    for name in [
        "icd10cm_eindex_sample.xml",
        "icd10cm_drug_sample.xml",
        "icd10cm_neoplasm_sample.xml",
    ]:
        call_command("import_icd10cm_index", str(SAMPLES / name), stdout=StringIO())


def _url(index):
    return reverse("codes:index_table", args=[index])


def test_it_shows_the_first_letter_by_default(client, imported, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(_url("eindex"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>" in html
    assert "Abandonment NEC" in html
    assert "Bumping" not in html
    assert 'aria-label="Letters"' in html
    assert 'href="?letter=B"' in html


def test_it_shows_another_letter(client, imported):
    html = client.get(_url("eindex"), {"letter": "b"}).content.decode()
    assert "Bumping" in html
    assert "Abandonment" not in html


def test_code_cells_link_to_code_pages(client, imported):
    html = client.get(_url("drugs"), {"letter": "#"}).content.decode()
    assert f'href="{reverse("codes:code", args=["icd-10-cm", "M48.06"])}"' in html
    for column in [
        "Poisoning, accidental (unintentional)",
        "Adverse effect",
        "Underdosing",
    ]:
        assert f'<th scope="col">{column}</th>' in html


def test_a_code_ending_in_a_dash_links_to_its_header(client, imported):
    html = client.get(_url("eindex"), {"letter": "B"}).content.decode()
    assert f'<a href="{reverse("codes:code", args=["icd-10-cm", "M48.5"])}">M48.5-</a>' in html


def test_invalid_codes_are_marked_in_words(client, imported):
    html = client.get(_url("drugs"), {"letter": "#"}).content.decode()
    assert 'Z99.99</a> <span class="badge badge--warn"' in html
    assert html.count("not valid in FY2026</span>") == 2  # the cell and the legend


def test_neoplasm_pages_go_by_site_and_repeat_the_main_term(client, imported, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):
        html = client.get(_url("neoplasm"), {"letter": "B"}).content.decode()
    assert "book-leaf" in html
    assert "abdomen" not in html
    assert "Neoplasm, neoplastic" in html
    assert "(continued)" in html
    for column in ["Malignant primary", "Ca in situ", "Unspecified behavior"]:
        assert f'<th scope="col">{column}</th>' in html


def test_a_long_letter_is_paged_with_its_ancestors_repeated(client, imported, monkeypatch):
    monkeypatch.setattr(tables, "PAGE_SIZE", 3)
    html = client.get(_url("eindex"), {"letter": "A", "page": 2}).content.decode()
    assert "Accident" in html
    assert "(continued)" in html
    assert "old code" in html
    assert "Abandonment" not in html
    assert "page=1" in html


def test_the_source_release_is_named(client, imported):
    html = client.get(_url("neoplasm")).content.decode()
    assert "ICD-10-CM Neoplasm Table FY2023" in html


def test_unknown_tables_and_letters_are_404(client, imported):
    assert client.get(_url("diseases")).status_code == 404
    assert client.get(_url("eindex"), {"letter": "Q"}).status_code == 404


def test_an_empty_table_says_so(client):
    response = client.get(_url("drugs"))
    assert response.status_code == 200
    assert "not been imported" in response.content.decode()
