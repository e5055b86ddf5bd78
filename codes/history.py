"""A code's history as a page shows it: what each loaded release changed.

"Added" means added by that release only when an earlier release of the code set is loaded:
a code that is in the oldest release loaded here was not added then (ICD-10-CM codes in the
FY2024 list are decades old). Such a row says "in every release loaded here since FY2024",
and where the file gives the official added date (HCPCS ADD DT) that date is shown instead.
Two queries: the changes with their releases, and the first release of each code set.
"""

from __future__ import annotations

import datetime

from django.db.models import Min

from codes.models import Code, CodeChange, Release


def release_name(release: Release) -> str:
    """FY2024 for an ICD fiscal year, else the release's title."""
    if release.dataset.startswith("icd-10") and release.version.isdigit():
        return f"FY{release.version}"
    return release.title


def history(code: Code, *, limit: int = 10) -> list[CodeChange]:
    """The latest changes, newest first, each with a `label` and a `note` for the page."""
    changes = list(code.changes.select_related("release").order_by("-release__effective_date")[:limit])
    added = [change for change in changes if change.change == CodeChange.Change.ADDED]
    first = dict(
        Release.objects.filter(dataset__in={change.release.dataset for change in added})
        .values_list("dataset")
        .annotate(first=Min("effective_date"))
        .order_by()
    )
    official = (code.data or {}).get("added_date")
    for change in changes:
        change.label, change.note = change.get_change_display(), ""
        if change.change != CodeChange.Change.ADDED:
            continue
        release = change.release
        oldest = first.get(release.dataset)
        in_first = oldest is None or release.effective_date is None or release.effective_date <= oldest
        if official:
            change.label = f"Added {datetime.date.fromisoformat(official):%Y-%m-%d}"
            change.note = "the official added date in the CMS file" + (
                f"; in every release loaded here since {release_name(release)}" if in_first else ""
            )
        elif in_first:
            change.label = f"In every release loaded here since {release_name(release)}"
            change.note = "added before the oldest release loaded here"
    return changes
