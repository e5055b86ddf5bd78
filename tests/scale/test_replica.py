"""DATABASE_REPLICA_URL: code pages and search read the code-set tables from the replica; every
write (metering, accounts) lands on the primary. The replica here is a second connection to the
test database (a stand-in for a streaming replica), so the tests commit their rows."""

import copy
import datetime

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import QuotaCounter
from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code

# The replica alias, as settings.py declares it for DATABASE_REPLICA_URL: a test mirror of the
# primary. Declared when this module is collected, before pytest-django sets up the databases.
connections.settings.setdefault(
    "replica", {**copy.deepcopy(connections.settings["default"]), "TEST": {"MIRROR": "default"}}
)

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def replica(settings):
    settings.DATABASE_ROUTERS = ["codingahead.lib.routers.ReplicaRouter"]
    return connections["replica"]


@pytest.fixture
def codes():
    with transaction.atomic():
        release = register_release(
            dataset="icd-10-cm", version="t", title="ICD-10-CM t", effective_date=datetime.date(2025, 10, 1)
        )
        sync_codes(
            system="icd-10-cm",
            release=release,
            rows=[
                CodeRow(code="E11", title="Type 2 diabetes mellitus", kind="category"),
                CodeRow(
                    code="E11.9", title="Type 2 diabetes mellitus without complications", parent="E11", billable=True
                ),
            ],
        )


def _capture(client, url: str, replica):
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(replica) as copy_:
        response = client.get(url)
    return response, [q["sql"] for q in primary.captured_queries], [q["sql"] for q in copy_.captured_queries]


@pytest.mark.metered
def test_a_metered_code_page_reads_codes_from_the_replica_and_counts_on_the_primary(client, codes, replica):
    response, primary, copy_ = _capture(client, "/icd-10-cm/E11.9/", replica)
    assert response.status_code == 200
    assert "without complications" in response.content.decode()
    assert any('"codes_code"' in sql for sql in copy_)
    assert not any(sql.lstrip().upper().startswith(WRITES) for sql in copy_)
    assert all('"codes_' in sql or "SAVEPOINT" in sql.upper() for sql in copy_)
    # The guest's view is counted on the primary (and the session written there).
    assert any(sql.startswith("INSERT INTO") and "accounts_quotacounter" in sql for sql in primary)
    assert QuotaCounter.objects.using("default").exists()


def test_search_reads_from_the_replica(client, codes, replica):
    response, primary, copy_ = _capture(client, "/search/?q=E11.9&go=list", replica)
    assert response.status_code == 200
    assert copy_
    assert not any('"codes_' in sql for sql in primary)


def test_reads_inside_a_transaction_on_the_primary_stay_there(codes, replica):
    with CaptureQueriesContext(replica) as copy_, transaction.atomic():
        Code.objects.filter(code="E11.9").update(title="Renamed")
        assert Code.objects.get(code="E11.9").title == "Renamed"
    assert not copy_.captured_queries
