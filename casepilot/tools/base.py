"""What every CasePilot tool returns, and the lookups they share.

Each `ToolResult` carries
- `facts`: short, complete sentences, each true of the data as loaded;
- `citations`: where the facts come from (code pages, edit lists with their release, guides);
- `codes`: the codes the facts name, each with its page;
- `data`: the same facts as JSON-serialisable values, for the language model.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from django.urls import reverse

from codes.models import BROWSE_KINDS, Code, Kind, Release, System, compact_code

PROCEDURE_SYSTEMS = (System.CPT, System.HCPCS)
# When one compact form names codes in several systems, the first here wins unless the
# question says otherwise (letter + 4 digits is far more often HCPCS than an undotted ICD code).
SYSTEM_ORDER = [System.ICD10CM, System.HCPCS, System.CPT, System.ICD10PCS, System.MSDRG]
NO_PRIMARY = "CCCCC"  # add-on edit type 2: no specific primary codes
SHOWN = 10
MIN_GUIDE_SCORE = 5.0  # casepilot.guides scores (BM25): below this the match is one common word


@dataclass(frozen=True)
class Citation:
    title: str
    url: str


@dataclass(frozen=True)
class CodeRef:
    system: str
    code: str
    url: str


@dataclass
class ToolResult:
    tool: str
    found: bool
    facts: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    codes: list[CodeRef] = field(default_factory=list)
    data: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return asdict(self)


def system_label(system: str) -> str:
    return System(system).label if system in System.values else system


def code_ref(code: Code) -> CodeRef:
    return CodeRef(system=code.system, code=code.code, url=code.get_absolute_url())


def code_citation(code: Code) -> Citation:
    release = f" ({code.release.title})" if code.release_id and code.release else ""
    return Citation(title=f"{system_label(code.system)} {code.code}: code page{release}", url=code.get_absolute_url())


def iso_date(value) -> str:
    return value.isoformat() if value else ""


def latest_release(dataset: str) -> Release | None:
    return Release.objects.filter(dataset=dataset).order_by("-effective_date").first()


def find_codes(code: str, *, system: str | None = None) -> list[Code]:
    """Every code row whose compact form is `code`'s (one per system), best system first."""
    compact = compact_code(code)[:16]
    if not compact:
        return []
    # Every system named: the (system, compact) index then serves the lookup (40 ms -> 0.1 ms on PostgreSQL).
    rows = Code.objects.filter(system__in=[system] if system else System.values, compact=compact).exclude(
        kind__in=BROWSE_KINDS
    )
    rows = list(rows.select_related("release"))
    dotted = "." in code
    letter_digits = bool(re.fullmatch(r"[A-Z]\d{4}", compact))

    def rank(row: Code) -> tuple:
        exact = row.code.upper() == code.strip().upper()
        prefer = (
            (dotted and row.system == System.ICD10CM)
            or (letter_digits and not dotted and row.system == System.HCPCS)
            or row.kind == Kind.MODIFIER
        )
        return (not exact, not prefer, SYSTEM_ORDER.index(row.system) if row.system in SYSTEM_ORDER else 9)

    return sorted(rows, key=rank)


def not_found(tool: str, code: str, system: str | None) -> ToolResult:
    where = system_label(system) if system else "any code set"
    return ToolResult(
        tool=tool,
        found=False,
        facts=[f"{code} is not a code in {where} on this site. Check the characters, or search by description."],
        citations=[Citation(title="Code lookup", url=reverse("codes:lookup") + f"?q={compact_code(code)}")],
        data={"code": code, "system": system, "found": False},
    )


def procedure_code(code: str) -> str:
    return compact_code(code)[:5]
