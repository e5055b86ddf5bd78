"""CasePilot's tools: plain functions over the site's data, each returning facts with their sources.

Every answer CasePilot gives is composed from these results (the default engine, casepilot/engine.py)
or written by a language model that may only call them (casepilot/llm.py). A tool never guesses:
what the tables do not hold, it says it does not know.

`TOOLS` is the one table of them: name, function, the progress line shown while it runs, and the
JSON schema of its arguments for the language model. Both engines call tools only through `call()`,
so adding a tool is one entry here and nothing else learns its name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from codes.models import BROWSE_KINDS, Code, compact_code

from .base import (
    MIN_GUIDE_SCORE,
    PROCEDURE_SYSTEMS,
    SYSTEM_ORDER,
    Citation,
    CodeRef,
    ToolResult,
    code_ref,
    find_codes,
)
from .case import code_case
from .coding import coding_rules
from .fees import fee_schedule, find_localities, gpci_payment
from .icd import cc_mcc, crosswalk, icd10cm_notes
from .lookup import is_billable, lookup_code, search_codes, valid_on
from .ncci import addon_codes, mue, ptp_edit
from .pairs import pair_check
from .pcs import pcs_root_operation
from .rules import find_guides, modifier_info
from .units import drug_units

CODE = {"type": "string", "description": "A code, e.g. 99213, M48.56XA, J1100"}
SYSTEM = {"type": "string", "enum": ["icd-10-cm", "icd-10-pcs", "hcpcs", "cpt", "ms-drg"]}
MAX_ARGUMENT = 300
CODE_ARGUMENTS = ("code", "code_a", "code_b")
LOCKED_DETAILS = "notes, NCCI edits, MUEs, fee schedule data, CC/MCC status, mappings and plain-language text"


@dataclass(frozen=True)
class Tool:
    name: str
    function: Callable[..., ToolResult]
    label: str  # the progress line, formatted with the call's arguments
    description: str  # for the language model
    properties: dict = field(default_factory=dict)  # JSON schema of each argument
    required: tuple[str, ...] = ()
    # What a code page locks below Pro: "all" (every fact is a locked detail of the codes in the
    # arguments), "part" (the tool leaves the locked facts out when called with details=False).
    locked: str = ""

    def codes(self, args: dict) -> list[str]:
        """The codes a call is about (whose details it reveals)."""
        return [str(args[key]) for key in CODE_ARGUMENTS if args.get(key)]

    def schema(self) -> dict:
        """The OpenAI-compatible function declaration of this tool."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": {"type": "object", "properties": self.properties, "required": list(self.required)},
            },
        }

    def progress(self, args: dict) -> str:
        values = {key: args.get(key) or "" for key in self.properties}
        return self.label.format(**values) + "…"


TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in [
        Tool("lookup_code", lookup_code, "Looking up {code}",
             "A code in any code set: title, plain-language text, status, dates, replacement.",
             {"code": CODE, "system": SYSTEM}, ("code",), locked="part"),
        Tool("is_billable", is_billable, "Checking whether {code} is billable",
             "Whether a code is billable; for a header, the billable codes under it.",
             {"code": CODE, "system": SYSTEM}, ("code",)),
        Tool("valid_on", valid_on, "Checking whether {code} was valid on {date}",
             "Whether a code was valid on a date of service (YYYY-MM-DD), and what replaced it.",
             {"code": CODE, "date": {"type": "string", "description": "YYYY-MM-DD"}, "system": SYSTEM},
             ("code", "date")),
        Tool("search_codes", search_codes, "Searching the code sets for “{query}”",
             "Codes by description (e.g. 'heart attack').",
             {"query": {"type": "string"}, "system": SYSTEM}, ("query",)),
        Tool("icd10cm_notes", icd10cm_notes, "Reading the tabular notes of {code}",
             "ICD-10-CM notes of a code: excludes1/2, code first, use additional, 7th characters.",
             {"code": CODE}, ("code",), locked="all"),
        Tool("cc_mcc", cc_mcc, "Checking the CC/MCC tables for {code}",
             "Whether an ICD-10-CM code is a CC or MCC in MS-DRG; with a principal diagnosis, whether its "
             "PDX exclusion list (Table 6K) cancels it.", {"code": CODE, "principal": CODE}, ("code",), locked="all"),
        Tool("crosswalk", crosswalk, "Reading the ICD-9-CM/ICD-10-CM mappings of {code}",
             "ICD-9-CM to ICD-10-CM mappings (GEMs), or an ICD-10-CM code back to ICD-9-CM.",
             {"code": {"type": "string", "description": "e.g. 250.00 (ICD-9-CM) or E11.9"}}, ("code",), locked="all"),
        Tool("ptp_edit", ptp_edit, "Checking NCCI PTP edits for {code_a} and {code_b}",
             "The NCCI procedure-to-procedure edit of two CPT/HCPCS codes.",
             {"code_a": CODE, "code_b": CODE}, ("code_a", "code_b"), locked="all"),
        Tool("mue", mue, "Checking the MUEs of {code}",
             "The NCCI medically unlikely edit (units per day) of a CPT/HCPCS code.",
             {"code": CODE, "units": {"type": "integer"}}, ("code",), locked="all"),
        Tool("addon_codes", addon_codes, "Checking the add-on code edits of {code}",
             "NCCI add-on code edits of a code.", {"code": CODE}, ("code",), locked="all"),
        Tool("fee_schedule", fee_schedule, "Reading the Physician Fee Schedule for {code}",
             "Medicare Physician Fee Schedule RVUs, global period, indicators and payment; "
             "a locality (city or state) gives the GPCI-adjusted amount.",
             {"code": CODE, "locality": {"type": "string"}}, ("code",), locked="all"),
        Tool("modifier_info", modifier_info, "Looking up modifier {code}",
             "A modifier (HCPCS Level II from the CMS file; CPT modifiers from the guides).",
             {"code": {"type": "string", "description": "e.g. 25, 59, XE, LT"}}, ("code",)),
        Tool("code_case", code_case, "Coding the case: conditions, Index terms, notes and sequencing",
             "ICD-10-CM codes for a described case in reporting order, each with why (notes, guidelines); "
             "negated conditions are left out, uncertain ones follow the inpatient/outpatient rule.",
             {"text": {"type": "string"}}, ("text",)),
        Tool("pair_check", pair_check, "Checking the Excludes notes of {code_a} and {code_b}",
             "Whether two ICD-10-CM codes may be reported together (Excludes1/Excludes2 at every level).",
             {"code_a": CODE, "code_b": CODE}, ("code_a", "code_b"), locked="all"),
        Tool("drug_units", drug_units, "Working out the units of {code} for {dose}",
             "Units to bill of a HCPCS drug code for a dose (descriptor amount, conversion, rounding; MUE as a limit).",
             {"code": CODE, "dose": {"type": "string", "description": "e.g. 8 mg, 1 g, 5000 units"}},
             ("code", "dose")),
        Tool("coding_rules", coding_rules, "Reading the coding rules",
             "Rules with their section: E/M time and MDM, modifiers (25, 57, 59/X, 50, 24, 78, 79, GA/GZ/GX/GY), "
             "ICD-10-CM conventions and guidelines.",
             {"question": {"type": "string"}}, ("question",)),
        Tool("pcs_root_operation", pcs_root_operation, "Reading the ICD-10-PCS root operation definitions",
             "ICD-10-PCS root operations (Medical and Surgical): the one a question names, or those whose CMS "
             "definition and examples fit a described procedure.",
             {"question": {"type": "string"}}, ("question",)),
        Tool("find_guides", find_guides, "Searching the guides",
             "The site's guides on coding rules, guidelines, compliance and coverage.",
             {"query": {"type": "string"}, "limit": {"type": "integer"}}, ("query",)),
    ]
}  # fmt: skip


class BadCall(ValueError):
    """A tool call that names no tool or has arguments its schema refuses; the message says which."""


