import datetime

import pytest
from django.db import transaction

from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code


@pytest.fixture
def codes() -> dict[str, Code]:
    release = register_release(
        dataset="icd-10-cm", version="2026", title="ICD-10-CM FY2026", effective_date=datetime.date(2025, 10, 1)
    )
    rows = [
        CodeRow(code="M48", title="Other spondylopathies", kind="category"),
        CodeRow(code="M48.5", title="Collapsed vertebra, not elsewhere classified", kind="subcategory", parent="M48"),
        CodeRow(
            code="M48.56XA",
            title="Collapsed vertebra, not elsewhere classified, lumbar region, initial encounter for fracture",
            parent="M48.5",
            billable=True,
        ),
        CodeRow(code="E11.9", title="Type 2 diabetes mellitus without complications", billable=True),
    ]
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=release, rows=rows)
    return {c.code: c for c in Code.objects.filter(system="icd-10-cm")}
