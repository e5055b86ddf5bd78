"""A code's history as a page shows it: what each loaded release changed.

"Added" means added by that release only when an earlier release of the code set is loaded:
a code that is in the oldest release loaded here was not added then (ICD-10-CM codes in the
FY2024 list are decades old). Such a row says "in every release loaded here since FY2024",
and where the file gives the official added date (HCPCS ADD DT) that date is shown instead.
One query: the changes with their releases and the first release date of each one's code set.
"""

from __future__ import annotations

import datetime

from django.db.models import OuterRef, Subquery

from codes.models import Code, CodeChange, Release


def release_name(release: Release) -> str:
    """FY2024 for an ICD fiscal year, else the release's title."""
    if release.dataset.startswith("icd-10") and release.version.isdigit():
        return f"FY{release.version}"
    return release.title


def history(code: Code, *, limit: int = 10) -> list[dict]:
    """The latest changes, newest first, each with a `label` and a `note` for the page."""
    oldest = (
        Release.objects.filter(dataset=OuterRef("release__dataset"), effective_date__isnull=False)
        .order_by("effective_date")
        .values("effective_date")[:1]
    )
    rows = (
        code.changes.order_by("-release__effective_date")
        .annotate(oldest=Subquery(oldest))
        .values(
            "change",
            "old_title",
            "new_title",
            "oldest",
            "release__dataset",
            "release__version",
            "release__title",
            "release__effective_date",
        )[:limit]
    )
    official = (code.data or {}).get("added_date")
    labels = dict(CodeChange.Change.choices)
    changes = []
    for row in rows:
        label, note = labels.get(row["change"], row["change"]), ""
        if row["change"] == CodeChange.Change.ADDED:
            release = Release(
                dataset=row["release__dataset"], version=row["release__version"], title=row["release__title"]
            )
            effective, oldest_date = row["release__effective_date"], row["oldest"]
            in_first = oldest_date is None or effective is None or effective <= oldest_date
            if official:
                label = f"Added {datetime.date.fromisoformat(official):%Y-%m-%d}"
                note = "the official added date in the CMS file" + (
                    f"; in every release loaded here since {release_name(release)}" if in_first else ""
                )
            elif in_first:
                label = f"In every release loaded here since {release_name(release)}"
                note = "added before the oldest release loaded here"
        changes.append(
            {
                "release": row["release__title"],
                "change": row["change"],
                "label": label,
                "note": note,
                "old_title": row["old_title"],
                "new_title": row["new_title"],
            }
        )
    return changes
