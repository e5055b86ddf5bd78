"""CasePilot's default engine: offline and deterministic.

It reads the question (what is asked, which codes in which code set, code pairs, units, a
Medicare locality), calls the tools of casepilot/tools (through its one table), and writes the answer from their
facts only. What no tool knows, it says it does not know, and where to look instead.

`run(question)` yields events as the answer is produced, so the page can stream it:
("progress", "Checking NCCI edits for 43239 and 43235") first, then ("text", paragraph), and
finally ("done", Answer). `answer(question)` returns the finished Answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction

from codes.models import BROWSE_KINDS, Code, Kind, SearchWord, System, compact_code

from . import tools
from .tools import Citation, CodeRef, ToolResult, coding, pcs
from .tools import units as units_tool
from .tools.case_text import ABBREVIATIONS

log = logging.getLogger(__name__)

# Words that name a code set in a question.
SYSTEM_WORDS = [
    (re.compile(r"\bicd-?10-?pcs\b|\bpcs\b|\binpatient procedure", re.I), System.ICD10PCS),
    (re.compile(r"\bicd-?10(-?cm)?\b|\bdiagnos[ie]s\b|\bdx\b", re.I), System.ICD10CM),
    (re.compile(r"\bhcpcs\b|\blevel ii\b", re.I), System.HCPCS),
    (re.compile(r"\bcpt\b", re.I), System.CPT),
    (re.compile(r"\b(ms-?)?drg\b", re.I), System.MSDRG),
]

INTENTS = {
    "ptp": re.compile(
        r"\b(together|bundl\w*|unbundl\w*|ncci|ptp|column ?[12]|same (day|session|encounter|claim|date)|"
        r"(bill|billed|report|reported|code|coded) (it )?with|mutually exclusive|pair|edits? between)\b",
        re.I,
    ),
    "mue": re.compile(r"\b(mues?|medically unlikely|units?|how many|max(imum)?|per day|limit)\b", re.I),
    "addon": re.compile(r"\b(add-?on|primary (codes?|procedures?))\b", re.I),
    "fee": re.compile(
        r"\b(rvus?|relative value|fee schedule|pfs|pay|payment|pays|paid|reimburs\w*|conversion factor|gpcis?|"
        r"locality|global (period|days|surgery)|global|pc/tc|professional component|technical component|how much|"
        r"price|allowable|allowed amount|bilateral|assistant at surgery|co-?surgeons?|team surgery|multiple procedure)\b",
        re.I,
    ),
    "notes": re.compile(
        r"\b(excludes ?[12]?|code first|use additional|code also|7th|seventh|placeholder|notes?|conventions?|"
        r"includes|inclusion terms?|instructional)\b",
        re.I,
    ),
    "crosswalk": re.compile(
        r"\b(icd-?9(-?cm)?|crosswalks?|gems?|general equivalence|maps? (to|from)|convert\w*)\b", re.I
    ),
    "cc": re.compile(r"\b(cc|mcc|ccs|mccs|comorbidit\w*|complication or comorbidity|severity)\b", re.I),
    "billable": re.compile(
        r"\b(billable|valid|reportable|header|specific enough|complete code|can i (bill|use|report|code))\b", re.I
    ),
    "modifier": re.compile(r"\bmodifiers?\b", re.I),
    "search": re.compile(
        r"\b(codes? for|what code|which code|how (do|to|should) (i|you|we)? ?code|code (a|an|the)\b|dx code|"
        r"diagnosis code|procedure code|look ?up)",
        re.I,
    ),
}
DESCRIPTION_LEAD = re.compile(
    r"^.*?\b(?:codes? for|code (?:a|an|the)|how (?:do|to|should) (?:i|you|we)? ?code|look ?up|lookup)\s+", re.I
)
FILLER = re.compile(
    r"\b(what|which|is|are|the|a|an|icd-?10-?pcs|icd-?10(-?cm)?|pcs|cpt|hcpcs|code|codes|diagnosis|procedure|for|of|"
    r"please|me|give|tell|find|search|i|need|do|does|you|how|to|dx)\b|[?!.,]",
    re.I,
)
TOKEN = re.compile(r"(?<![A-Za-z0-9.-])([A-Za-z0-9]{3,8}(?:\.[A-Za-z0-9]{1,4})?)(?![A-Za-z0-9])")
DRG = re.compile(r"\b(?:ms-?)?drg\s*#?\s*(\d{1,3})\b", re.I)
ICD9_WORD = re.compile(r"\bicd-?9", re.I)
ICD9 = re.compile(r"(?<![\w.])(V\d{2}(?:\.\d{1,2})?|E\d{3}(?:\.\d)?|\d{3}(?:\.\d{1,2})?)(?![\w.])")
UNITS = re.compile(r"\b(\d{1,5})\s*units?\b", re.I)
DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b|\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
DATED_CODES = 6  # codes of one answer checked against the date asked
MODIFIER_NEAR = re.compile(
    r"\bmodifiers?\s+((?:-?[0-9A-Z]{2}\b(?:\s*(?:,|/|and|or|&)\s*)?)+)"
    r"|(?<![A-Za-z0-9])(?:\d{4}[0-9FTU]|[A-V]\d{4})-([0-9A-Z]{2})\b"  # 99213-25
    r"|\b([0-9]{2}|[A-Z]{2}|[A-Z][0-9]|[0-9][A-Z])\s+modifiers?\b",
)
MODIFIER_TOKEN = re.compile(r"-?([0-9A-Z]{2})\b")

DONT_KNOW = (
    "I can't answer that from this site's data, and I won't guess. CasePilot answers questions about codes "
    "(ICD-10-CM, ICD-10-PCS, HCPCS Level II, CPT, MS-DRG), ICD-10-CM notes, NCCI edits, MUEs, add-on codes, "
    "the Medicare Physician Fee Schedule, modifiers, and the topics of its guides. For coverage of a service, "
    "check the Medicare Coverage Database (NCDs and LCDs); for payer-specific rules, ask the payer."
)


@dataclass
class Found:
    """A code named in the question, resolved against the tables."""

    asked: str
    code: Code
    others: list[Code] = field(default_factory=list)

    @property
    def procedure(self) -> bool:
        return self.code.system in (System.CPT, System.HCPCS) and self.code.kind != Kind.MODIFIER


@dataclass
class Understanding:
    text: str
    intents: list[str]
    codes: list[Found]
    unknown: list[str]
    modifiers: list[str]
    icd9: list[str]
    units: int | None
    locality: str | None
    system: str | None
    query: str
    date: str | None = None  # the date of service asked about, YYYY-MM-DD

    @property
    def procedures(self) -> list[Found]:
        return [f for f in self.codes if f.procedure]


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation]
    codes: list[CodeRef]
    intents: list[str]
    engine: str = "default"
    results: list[ToolResult] = field(default_factory=list)

    def as_api(self) -> dict:
        return {
            "answer": self.text,
            "citations": [{"title": c.title, "url": c.url} for c in self.citations],
            "codes": [{"system": c.system, "code": c.code, "url": c.url} for c in self.codes],
        }


# ---------------------------------------------------------------------------
# Understanding the question


def _system_hint(text: str) -> str | None:
    for pattern, system in SYSTEM_WORDS:
        if pattern.search(text):
            return system
    return None


def _modifiers(text: str) -> list[str]:
    found: list[str] = []
    for match in MODIFIER_NEAR.finditer(text):
        if match.group(1):
            found += MODIFIER_TOKEN.findall(match.group(1))
        found += [g for g in match.groups()[1:] if g]
    # "XE/XS/XP/XU" and "-59" are unambiguous modifiers even without the word.
    found += re.findall(r"\b(X[ESPU])\b", text)
    return list(dict.fromkeys(m.upper() for m in found))


def _rank(found: list[Code], asked: str, hint: str | None, prefer_procedures: bool) -> list[Code]:
    compact = compact_code(asked)

    def key(row: Code) -> tuple:
        return (
            hint is not None and row.system != hint,
            # "M48.56XA" with its dot is an ICD-10-CM code; "J1100" without one is HCPCS before ICD J11.00.
            "." in asked and row.system != System.ICD10CM,
            prefer_procedures and row.system not in (System.CPT, System.HCPCS),
            bool(re.fullmatch(r"[A-Z]\d{4}", compact)) and "." not in asked and row.system != System.HCPCS,
            tools.SYSTEM_ORDER.index(row.system) if row.system in tools.SYSTEM_ORDER else 9,
        )

    return sorted(found, key=key)


def understand(text: str) -> Understanding:
    text = " ".join(text.split())[:1000]
    hint = _system_hint(text)
    intents = [name for name, pattern in INTENTS.items() if pattern.search(text)]
    modifiers = _modifiers(text)

    # ICD-9-CM codes ("250.00", "V45.81") only when the question names ICD-9: "25000" is also a CPT code.
    icd9 = ICD9.findall(text) if ICD9_WORD.search(text) else []
    tokens: list[str] = []
    for match in TOKEN.finditer(text):
        token = match.group(1)
        if token in icd9:
            continue
        compact = compact_code(token)
        if not any(ch.isdigit() for ch in compact):
            continue
        if compact.isdigit() and len(compact) not in (5, 7):
            continue  # units, years and DRG numbers are not code tokens on their own
        if len(compact) == 2 or (compact in modifiers and len(compact) == 2):
            continue
        if token.lower() in ABBREVIATIONS and hint != System.ICD10PCS:
            continue  # "DM2" is type 2 diabetes, not the PCS table DM2, unless PCS is asked
        tokens.append(token)
    drgs = [m.zfill(3) for m in DRG.findall(text)]

    by_compact: dict[str, list[Code]] = {}
    compacts = {compact_code(t) for t in tokens}
    if compacts:
        for row in (
            Code.objects.filter(system__in=System.values, compact__in=compacts)
            .exclude(kind__in=BROWSE_KINDS)
            .exclude(kind=Kind.MODIFIER)
        ):
            by_compact.setdefault(row.compact, []).append(row)
    if drgs:
        for row in Code.objects.filter(system=System.MSDRG, code__in=drgs).exclude(kind__in=BROWSE_KINDS):
            by_compact.setdefault(f"DRG{row.code}", []).append(row)
            tokens.append(f"DRG{row.code}")

    # A token in no table that the code titles write as a word among the question's others is that
    # word ("vitamin B12 deficiency anemia", "H1N1 influenza"), not a mistyped code.
    unfound = {t.lower() for t in tokens if compact_code(t) not in by_compact}
    if unfound and re.search(r"[A-Za-z]{3,}", text):
        words = set(SearchWord.objects.filter(word__in=unfound).values_list("word", flat=True))
    else:
        words = set()
    procedure_intent = any(i in intents for i in ("ptp", "mue", "addon", "fee"))
    codes: list[Found] = []
    unknown: list[str] = []
    seen = set()
    for token in tokens:
        compact = compact_code(token)
        rows = by_compact.get(compact)
        if not rows:
            # Shaped like a code (letter-digit or five digits) but in no table: say so rather than ignore it.
            if (
                re.fullmatch(r"[A-Z]\d[0-9A-Z]{1,5}|\d{4}[0-9FTU]|[0-9A-HJ-NP-Z]{7}", compact)
                and compact not in unknown
                and token.lower() not in words
            ):
                unknown.append(token.upper())
            continue
        ranked = _rank(rows, token, hint, procedure_intent)
        if (ranked[0].system, ranked[0].code) in seen:
            continue
        seen.add((ranked[0].system, ranked[0].code))
        codes.append(Found(asked=token, code=ranked[0], others=ranked[1:]))

    units = None
    if match := UNITS.search(text):
        units = int(match.group(1))
    locality = None
    if "fee" in intents:
        found = tools.find_localities(text)
        if found:
            locality = text

    date = None
    if match := DATE.search(text):
        year, month, day = match.group(1, 2, 3) if match.group(1) else match.group(6, 4, 5)
        date = f"{year}-{int(month):02d}-{int(day):02d}"
    query = ""
    if not codes:
        lead = DESCRIPTION_LEAD.sub("", text)
        query = " ".join(FILLER.sub(" ", lead).split())
    return Understanding(
        text=text,
        intents=intents,
        codes=codes,
        unknown=unknown,
        modifiers=modifiers,
        icd9=icd9,
        units=units,
        locality=locality,
        system=hint,
        query=query,
        date=date,
    )


# ---------------------------------------------------------------------------
# Planning: which tools to call

NOTE_TYPES = [
    (re.compile(r"excludes ?1|excludes one", re.I), "excludes1"),
    (re.compile(r"excludes ?2|excludes two", re.I), "excludes2"),
    (re.compile(r"code first", re.I), "code_first"),
    (re.compile(r"use additional", re.I), "use_additional"),
    (re.compile(r"code also", re.I), "code_also"),
    (re.compile(r"\b(7th|seventh|placeholder)\b", re.I), "seventh"),
    (re.compile(r"\bincludes\b|inclusion", re.I), "includes"),
]


def _note_types(text: str) -> list[str] | None:
    """The kinds of note a question asks for ("Excludes1 notes of ..."), None for all of them."""
    found = [name for pattern, name in NOTE_TYPES if pattern.search(text)]
    if "includes" in found and re.search(r"excludes", text, re.I) and not re.search(r"\bincludes\b", text, re.I):
        found.remove("includes")
    if "includes" in found:
        found.append("inclusion")
    return found or None


DOSE = re.compile(units_tool.AMOUNT, re.I)
# A question about a rule, not a case ("What does Excludes1 mean?"): no codes are looked for.
RULE_ONLY = re.compile(
    r"\b(mean|means|meaning|difference|what is the root operation|root operation \w+ mean|what does|when do i use|"
    r"when is|convention|placeholder|guidelines? for|can i code a condition|ever principal|how much time|"
    r"how many minutes|time threshold|total time|minutes needed|time for|mdm|medical decision|split|prolonged|"
    r"who bills|does .* count|what is modifier|modifier \w+ (meaning|for)|when can i)\b",
    re.I,
)
PRINCIPAL = re.compile(r"\bprincipal\b|\bpdx\b", re.I)
# A question about ICD-10-PCS root operations, not a code: "Root operation for a liver biopsy",
# "Difference between Excision and Resection in PCS".
ROOT_OPERATION = re.compile(r"\broot operations?\b", re.I)
HOW = re.compile(r"\s*how\b", re.I)  # a question of method: "How do I code sepsis?"
ASKS_CODE = re.compile(r"\bcodes?\s+(for|of)\b", re.I)
PCS_RULE = re.compile(r"\b(difference|mean|means|meaning|versus|vs\.?|what is)\b", re.I)
PAIR = re.compile(r"\b(with|together|and)\b", re.I)
# "What is the difference between E11.9 and E11.65?": each code's facts, not whether they go together.
COMPARED = re.compile(r"\b(differen\w*|differ|versus|vs\.?|compare\w*)\b", re.I)


def _method(u: Understanding) -> list[tuple[str, dict]] | None:
    """The coder's method for what the data lookups do not answer: doses, pairs of diagnoses, CC/MCC
    given a principal diagnosis, E/M and rule questions, cases. None: the lookups answer it."""
    icd = [f.code.code for f in u.codes if f.code.system == System.ICD10CM]
    hcpcs = [f.code.code for f in u.codes if f.code.system == System.HCPCS and f.code.kind != Kind.MODIFIER]
    dose = DOSE.search(u.text)
    if hcpcs and dose and not re.search(r"\bmues?\b|medically unlikely|maximum|\blimit|\bover\b", u.text, re.I):
        return [("drug_units", {"code": code, "dose": dose.group(0)}) for code in hcpcs[:3]]
    if len(icd) >= 2 and "cc" in u.intents and PRINCIPAL.search(u.text):
        return [("cc_mcc", {"code": icd[0], "principal": icd[1]})]
    if (
        len(icd) == 2
        and len(u.codes) == 2
        and PAIR.search(u.text)
        and not COMPARED.search(u.text)
        and "cc" not in u.intents
    ):
        return [("pair_check", {"code_a": icd[0], "code_b": icd[1]})]
    rules = tools.coding_rules(u.text)
    em = [f for f in u.codes if f.code.code in coding.EM_VISITS]
    if em and re.search(r"\b(time|minutes?|mdm|medical decision|level)\b", u.text, re.I):
        return [("coding_rules", {"question": u.text})]
    if u.codes or u.icd9 or u.unknown:
        return None
    asks_meaning = PCS_RULE.search(u.text) and not ASKS_CODE.search(u.text)  # not "What is the PCS code for ..."
    if ROOT_OPERATION.search(u.text) or (u.system == System.ICD10PCS and asks_meaning):
        calls = [("pcs_root_operation", {"question": u.text})]
        if HOW.match(u.text):  # "How do I choose the root operation?" asks for the method: its guide
            calls.append(("find_guides", {"query": u.text, "limit": 1}))
        return calls
    calls: list[tuple[str, dict]] = []
    if u.modifiers:
        # The modifier's official wording (HCPCS file) first, then the rule in the site's words.
        return [*lookups(u), ("coding_rules", {"question": u.text})] if rules.found else None
    if RULE_ONLY.search(u.text):
        # The rule in the site's words first, then what the guides say of it.
        return [("coding_rules", {"question": u.text}), *lookups(u)] if rules.found else None
    if rules.found:
        calls.append(("coding_rules", {"question": u.text}))
    if u.system in (System.ICD10PCS, System.CPT, System.HCPCS, System.MSDRG):
        if u.query:  # the codes asked for lead, the rule behind them follows
            calls.insert(0, ("search_codes", {"query": u.query, "system": u.system, "limit": 3}))
    else:
        calls.insert(0, ("code_case", {"text": u.text}))  # when it finds nothing, run() adds lookups()
    if HOW.match(u.text):
        calls.append(("find_guides", {"query": u.text, "limit": 1}))  # "How do I code sepsis?" has a guide
    return calls or None


def plan(u: Understanding) -> list[tuple[str, dict]]:
    """The tool calls that answer the question, in the order their results are told."""
    return _method(u) or lookups(u)


def lookups(u: Understanding) -> list[tuple[str, dict]]:
    """The data lookups a question asks for (a code's facts, edits, fees, search by description)."""
    calls: list[tuple[str, dict]] = []
    intents = set(u.intents)
    procedures = u.procedures

    # Two procedure codes: the question is about the pair ("Can I report 11004 with 63308?").
    if len(procedures) >= 2 and ("ptp" in intents or not intents - {"modifier", "billable"}):
        a, b = procedures[0].code.code, procedures[1].code.code
        calls.append(("ptp_edit", {"code_a": a, "code_b": b}))
        for extra in procedures[2:4]:
            calls.append(("ptp_edit", {"code_a": a, "code_b": extra.code.code}))
        procedures = []  # told through the pair

    for found in u.codes:
        code, system = found.code.code, found.code.system
        told = False
        if found.procedure and procedures:
            if "addon" in intents:
                calls.append(("addon_codes", {"code": code}))
                told = True
            if "mue" in intents:
                calls.append(("mue", {"code": code, "units": u.units}))
                told = True
            if "fee" in intents:
                calls.append(("fee_schedule", {"code": code, "locality": u.locality}))
                told = True
        if system == System.ICD10CM:
            if "crosswalk" in intents and not u.icd9:
                calls.append(("crosswalk", {"code": code}))
                told = True
            if "notes" in intents:
                calls.append(("icd10cm_notes", {"code": code, "types": _note_types(u.text)}))
                told = True
            if "cc" in intents:
                calls.append(("cc_mcc", {"code": code}))
                told = True
        if "billable" in intents and system in (System.ICD10CM, System.ICD10PCS, System.HCPCS):
            calls.append(("is_billable", {"code": code, "system": system}))
            told = True
        if not told and not (found.procedure and len(u.procedures) >= 2):
            if system in (System.ICD10CM, System.ICD10PCS) and not found.code.billable and not found.code.deleted:
                calls.append(("is_billable", {"code": code, "system": system}))
            else:
                calls.append(("lookup_code", {"code": code, "system": system}))

    for code in u.icd9[:3]:
        calls.append(("crosswalk", {"code": code}))

    for mod in u.modifiers[:3]:
        calls.append(("modifier_info", {"code": mod}))

    if not u.codes and not u.modifiers and not u.icd9:
        if u.unknown:
            pass  # the question names a code that does not exist: say so, and nothing else
        elif "search" in intents and u.query:
            calls.append(("search_codes", {"query": u.query, "system": u.system}))
            # "How do I code sepsis?" also has a guide.
            calls.append(("find_guides", {"query": u.text, "limit": 1}))
        elif u.system is None and u.query and pcs.names_procedure(u.query):
            # A procedure named without a code set, no diagnosis in it: its inpatient (ICD-10-PCS) code.
            calls.append(("search_codes", {"query": u.query, "system": System.ICD10PCS, "limit": 3}))
            calls.append(("find_guides", {"query": u.text, "limit": 1}))
        else:
            calls.append(("find_guides", {"query": u.text, "limit": 3}))
    elif not u.modifiers:
        # A short pointer to the guide on the rule behind the data, found by the rule's own words
        # (the question's words "bill ... same day" would find E/M guides for an NCCI question).
        for intent, query in GUIDE_QUERIES.items():
            if intent in intents:
                calls.append(("find_guides", {"query": query or u.text, "limit": 1}))
                break
    return calls


# The guide to point to after the data, by what was asked (None: the question's own words).
GUIDE_QUERIES = {
    "ptp": "NCCI procedure-to-procedure PTP edits column 1 column 2",
    "mue": "MUE adjudication indicators",
    "addon": "add-on codes NCCI add-on code edits",
    "cc": "CC MCC secondary diagnoses exclusion list",
    "notes": None,
}

# ---------------------------------------------------------------------------
# Composing the answer


def _paragraph(result: ToolResult) -> str:
    if result.tool == "find_guides" and result.facts:
        return "From the guides:\n" + "\n".join(f"• {fact}" for fact in result.facts)
    # One fact a line: the short answer first, then each setting, row or note on its own.
    return "\n".join(result.facts)


def mentioned_codes(text: str, refs: list[CodeRef]) -> list[CodeRef]:
    """The codes of the tool results that the answer names, each once."""
    seen, out = set(), []
    for ref in refs:
        key = (ref.system, ref.code)
        if key in seen or not re.search(rf"(?<![A-Za-z0-9.]){re.escape(ref.code)}(?![A-Za-z0-9]|\.[A-Za-z0-9])", text):
            continue
        seen.add(key)
        out.append(ref)
    return out


def _unique(citations: list[Citation]) -> list[Citation]:
    return list({c.url: c for c in citations}.values())


def run(question: str, *, cap: tools.DetailCap | None = None) -> Iterator[tuple[str, object]]:
    """The answer's events; with a `cap`, the locked details of at most cap.limit codes."""
    yield "progress", "Reading the question…"
    u = understand(question)
    calls = plan(u)
    results: list[ToolResult] = []
    paragraphs: list[str] = []
    for token in u.unknown[:3]:
        paragraph = f"{token} is not a code in any code set on this site; check the characters."
        paragraphs.append(paragraph)
        yield "text", paragraph
    told: set[str] = set()
    for name, args in calls:
        yield "progress", tools.progress(name, args)
        try:
            # A savepoint: a failed query must not poison the request's transaction (PostgreSQL).
            with transaction.atomic():
                result = tools.call(name, args, cap=cap)
        except DatabaseError:
            # A table the tool reads is missing or being rebuilt: say so, answer the rest.
            log.exception("CasePilot tool %s failed", name)
            result = ToolResult(name, False, ["Part of this question could not be checked just now; try again later."])
        # Two tools can return the same guide: tell each fact once.
        result.facts = [fact for fact in result.facts if fact not in told]
        told.update(result.facts)
        if name == "code_case" and not result.found:
            calls += [call for call in lookups(u) if call not in calls]
        if name in ("find_guides", "code_case") and not result.found and not result.facts:
            continue
        results.append(result)
        paragraph = _paragraph(result)
        if paragraph:
            paragraphs.append(paragraph)
            yield "text", paragraph
        if u.date and name != "valid_on":
            # Honesty rule: every code named is checked against the date of service asked about.
            for ref in mentioned_codes(paragraph, result.codes):
                check = ("valid_on", {"code": ref.code, "date": u.date, "system": ref.system})
                if check not in calls and sum(c[0] == "valid_on" for c in calls) < DATED_CODES:
                    calls.append(check)
    if not any(r.found for r in results):
        paragraphs.append(DONT_KNOW)
        yield "text", DONT_KNOW
    withheld, withheld_refs = cap.notice() if cap else ("", [])
    if withheld:
        paragraphs.append(withheld)
        yield "text", withheld
    text = "\n\n".join(paragraphs)
    answer = Answer(
        question=u.text,
        text=text,
        citations=_unique([c for r in results for c in r.citations]),
        codes=mentioned_codes(text, [ref for r in results for ref in r.codes] + withheld_refs),
        intents=u.intents,
        results=results,
    )
    yield "done", answer


def answer(question: str, *, cap: tools.DetailCap | None = None) -> Answer:
    for kind, value in run(question, cap=cap):
        if kind == "done":
            return value
    raise AssertionError("the engine always finishes with an answer")
