"""ICD-10-CM code pages: "Index entries that lead here", the paths of the Alphabetic Index
(and the Index to External Causes) whose code is this code or one of its headers ("E11.-"
leads to E11.22 too); on a header's page also the entries that point at codes under it.
Two queries at most: the first SHOWN entries, and their number when there are more."""

from __future__ import annotations

from django.urls import reverse

from codes.models import BROWSE_KINDS, Code, IndexTerm, System

SHOWN = 25


def context(code: Code) -> dict | None:
    if code.system != System.ICD10CM or code.kind in BROWSE_KINDS:
        return None
    matches = IndexTerm.objects.leading_to(code.compact, below=not code.billable)
    entries = list(matches.select_related("main")[: SHOWN + 1])
    if not entries:
        return None
    total = len(entries) if len(entries) <= SHOWN else matches.count()
    return {
        "entries": [
            {
                "path": term.path,
                "nemod": term.nemod,
                "index": term.get_index_display(),
                "code": term.code,
                "exact": term.code_compact == code.compact,
                "url": term.get_absolute_url(),
            }
            for term in entries[:SHOWN]
        ],
        "total": total,
        "more_url": f"{reverse('codes:index_home')}?code={code.code}" if total > SHOWN else "",
    }
