"""CDT (dental) code numbers, from the fee schedule.

The D codes of HCPCS Level II are the ADA's Current Dental Terminology: CMS's HCPCS file
leaves them out (their descriptors are ADA licensed content) but the Physician Fee Schedule
lists some, with CMS's status and RVUs. This importer gives each of those a code page: a
HCPCS row with the number only (never a title), under the "D" browse group, so the page
can show the CMS numbers and say that the descriptor is ADA licensed. Run it after the
fee schedule and HCPCS imports (a HCPCS import leaves these rows alone).
"""

from __future__ import annotations

import re

from django.db import transaction

from codes.models import Code, FeeSchedule, Kind, Release, System

from .base import CodeRow, ImportFileError, Progress, SyncResult, register_release, sync_codes

DATASET = "cdt-codes"
CDT_SHAPE = re.compile(r"^D\d{4}$")


def import_cdt_codes(*, progress: Progress | None = None) -> tuple[Release, SyncResult]:
    pfs = Release.objects.filter(dataset="pfs").order_by("-effective_date").first()
    if pfs is None:
        raise ImportFileError("fee schedule", None, "no fee schedule loaded: import PFS first")
    statuses = dict(
        FeeSchedule.objects.filter(release=pfs, modifier="", code__startswith="D").values_list("code", "status_code")
    )
    codes = sorted(code for code in statuses if CDT_SHAPE.match(code))
    has_group = Code.objects.filter(system=System.HCPCS, code="D").exists()
    with transaction.atomic():
        release = register_release(
            dataset=DATASET,
            version=pfs.version,
            title=f"CDT code numbers from the {pfs.title}",
            effective_date=pfs.effective_date,
            end_date=pfs.end_date,
            source="Code numbers and CMS values in the Physician Fee Schedule RVU file. No ADA descriptors.",
            licence="Code numbers only (public domain CMS file); CDT descriptors are ADA licensed content",
        )
        rows = [
            CodeRow(
                code=code,
                title="",
                kind=Kind.CODE,
                billable=statuses[code] not in ("D", "F"),
                parent="D" if has_group else None,
                sort_key=code,
                data={"cdt": True, "sources": ["pfs"]},
            )
            for code in codes
        ]
        result = sync_codes(
            system=System.HCPCS,
            release=release,
            rows=rows,
            progress=progress,
            # Only the rows this importer wrote may vanish; the HCPCS file's codes stay as they are.
            scope=Code.objects.filter(system=System.HCPCS, release__dataset=DATASET),
        )
        release.row_count = result.total
        release.save(update_fields=["row_count"])
    return release, result
