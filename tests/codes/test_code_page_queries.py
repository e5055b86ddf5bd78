"""A code page costs the same number of queries whatever the number of notes or edits."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code, Note, PtpEdit

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_cpt_page_queries_do_not_grow_with_its_edits(client):
    release = register_release(dataset="cpt-codes", version="t", title="t", effective_date=datetime.date(2024, 7, 1))
    with transaction.atomic():
        sync_codes(
            system="cpt",
            release=release,
            rows=[CodeRow(code=c, title="", billable=True) for c in ("20600", "20610", "20611")],
        )

    def add_edits(count: int, start: int) -> None:
        PtpEdit.objects.bulk_create(
            PtpEdit(
                setting=setting, column1="20610", column2=f"{start + i:05d}", modifier_indicator="1", release=release
            )
            for i in range(count)
            for setting in ("practitioner", "outpatient")
        )

    add_edits(2, 10000)
    few = _queries(client, "/cpt/20610/")
    add_edits(300, 11000)
    many = _queries(client, "/cpt/20610/")
    assert few == many
    assert many <= MAX_QUERIES


@pytest.mark.metered
def test_a_guest_page_counts_what_is_locked_within_the_same_budget(client):
    """The guest's one locked panel counts the sections' rows: no more queries than the full page."""
    release = register_release(dataset="cpt-codes", version="t", title="t", effective_date=datetime.date(2024, 7, 1))
    with transaction.atomic():
        sync_codes(system="cpt", release=release, rows=[CodeRow(code="20610", title="", billable=True)])
    PtpEdit.objects.bulk_create(
        PtpEdit(
            setting="practitioner", column1="20610", column2=f"{11000 + i:05d}", modifier_indicator="1", release=release
        )
        for i in range(300)
    )
    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/cpt/20610/").content.decode()
    assert "NCCI edits: 300 NCCI edits" in html
    assert len(ctx.captured_queries) <= MAX_QUERIES


def test_icd10cm_page_queries_do_not_grow_with_its_notes(client):
    release = register_release(dataset="icd-10-cm", version="t", title="t", effective_date=datetime.date(2025, 10, 1))
    rows = [
        CodeRow(code="E11", title="Type 2 diabetes mellitus", kind="category"),
        CodeRow(code="E11.9", title="Type 2 diabetes mellitus without complications", parent="E11", billable=True),
    ]
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=release, rows=rows)
    category = Code.objects.get(code="E11")
    Note.objects.create(code=category, type="excludes1", text="diabetes mellitus due to underlying condition (E08.-)")
    few = _queries(client, "/icd-10-cm/E11.9/")
    Note.objects.bulk_create(
        Note(code=category, type=kind, text=f"note {i} (E{i:02d}.-)", position=i)
        for i in range(100)
        for kind in ("excludes1", "excludes2", "use_additional", "inclusion")
    )
    many = _queries(client, "/icd-10-cm/E11.9/")
    assert few == many
    assert many <= MAX_QUERIES
