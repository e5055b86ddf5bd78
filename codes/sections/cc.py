"""MS-DRG severity of an ICD-10-CM code as a secondary diagnosis: CC, MCC or neither, and
the principal diagnoses that cancel it (its Table 6K PDX exclusion list). Exclusion
lists run to thousands of codes, so the page gets the count and the first ones only.
At most four queries: the CC/MCC row, the list's size, its first codes, their titles."""

from __future__ import annotations

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
        rows = DrgCcExclusion.objects.filter(list_number=cc.exclusion_list, release_id=cc.release_id)
        count = rows.count()
        shown = list(rows.order_by("pdx").values_list("pdx", flat=True)[:SHOWN])
        titles = dict(Code.objects.filter(system=System.ICD10CM, code__in=shown).values_list("code", "title"))
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
