"""MS-DRG facts for a DRG page: MDC, MED/SURG, relative weight, mean lengths of stay,
the post-acute transfer and special-pay flags, and the DRGs of the same family
(the same title split by CC/MCC). Two queries: the levels above the DRG (the MDC is its parent;
shared with the page, `codes.sections.ancestors`) and the family; the release comes with the code."""

from __future__ import annotations

import re

from codes.models import Code, Kind, System, page_url
from codes.sections import ancestors

TYPES = {"MED": "Medical", "SURG": "Surgical"}

POST_ACUTE = (
    "Post-acute care transfer MS-DRG: when the patient is discharged before the geometric mean "
    "length of stay to a skilled nursing facility, an excluded (rehabilitation, long-term care, "
    "psychiatric, cancer or children's) hospital or unit, hospice, or home with home health care "
    "starting within 3 days, the hospital is paid a per-diem amount (the full payment divided by "
    "the geometric mean LOS), doubled for the first day, up to the full MS-DRG payment."
)
SPECIAL_PAY = (
    "Special payment MS-DRG: for such an early transfer the hospital receives half of the full "
    "MS-DRG payment plus the per-diem amount for the first day, then half the per-diem amount for "
    "each further day, up to the full payment, because most costs of these stays fall on the first days."
)
NO_TRANSFER = "Not subject to the post-acute care transfer policy: an early transfer is paid the full MS-DRG payment."


def _severity(title: str, family: str) -> str:
    """What sets a DRG apart within its family: 'with MCC', 'without CC/MCC'."""
    rest = title[len(family) :].strip().lower() if title.startswith(family) else ""
    return re.sub(r"\b(mcc|cc)\b", lambda m: m.group(1).upper(), rest)


def _decimal(value: float | None, places: int) -> str | None:
    return None if value is None else f"{value:.{places}f}"


def context(code: Code) -> dict | None:
    if code.system != System.MSDRG or code.kind != Kind.CODE:
        return None
    data = code.data or {}
    mdc = next((level for level in ancestors(code) if level.pk == code.parent_id), None)
    family_title = data.get("family") or code.title
    members = list(
        Code.objects.filter(
            system=System.MSDRG,
            kind=Kind.CODE,
            parent_id=code.parent_id,
            data__family=family_title,
        )
        .active()
        .order_by("code")
        .values_list("code", "title")
    )
    release = code.release.title if code.release_id else ""
    post_acute, special_pay = (
        bool(data.get("post_acute")),
        bool(data.get("special_pay")),
    )
    return {
        "release": release,
        "fiscal_year": data.get("fy"),
        "mdc": {
            "number": data.get("mdc", ""),
            "code": mdc.code,
            "title": mdc.title,
            "url": mdc.get_absolute_url(),
        }
        if mdc
        else None,
        "type": data.get("type", ""),
        "type_label": TYPES.get(data.get("type", ""), "Not assigned"),
        "weight": _decimal(data.get("weight"), 4),
        # Shown only when the 10% cap on weight changes moved it.
        "weight_before_cap": _decimal(data.get("weight_before_cap"), 4)
        if data.get("weight_before_cap") != data.get("weight")
        else None,
        "gmlos": _decimal(data.get("gmlos"), 1),
        "amlos": _decimal(data.get("amlos"), 1),
        "post_acute": post_acute,
        "special_pay": special_pay,
        "transfer_note": " ".join(
            filter(
                None,
                [
                    POST_ACUTE if post_acute else NO_TRANSFER,
                    special_pay and SPECIAL_PAY,
                ],
            )
        ),
        "family": [
            {
                "code": other,
                "title": title,
                "severity": _severity(title, family_title),
                "url": page_url(System.MSDRG, other, Kind.CODE),
                "current": other == code.code,
            }
            for other, title in members
        ]
        if len(members) > 1
        else [],
        "family_title": family_title if len(members) > 1 else "",
    }
