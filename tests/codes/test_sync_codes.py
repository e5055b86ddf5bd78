import datetime

import pytest
from django.db import transaction

from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code, CodeChange


def _release(version, effective):
    return register_release(dataset="test", version=version, title=f"Test {version}", effective_date=effective)


def _rows(titles):
    return [
        CodeRow(code="A00", title="Cholera", kind="category"),
        *[CodeRow(code=code, title=title, parent="A00", billable=True) for code, title in titles.items()],
    ]


def _sync(version, effective, titles):
    with transaction.atomic():
        return sync_codes(system="icd-10-cm", release=_release(version, effective), rows=_rows(titles))


pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def test_it_links_children_to_parents_with_lineage():
    _sync("1", datetime.date(2024, 10, 1), {"A00.0": "Cholera due to V. cholerae 01"})
    child = Code.objects.get(code="A00.0")
    assert child.parent.code == "A00"
    assert child.lineage == [child.parent_id]
    assert child.compact == "A000"


def test_rerunning_the_same_release_changes_nothing():
    titles = {"A00.0": "Cholera 01", "A00.1": "Cholera eltor"}
    _sync("1", datetime.date(2024, 10, 1), titles)
    result = _sync("1", datetime.date(2024, 10, 1), titles)
    assert (result.added, result.revised, result.deleted) == (0, 0, 0)
    assert Code.objects.count() == 3


def test_a_newer_release_records_revisions_and_deletions():
    _sync("1", datetime.date(2024, 10, 1), {"A00.0": "Cholera 01", "A00.1": "Cholera eltor"})
    result = _sync("2", datetime.date(2025, 10, 1), {"A00.0": "Cholera due to 01", "A00.9": "Cholera, unspecified"})
    assert (result.added, result.revised, result.deleted) == (1, 1, 1)
    gone = Code.objects.get(code="A00.1")
    assert gone.deleted
    assert gone.termination_date == datetime.date(2025, 9, 30)
    changes = set(CodeChange.objects.filter(release__version="2").values_list("code__code", "change"))
    assert changes == {("A00.9", "added"), ("A00.0", "revised"), ("A00.1", "deleted")}
