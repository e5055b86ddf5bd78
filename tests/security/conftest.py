import datetime
import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.core.cache import cache, caches
from django.db import transaction

from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    # Rate-limit counters live in their own cache (a database table here): each test starts from zero.
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    caches["ratelimits"].clear()
    yield
    caches["ratelimits"].clear()
    cache.clear()


@pytest.fixture
def code() -> Code:
    release = register_release(
        dataset="icd-10-cm", version="2026", title="ICD-10-CM FY2026", effective_date=datetime.date(2025, 10, 1)
    )
    rows = [
        CodeRow(code="E11", title="Type 2 diabetes mellitus", kind="category"),
        CodeRow(code="E11.9", title="Type 2 diabetes mellitus without complications", billable=True, parent="E11"),
    ]
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=release, rows=rows)
    return Code.objects.get(system="icd-10-cm", code="E11.9")


@pytest.fixture
def ratelimit_clock_stands_still(monkeypatch):
    """django-ratelimit counts in fixed windows: a window ending mid-test would reset the count."""
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))
