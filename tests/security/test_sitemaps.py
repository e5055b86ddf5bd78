"""Sitemaps: a code section is built once per data version, and every sitemap view is rate-limited."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from codes import pagecache
from codes.importers.base import CodeRow, register_release, sync_codes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock_stands_still(ratelimit_clock_stands_still):
    pass


@pytest.mark.page_cache
def test_a_code_section_is_cached_until_the_data_changes(client, code):
    first = client.get("/sitemap-icd-10-cm.xml")
    assert first.status_code == 200
    assert b"/icd-10-cm/E11.9/" in first.content
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/sitemap-icd-10-cm.xml")
    assert again.content == first.content
    assert again["Content-Type"] == "application/xml"
    assert not [q for q in queries if "codes_code" in q["sql"]], "built again from the database"

    release = register_release(
        dataset="icd-10-cm", version="2027", title="ICD-10-CM FY2027", effective_date=datetime.date(2026, 10, 1)
    )
    rows = [
        CodeRow(code="E11", title="Type 2 diabetes mellitus", kind="category"),
        CodeRow(
            code="E11.8", title="Type 2 diabetes mellitus with unspecified complications", billable=True, parent="E11"
        ),
    ]
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=release, rows=rows)
    pagecache.bump()
    assert b"/icd-10-cm/E11.8/" in client.get("/sitemap-icd-10-cm.xml").content


def test_head_and_bad_sections(client, code):
    assert client.head("/sitemap-icd-10-cm.xml").status_code == 200
    assert client.get("/sitemap-nothing.xml").status_code == 404
    assert client.get("/sitemap-icd-10-cm.xml", {"p": "99"}).status_code == 404


@pytest.mark.parametrize("path", ["/sitemap.xml", "/sitemap-icd-10-cm.xml"])
def test_sitemaps_are_rate_limited(client, code, monkeypatch, path):
    from codes import sitemaps

    monkeypatch.setattr(sitemaps, "SITEMAP_RATE", "2/m")
    for _ in range(2):
        assert client.get(path).status_code == 200
    response = client.get(path)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
