"""CPT descriptors from a licensee's data file (AMA layout: `code<TAB>descriptor`, one code a line).

CPT descriptors are AMA licensed content: the repository never holds them. A site operator
with a licence loads the file they received; this sets the `title` of CPT codes (creating
codes that the CMS files have not created yet) and leaves everything else on the code (kind,
parent, data from other importers) as it was. Rerunning the same file changes nothing.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from codes.models import Code, CodeChange, Kind, System, compact_code

from .base import BATCH_SIZE, ImportFileError, open_binary, register_release

# Category I (5 digits), Category II (4 digits + F), Category III (+ T), PLA (+ U) codes.
CPT_CODE = re.compile(r"^[0-9]{4}[0-9FTU]$")
LICENCE = "AMA CPT licensed content, loaded by the site operator"


def read_descriptors(path: Path | str) -> dict[str, str]:
    """{code: descriptor} from a tab-delimited descriptor file.

    Tolerates a UTF-8 BOM, CRLF line ends, blank lines and one header line; any other line
    that is not `code<TAB>descriptor` is an error naming the file and line.
    """
    path = Path(path)
    with open_binary(path) as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # older AMA files are Windows-1252
    descriptors: dict[str, str] = {}
    first_content_line = True
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, sep, descriptor = line.partition("\t")
        code, descriptor = code.strip().upper(), " ".join(descriptor.split())
        if first_content_line:
            first_content_line = False
            if not CPT_CODE.match(code):
                continue  # a header such as "Code<TAB>Descriptor"
        if not sep:
            raise ImportFileError(path, number, "expected code<TAB>descriptor")
        if not CPT_CODE.match(code):
            raise ImportFileError(path, number, f"{code!r} is not a CPT code")
        if not descriptor:
            raise ImportFileError(path, number, f"{code} has no descriptor")
        if code in descriptors and descriptors[code] != descriptor:
            raise ImportFileError(path, number, f"{code} is listed twice with different descriptors")
        descriptors[code] = descriptor
    if not descriptors:
        raise ImportFileError(path, None, "no descriptors found")
    return descriptors


@dataclass
class CptImport:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    version: str = ""


def import_cpt_descriptors(
    *,
    path: Path | str,
    version: str | None = None,
    effective_date: datetime.date | None = None,
) -> CptImport:
    """Set CPT code titles from a descriptor file, in one transaction."""
    path = Path(path)
    descriptors = read_descriptors(path)
    version = version or path.name.split(".")[0]
    summary = CptImport(total=len(descriptors), version=version)
    with transaction.atomic():
        release = register_release(
            dataset="cpt-descriptors",
            version=version,
            title=f"CPT descriptors ({path.name})",
            path=path,
            source=f"Licensee descriptor file {path.name}",
            licence=LICENCE,
            effective_date=effective_date,
        )
        source = {
            "file": path.name,
            "version": version,
            "imported": timezone.localdate().isoformat(),
        }
        existing = {
            row.code: row
            for row in Code.objects.filter(system=System.CPT, code__in=list(descriptors)).only(
                "pk", "code", "title", "data"
            )
        }
        to_create, to_update, changes = [], [], []
        for code, descriptor in sorted(descriptors.items()):
            row = existing.get(code)
            if row is None:
                to_create.append(
                    Code(
                        system=System.CPT,
                        code=code,
                        compact=compact_code(code),
                        kind=Kind.CODE,
                        title=descriptor,
                        billable=True,
                        sort_key=code,
                        data={"descriptor_source": source},
                        release=release,
                        first_release=release,
                    )
                )
                continue
            known = (row.data or {}).get("descriptor_source", {})
            if row.title == descriptor and known.get("file") == path.name and known.get("version") == version:
                summary.unchanged += 1  # same file again: keep the first import's date
                continue
            if row.title and row.title != descriptor:
                changes.append(
                    CodeChange(
                        code_id=row.pk,
                        release=release,
                        change=CodeChange.Change.REVISED,
                        old_title=row.title,
                        new_title=descriptor,
                    )
                )
            row.title = descriptor
            row.data = {**(row.data or {}), "descriptor_source": source}
            to_update.append(row)
        Code.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        Code.objects.bulk_update(to_update, ["title", "data"], batch_size=BATCH_SIZE)
        CodeChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)
        summary.created, summary.updated = len(to_create), len(to_update)
        release.row_count = len(descriptors)
        release.save(update_fields=["row_count"])
    return summary