def validate(name: str, args: object) -> dict:
    """The arguments of a call checked against the tool's schema (for calls the engines did not build)."""
    tool = TOOLS.get(name)
    if tool is None:
        raise BadCall(f"Unknown tool {name!r}.")
    if not isinstance(args, dict) or any(not args.get(key) for key in tool.required):
        raise BadCall(f"Missing arguments: {', '.join(tool.required)}.")
    checked = {}
    for key, spec in tool.properties.items():
        if key not in args or args[key] is None:
            continue
        value = args[key]
        expected = spec["type"]
        if (expected == "string" and not isinstance(value, str)) or (
            expected == "integer" and (not isinstance(value, int) or isinstance(value, bool))
        ):
            raise BadCall(f"Argument {key} must be a {expected}.")
        if isinstance(value, str) and len(value) > MAX_ARGUMENT:
            raise BadCall(f"Argument {key} is too long.")
        if "enum" in spec and value not in spec["enum"]:
            raise BadCall(f"Unknown value for {key}.")
        checked[key] = value
    return checked


@dataclass
class DetailCap:
    """How many codes' locked details one answer may carry (issue 12: a guest asking for the notes of
    a hundred codes got them all). `limit` None: no cap. Codes past the limit are named, not detailed."""

    limit: int | None
    plan: str = ""
    shown: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)

    def admit(self, codes: list[str]) -> bool:
        keys = [compact_code(c) for c in codes]
        if self.limit is None:
            return True
        new = [k for k in dict.fromkeys(keys) if k not in self.shown]
        if len(self.shown) + len(new) <= self.limit:
            self.shown += new
            return True
        self.withheld += [c for c in codes if compact_code(c) not in self.shown and c not in self.withheld]
        return False

    def notice(self) -> tuple[str, list[CodeRef]]:
        """The line that says what was left out and why, and links to the codes left out."""
        if not self.withheld:
            return "", []
        compacts = [compact_code(c) for c in self.withheld]
        rows = {r.compact: r for r in Code.objects.filter(compact__in=compacts).exclude(kind__in=BROWSE_KINDS)}
        refs = list({code_ref(rows[c]).url: code_ref(rows[c]) for c in compacts if c in rows}.values())
        names = ", ".join(dict.fromkeys(self.withheld))
        count = len(dict.fromkeys(compacts))
        text = (
            f"Not shown for {count} more code{'s' if count != 1 else ''}: {names}. "
            f"On the {self.plan} plan an answer carries the locked details ({LOCKED_DETAILS}) of at most "
            f"{self.limit} code{'s' if self.limit != 1 else ''}; open each code's page for the rest, "
            "or upgrade to Pro for answers without this limit."
        )
        return text, refs


def call(name: str, args: dict, *, cap: DetailCap | None = None) -> ToolResult:
    """Run a tool by name with keyword arguments (None values are left to the tool's defaults).
    With a `cap`, a call past it returns no locked detail (the cap records which codes it left out)."""
    tool = TOOLS[name]
    args = {key: value for key, value in args.items() if value is not None}
    if cap is not None and tool.locked and not cap.admit(tool.codes(args)):
        if tool.locked == "part":
            return tool.function(**args, details=False)
        return ToolResult(name, True, [], data={"withheld": tool.codes(args), "why": "locked details past the cap"})
    return tool.function(**args)


def progress(name: str, args: dict) -> str:
    """The line shown while the tool runs ("Checking the MUEs of J1100…")."""
    tool = TOOLS.get(name)
    return tool.progress(args) if tool else "Checking the site's data…"


def schemas() -> list[dict]:
    return [tool.schema() for tool in TOOLS.values()]


__all__ = [
    "MIN_GUIDE_SCORE",
    "PROCEDURE_SYSTEMS",
    "SYSTEM_ORDER",
    "TOOLS",
    "BadCall",
    "Citation",
    "CodeRef",
    "DetailCap",
    "Tool",
    "ToolResult",
    "addon_codes",
    "call",
    "cc_mcc",
    "crosswalk",
    "fee_schedule",
    "find_codes",
    "find_guides",
    "find_localities",
    "gpci_payment",
    "icd10cm_notes",
    "is_billable",
    "lookup_code",
    "modifier_info",
    "mue",
    "pcs_root_operation",
    "progress",
    "ptp_edit",
    "schemas",
    "search_codes",
    "valid_on",
    "validate",
]
