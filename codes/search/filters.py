"""The filters a search runs under (system, billable, deleted, valid on a date), as SQL on
the search entries and as a QuerySet filter on codes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from .dialects import dialect


@dataclass
class Filters:
    system: str | None = None
    billable: bool | None = None
    include_deleted: bool = False
    as_of: datetime.date | None = None
    kind: str | None = None  # "modifier" when the query asks for one ("left side modifier")

    def sql(self, *, with_system: bool = True) -> tuple[str, list]:
        """WHERE conditions on `e` (codes_searchentry, which copies the code's columns)."""
        where, params = [], []
        col = dialect().COLUMN
        if with_system and self.system:
            where.append(f"{col}system = %s")
            params.append(self.system)
        if self.billable is not None:
            where.append(f"{col}billable = %s")
            params.append(self.billable)
        if self.kind:
            where.append(f"{col}kind = %s")
            params.append(self.kind)
        if self.as_of:
            # A code valid on that date: in effect by then and not yet terminated.
            where.append("(e.effective_date IS NULL OR e.effective_date <= %s)")
            where.append("(e.termination_date IS NULL OR e.termination_date >= %s)")
            params += [self.as_of, self.as_of]
            if not self.include_deleted:
                where.append("(e.deleted = %s OR e.termination_date IS NOT NULL)")
                params.append(False)
        elif not self.include_deleted:
            where.append("e.deleted = %s")
            params.append(False)
        return (" AND ".join(where) or "1 = 1"), params

    def queryset(self, rows, *, with_system: bool = True):
        if with_system and self.system:
            rows = rows.filter(system=self.system)
        if self.billable is not None:
            rows = rows.filter(billable=self.billable)
        if self.as_of:
            rows = rows.filter(Q(effective_date__isnull=True) | Q(effective_date__lte=self.as_of))
            rows = rows.filter(Q(termination_date__isnull=True) | Q(termination_date__gte=self.as_of))
            if not self.include_deleted:
                rows = rows.filter(Q(deleted=False) | Q(termination_date__isnull=False))
        elif not self.include_deleted:
            rows = rows.filter(deleted=False)
        return rows
