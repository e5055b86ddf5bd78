"""Batch lookup: the status of each of a list of typed codes (billable, header, deleted, unknown)."""

from __future__ import annotations

from dataclasses import dataclass

from codes.models import BROWSE_KINDS, Code, compact_code

from .bycode import all_systems
from .parsing import with_placeholder
from .ranking import display_titles

# --- batch lookup ------------------------------------------------------------------------


@dataclass
class BatchRow:
    typed: str
    code: Code | None
    status: str  # "billable", "header", "deleted", "unknown"
    title: str = ""

    STATUS_LABELS = {
        "billable": "Valid and billable",
        "valid": "Valid, not billable",
        "header": "Valid header (not billable)",
        "deleted": "Deleted",
        "unknown": "Unknown",
    }

    @property
    def label(self) -> str:
        label = self.STATUS_LABELS[self.status]
        if self.status == "deleted" and self.code and self.code.termination_date:
            label += f" {self.code.termination_date.isoformat()}"
        return label


def batch_lookup(typed: list[str]) -> list[BatchRow]:
    """The status of each code typed, in the order given (one query for all of them)."""
    compacts = {t: compact_code(t)[:16] for t in typed}
    wanted = set(compacts.values())
    for c in list(wanted):
        wanted.update(with_placeholder(c))
    found: dict[str, list[Code]] = {}
    for code in all_systems(Code.objects.filter(compact__in=wanted)).order_by("deleted", "system"):
        found.setdefault(code.compact, []).append(code)
    titles = display_titles([c for codes in found.values() for c in codes])
    rows = []
    for t in typed:
        compact = compacts[t]
        matches = found.get(compact) or next((found[p] for p in with_placeholder(compact) if p in found), [])
        if not matches:
            rows.append(BatchRow(t, None, "unknown"))
            continue
        # As typed (J11.00 is ICD-10-CM, J1100 HCPCS), then a current code before a deleted one.
        code = min(matches, key=lambda c: (c.code.upper() != t.upper(), c.deleted))
        if code.deleted:
            status = "deleted"
        elif code.billable:
            status = "billable"
        elif code.is_header or code.kind in BROWSE_KINDS:
            status = "header"
        else:
            status = "valid"
        title = code.title or titles.get(code.pk, ("", ""))[0] or code.short_title
        rows.append(BatchRow(t, code, status, title))
    return rows
