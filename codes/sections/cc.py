"""MS-DRG severity of an ICD-10-CM code as a secondary diagnosis: CC, MCC or neither, and
the principal diagnoses that cancel it (its Table 6K PDX exclusion list). Exclusion
lists run to thousands of codes, so the page gets the count and the first ones only.
At most two queries: the CC/MCC row, and the list's first codes with their titles and its size."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Subquery, Window
from django.urls import reverse

from codes.models import CcCode, Code, DrgCcExclusion, Release, System

SHOWN = 50

LEVELS = {
    "MCC": "MCC (major complication or comorbidity): as a secondary diagnosis it moves a case into the MS-DRG with MCC of a family split by severity.",
    "CC": "CC (complication or comorbidity): as a secondary diagnosis it moves a case into the MS-DRG with CC (or with CC/MCC) of a family split by severity.",
}
ALIVE_ONLY = (
    "Only if the patient is discharged alive (Table 6K part 2): when the patient dies during the stay, "
    "it does not count as a CC or MCC."
)
NEITHER = "Neither CC nor MCC: as a secondary diagnosis it does not change the MS-DRG severity level."


def context(code: Code) -> dict | None:
    if code.system != System.ICD10CM or not code.billable:
        return None
    cc = CcCode.objects.filter(code=code.code).select_related("release").first()
    if cc is None:
        # Say "neither" only when the MS-DRG tables are loaded at all.
        release = Release.objects.filter(dataset="ms-drg").order_by("-effective_date").first()
        if release is None:
            return None
        return {
            "level": "",
            "level_label": "Non-CC",
            "explanation": NEITHER,
            "release": release.title,
            "exclusions": None,
            "condition": None,
            "discharged_alive_only": False,
        }
    exclusions = None
    if cc.exclusion_list is not None:
        # The first codes with their titles and the list's size, in one query.
        title = Code.objects.filter(system=System.ICD10CM, code=OuterRef("pdx")).values("title")[:1]
        rows = list(
            DrgCcExclusion.objects.filter(list_number=cc.exclusion_list, release_id=cc.release_id)
            .annotate(title=Subquery(title), total=Window(Count("pk")))
            .order_by("pdx")
            .values_list("pdx", "title", "total")[:SHOWN]
        )
        titles = {pdx: title or "" for pdx, title, _ in rows}
        shown = list(titles)
        count = rows[0][2] if rows else 0
        exclusions = {
            "list_number": f"{cc.exclusion_list:04d}",
            "count": count,
            "shown": len(shown),
            "codes": [
                {
                    "code": pdx,
                    "title": titles.get(pdx, ""),
                    "url": reverse("codes:code", args=[System.ICD10CM, pdx]),
                    # A code on its own list: it is not a CC when it is also the principal diagnosis.
                    "self": pdx == code.code,
                }
                for pdx in shown
            ],
        }
    return {
        "level": cc.level,
        "level_label": f"{cc.level}, only if discharged alive" if cc.discharged_alive_only else cc.level,
        "explanation": LEVELS[cc.level],
        # Table 6K part 2: when the patient dies the code does not count as a CC or MCC.
        "condition": ALIVE_ONLY if cc.discharged_alive_only else None,
        "discharged_alive_only": cc.discharged_alive_only,
        "release": cc.release.title,
        "exclusions": exclusions,
    }
