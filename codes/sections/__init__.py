"""Related-data sections of a code page.

Each module here exposes `context(code: Code) -> dict | None`: the data of its section
for one code as JSON-serialisable values (None when the section has nothing for that
code), fetched with a constant number of queries. The code page renders it with
`templates/codes/sections/_<module>.html` inside a panel that opens and closes, headed by the
section's title and a count of what it holds (`HEADINGS` below); the JSON API includes it as is.
A guest sees the same titles and counts, in one locked panel, without the content.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from codes.models import Code, System

# Related-data sections shown on each system's code pages, in page order
# (modules in codes/sections/, templates in templates/codes/sections/).
SECTIONS = {
    System.ICD10CM: ["notes", "alphabetic_index", "guidelines", "cc", "gems"],
    System.ICD10PCS: ["pcs"],
    System.HCPCS: ["hcpcs", "pfs", "ncci"],
    System.CPT: ["pfs", "ncci"],
    System.MSDRG: ["drg"],
}


def ancestors(code: Code) -> list[Code]:
    """The levels above a code, the top first, read once per code object: the breadcrumb, the
    notes (inherited from each level) and the guidelines (the chapter's section) share the one
    query. `forget()` drops them before the code is cached with its page."""
    if "_ancestors" not in code.__dict__:
        rows = Code.objects.filter(pk__in=code.lineage).order_by()  # put in lineage order below
        code.__dict__["_ancestors"] = sorted(rows, key=lambda a: code.lineage.index(a.pk))
    return code.__dict__["_ancestors"]


def forget(code: Code) -> None:
    code.__dict__.pop("_ancestors", None)


def counted(n: int, one: str, many: str | None = None) -> str:
    """'1 entry', '1,088 entries'."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _notes(data: dict) -> str:
    parts = [
        f"{group['label']}: {counted(sum(len(s['notes']) for s in group['sources']), 'entry', 'entries')}"
        for group in data["groups"]
    ]
    if data["seventh"]:
        parts.append(counted(len(data["seventh"]["characters"]), "7th character"))
    return " · ".join(parts)


def _cc(data: dict) -> str:
    level = data["level_label"]
    if data["exclusions"]:
        return f"{level} with {counted(data['exclusions']['count'], 'exclusion')}"
    return level


def _ncci(data: dict) -> str:
    parts = []
    ptp = sum(role["total"] for setting in data["ptp"] for role in setting["roles"])
    if ptp:
        parts.append(counted(ptp, "NCCI edit"))
    if data["mues"]:
        parts.append(counted(len(data["mues"]), "MUE"))
    if data["addons"]:
        parts.append(counted(data["addons"]["primary_count"] + data["addons"]["addon_count"], "add-on pair"))
    return " · ".join(parts)


def _pcs(data: dict) -> str:
    if data["kind"] == "table":
        return f"{counted(len(data['rows']), 'row')} · {counted(data['count'], 'valid code')}"
    return counted(len(data["axes"]), "character")


@dataclass(frozen=True)
class Heading:
    """How a section is named on the page, in its contents list and in the guest's locked panel."""

    title: Callable[[dict], str]
    summary: Callable[[dict], str] = lambda data: ""


HEADINGS = {
    "notes": Heading(lambda d: "Tabular notes", _notes),
    "alphabetic_index": Heading(
        lambda d: "Index entries that lead here", lambda d: counted(d["total"], "entry", "entries")
    ),
    "guidelines": Heading(
        lambda d: "Official Guidelines",
        lambda d: counted(len(d["mentions"]) + bool(d["chapter"]), "section"),
    ),
    "cc": Heading(lambda d: "MS-DRG severity (CC/MCC)", _cc),
    "gems": Heading(
        lambda d: "ICD-9-CM equivalents (GEMs)",
        lambda d: counted(len(d["forward"]) + len(d["backward"]), "mapping"),
    ),
    "pcs": Heading(
        lambda d: (
            f"ICD-10-PCS table {d['code']}" if d["kind"] == "table" else f"What each character of {d['code']} means"
        ),
        _pcs,
    ),
    "hcpcs": Heading(lambda d: f"HCPCS modifier {d['modifier']}" if d.get("kind") == "modifier" else "HCPCS record"),
    "pfs": Heading(
        lambda d: "Medicare Physician Fee Schedule", lambda d: f"{d['year']}, status {d['status']['value']}"
    ),
    "ncci": Heading(lambda d: "NCCI edits", _ncci),
    "drg": Heading(lambda d: "MS-DRG details"),
}


def for_code(code: Code) -> list[dict]:
    """The sections this code has, in page order, each with its data, title and summary."""
    sections = []
    for name in SECTIONS.get(code.system, []):
        data = importlib.import_module(f"codes.sections.{name}").context(code)
        if data:
            heading = HEADINGS[name]
            sections.append(
                {
                    "name": name,
                    "template": f"codes/sections/_{name}.html",
                    "data": data,
                    "title": heading.title(data),
                    "summary": heading.summary(data),
                }
            )
    return sections


def _status(code: Code) -> str:
    if code.deleted:
        return "Deleted"
    if code.kind == "modifier":
        return "Active modifier"
    if code.billable:
        return "Valid DRG" if code.system == System.MSDRG else "Billable / valid"
    return "Not billable (header)"


def key_facts(code: Code, found: list[dict], *, locked: bool) -> list[dict]:
    """The strip at the top of a code page: what a coder checks first, each fact linking to the
    section that explains it. A locked page shows only what the code's header already says."""
    facts = [{"label": "Status", "value": _status(code), "href": ""}]
    if locked:
        return facts
    data = {section["name"]: section["data"] for section in found}
    if cc := data.get("cc"):
        facts.append({"label": "CC/MCC", "value": cc["level_label"], "href": "#cc"})
    if drg := data.get("drg"):
        facts.append({"label": "Relative weight", "value": drg["weight"] or "None", "href": "#drg"})
        if drg["gmlos"]:
            facts.append({"label": "GMLOS", "value": f"{drg['gmlos']} days", "href": "#drg"})
    if pfs := data.get("pfs"):
        facts.append({"label": "Payment status", "value": pfs["status"]["value"], "href": "#pfs"})
        facts.append({"label": "Global period", "value": pfs["global_days"]["value"], "href": "#pfs"})
    if ncci := data.get("ncci"):
        practitioner = next((m for m in ncci["mues"] if m["setting"] == "practitioner"), None)
        if mue := practitioner or (ncci["mues"][0] if ncci["mues"] else None):
            facts.append({"label": "MUE", "value": f"{mue['units']} ({mue['setting_label'].lower()})", "href": "#ncci"})
        for setting in ncci["ptp"][:1]:  # the practitioner's edits: the ones most coders bill under
            in_effect = sum(role["in_effect"] for role in setting["roles"])
            facts.append(
                {"label": "PTP edits", "value": f"{in_effect:,} ({setting['setting_label'].lower()})", "href": "#ncci"}
            )
    return facts
