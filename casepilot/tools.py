"""CasePilot's tools: plain functions over the site's data, each returning facts with their sources.

Every answer CasePilot gives is composed from these results (the default engine) or written by a
language model that may only call them (casepilot/llm.py). A tool never guesses: what the tables
do not hold, it says it does not know. Each `ToolResult` carries

- `facts`: short, complete sentences, each true of the data as loaded;
- `citations`: where the facts come from (code pages, edit lists with their release, guides);
- `codes`: the codes the facts name, each with its page;
- `data`: the same facts as JSON-serialisable values, for the language model.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.urls import reverse

from codes.edits import system_of
from codes.models import (
    BROWSE_KINDS,
    AddOnEdit,
    CcCode,
    Code,
    FeeSchedule,
    Kind,
    Locality,
    Mue,
    PlainDescription,
    PtpEdit,
    Release,
    Setting,
    System,
    compact_code,
)
from codes.sections import notes as notes_section
from codes.sections import pfs as pfs_section

CENT = Decimal("0.01")
X = "\N{MULTIPLICATION SIGN}"
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


def _label(system: str) -> str:
    return System(system).label if system in System.values else system


def _ref(code: Code) -> CodeRef:
    return CodeRef(system=code.system, code=code.code, url=code.get_absolute_url())


def _code_citation(code: Code) -> Citation:
    release = f" ({code.release.title})" if code.release_id and code.release else ""
    return Citation(title=f"{_label(code.system)} {code.code}: code page{release}", url=code.get_absolute_url())


def _date(value) -> str:
    return value.isoformat() if value else ""


def _latest_release(dataset: str) -> Release | None:
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


def _not_found(tool: str, code: str, system: str | None) -> ToolResult:
    where = _label(system) if system else "any code set"
    return ToolResult(
        tool=tool,
        found=False,
        facts=[f"{code} is not a code in {where} on this site. Check the characters, or search by description."],
        citations=[Citation(title="Code lookup", url=reverse("codes:lookup") + f"?q={compact_code(code)}")],
        data={"code": code, "system": system, "found": False},
    )


# ---------------------------------------------------------------------------
# Codes


def lookup_code(code: str, *, system: str | None = None) -> ToolResult:
    """A code in any system: title, plain-language text, billable, status, dates, replacement."""
    rows = find_codes(code, system=system)
    if not rows:
        return _not_found("lookup_code", code, system)
    row = rows[0]
    label = _label(row.system)
    facts: list[str] = []
    if row.kind == Kind.MODIFIER:
        return modifier_info(row.code)
    if row.title:
        facts.append(f"{label} {row.code}: {row.title}.")
    elif row.system == System.CPT:
        facts.append(
            f"CPT {row.code} is a CPT code; its official descriptor is AMA licensed content and is not shown here."
        )
    plain = PlainDescription.objects.filter(
        system=row.system, code=row.code, status=PlainDescription.Status.PUBLISHED
    ).first()
    if plain:
        facts.append(f"In plain words: {plain.text}")
    if row.deleted:
        ended = f" (terminated {_date(row.termination_date)})" if row.termination_date else ""
        facts.append(f"{label} {row.code} is deleted{ended}: do not report it for current dates of service.")
        if row.replaced_by:
            facts.append(f"It was replaced by {', '.join(row.replaced_by.split())}.")
    else:
        facts.append(f"Status: active in {row.release.title if row.release else 'the current release'}.")
    if row.effective_date:
        facts.append(f"Effective date: {_date(row.effective_date)}.")
    if row.system in (System.ICD10CM, System.ICD10PCS):
        if row.billable:
            facts.append(f"{row.code} is billable: it is a complete code, valid on a claim.")
        elif not row.deleted:
            facts.append(f"{row.code} is not billable: it is a header; report one of the more specific codes under it.")
    if row.system == System.MSDRG and row.data:
        d = row.data
        if "weight" in d:
            facts.append(
                f"MS-DRG {row.code} ({d.get('type', '')}, MDC {d.get('mdc', '')}): relative weight {d['weight']}, "
                f"geometric mean length of stay {d.get('gmlos')} days, arithmetic mean {d.get('amlos')} days (FY{d.get('fy', '')})."
            )
    if row.system == System.ICD10CM and row.billable:
        cc = CcCode.objects.filter(code=row.code).select_related("release").first()
        if cc:
            article = "an" if cc.level == "MCC" else "a"
            facts.append(f"As a secondary diagnosis {row.code} is {article} {cc.level} in {cc.release.title}.")
    codes = [_ref(row)]
    if row.replaced_by:
        codes += [_ref(c) for c in Code.objects.filter(system=row.system, code__in=row.replaced_by.split())]
    others = [r for r in rows[1:] if r.system != row.system]
    for other in others:
        facts.append(
            f"The same characters also name {_label(other.system)} {other.code}; name the code set to ask about that one."
        )
    return ToolResult(
        tool="lookup_code",
        found=True,
        facts=facts,
        citations=[_code_citation(row)],
        codes=codes,
        data={
            "system": row.system,
            "code": row.code,
            "title": row.title,
            "plain_language": plain.text if plain else None,
            "billable": row.billable,
            "deleted": row.deleted,
            "effective_date": _date(row.effective_date) or None,
            "termination_date": _date(row.termination_date) or None,
            "replaced_by": row.replaced_by.split(),
            "also": [{"system": o.system, "code": o.code} for o in others],
        },
    )


def is_billable(code: str, *, system: str | None = None) -> ToolResult:
    """Whether a code can go on a claim; for a header, the billable codes under it."""
    rows = find_codes(code, system=system)
    if not rows:
        return _not_found("is_billable", code, system)
    row = rows[0]
    label = _label(row.system)
    cite = [_code_citation(row)]
    if row.deleted:
        facts = [
            f"No: {label} {row.code} is deleted"
            + (f" (terminated {_date(row.termination_date)})." if row.termination_date else ".")
        ]
        if row.replaced_by:
            facts.append(f"It was replaced by {', '.join(row.replaced_by.split())}.")
        return ToolResult(
            "is_billable", True, facts, cite, [_ref(row)], {"code": row.code, "billable": False, "deleted": True}
        )
    if row.billable:
        title = f" ({row.title})" if row.title else ""
        return ToolResult(
            "is_billable",
            True,
            [f"Yes: {label} {row.code}{title} is billable, a complete code valid on a claim."],
            cite,
            [_ref(row)],
            {"code": row.code, "system": row.system, "billable": True},
        )
    # A header: its billable descendants share its compact prefix (ICD-10-CM, PCS tables).
    under = Code.objects.filter(
        system=row.system, compact__startswith=row.compact, billable=True, deleted=False
    ).exclude(pk=row.pk)
    count = under.count()
    first = list(under.order_by("compact")[:SHOWN])
    facts = [
        f"No: {label} {row.code}"
        + (f" ({row.title})" if row.title else "")
        + " is not billable; it is a header that needs more characters."
    ]
    if count:
        listed = "; ".join(f"{c.code} {c.title}" for c in first)
        more = f" (the first {len(first)} of {count})" if count > len(first) else ""
        facts.append(f"Billable codes under {row.code}{more}: {listed}.")
    return ToolResult(
        "is_billable",
        True,
        facts,
        cite,
        [_ref(row), *(_ref(c) for c in first)],
        {
            "code": row.code,
            "system": row.system,
            "billable": False,
            "billable_children": [c.code for c in first],
            "count": count,
        },
    )


# Words that mark a choice the coder still has to make, and what it is about.
SPECIFICITY = [
    (re.compile(r"\b(right|left|bilateral|unspecified side)\b", re.I), "laterality (right, left or bilateral)"),
    (
        re.compile(r"\b(initial encounter|subsequent encounter|sequela)\b", re.I),
        "the encounter (7th character: initial, subsequent or sequela)",
    ),
    (re.compile(r"\b(with|without) (complications?|mcc|cc)\b", re.I), "complications or comorbidities"),
    (re.compile(r"\b(type 1|type 2)\b", re.I), "the type"),
]


def search_codes(query: str, *, system: str | None = None, limit: int = 8) -> ToolResult:
    """Codes by description (Case2Code search), with a note when more specificity is needed."""
    try:
        from codes.search import search
    except ImportError:
        return ToolResult(
            "search_codes", False, ["Search by description is not available yet; look the code up by its number."]
        )
    # The system is filtered here, not in the search: codes.search with a system filter takes
    # seconds on SQLite for some multi-word queries (seen 2026-11 on the full data).
    results = search(query, limit=100, counts=False)
    rows = [r for r in (_hit_code(hit) for hit in results.results) if r is not None]
    if system:
        rows = [r for r in rows if r.system == system]
    rows = _coder_order(query, rows)[:limit]
    if not rows:
        facts = [f"No code matched “{query}”."]
        if getattr(results, "suggestion", None):
            facts.append(f"Did you mean “{results.suggestion}”?")
        return ToolResult(
            "search_codes",
            False,
            facts,
            [Citation("Case2Code search", reverse("codes:lookup") + "?q=" + query)],
            data={"query": query},
        )
    facts = [
        f"Codes matching “{query}”: "
        + "; ".join(
            f"{_label(r.system)} {r.code} {r.title}".rstrip()
            + ("" if r.billable or r.system not in (System.ICD10CM, System.ICD10PCS) else " (header, not billable)")
            for r in rows
        )
        + "."
    ]
    titles = " | ".join(r.title for r in rows)
    needs = [what for pattern, what in SPECIFICITY if pattern.search(titles)]
    if any(not r.billable and r.system == System.ICD10CM for r in rows) or needs:
        facts.append(
            "The right code depends on details in the record"
            + (f": {', '.join(needs)}" if needs else "")
            + ". Pick the code that matches the documentation, and check its notes on the code page."
        )
    return ToolResult(
        "search_codes",
        True,
        facts,
        [_code_citation(r) for r in rows[:5]],
        [_ref(r) for r in rows],
        {
            "query": query,
            "results": [{"system": r.system, "code": r.code, "title": r.title, "billable": r.billable} for r in rows],
            "specificity": needs,
        },
    )


SPECIAL_CHAPTERS = re.compile(r"pregnan|deliver|childbirth|puerper|abortion|newborn|neonat|perinatal|fetus|fetal", re.I)


def _coder_order(query: str, rows: list[Code]) -> list[Code]:
    """Search order, adjusted the way the Alphabetic Index reads: the general ("unspecified") code of
    the condition first, then the specific ones; pregnancy and newborn codes (chapters O and P) last
    unless the question is about a pregnancy or a newborn."""
    words = [w for w in re.findall(r"[a-z]+", query.lower()) if len(w) > 2]
    special = bool(SPECIAL_CHAPTERS.search(query))

    def group(row: Code) -> int:
        title = row.title.lower()
        if row.system == System.ICD10CM and not special and row.code[:1] in "OP":
            return 2
        if words and "unspecified" in title and title.startswith(words[0][:5]) and row.billable:
            return 0
        return 1

    return [row for _, row in sorted(enumerate(rows), key=lambda pair: (group(pair[1]), pair[0]))]


def _hit_code(hit) -> Code | None:
    """A search hit as a Code, whatever shape the search module returns."""
    if isinstance(hit, Code):
        return hit
    code = getattr(hit, "code", None)
    if isinstance(code, Code):
        return code
    if isinstance(hit, dict):
        system, code = hit.get("system"), hit.get("code")
    else:
        system = getattr(hit, "system", None)
    if system and code:
        return Code.objects.filter(system=system, code=code).select_related("release").first()
    return None


# ---------------------------------------------------------------------------
# ICD-10-CM notes and conventions


def icd10cm_notes(code: str, *, types: list[str] | None = None) -> ToolResult:
    """Tabular notes of an ICD-10-CM code and those it inherits; 7th characters and placeholder X.
    `types` narrows the notes to some kinds ("excludes1", "code_first", "seventh", ...)."""
    rows = find_codes(code, system=System.ICD10CM)
    if not rows:
        return _not_found("icd10cm_notes", code, System.ICD10CM)
    row = rows[0]
    ctx = notes_section.context(row)
    cite = [_code_citation(row)]
    if not ctx:
        return ToolResult(
            "icd10cm_notes",
            True,
            [f"ICD-10-CM {row.code} has no tabular notes of its own or from the levels above it."],
            cite,
            [_ref(row)],
            {"code": row.code, "groups": [], "seventh": None},
        )
    facts = [f"ICD-10-CM {row.code} ({row.title}): its notes, with those it inherits from the levels above it."]
    wanted = set(types or [])
    shown_groups = [g for g in ctx["groups"] if not wanted or g["type"] in wanted]
    if wanted and not shown_groups and not ("seventh" in wanted and ctx["seventh"]):
        asked = ", ".join(sorted(wanted - {"seventh"})) or "7th character"
        facts.append(f"{row.code} has no {asked} note, of its own or inherited.")
    for group in shown_groups:
        for source in group["sources"]:
            where = f" (from {source['from']['kind']} {source['from']['code']})" if source["from"] else ""
            facts.append(f"{group['label']}{where}: " + "; ".join(source["notes"]) + ".")
            if source["from"] and source["from"]["url"] not in {c.url for c in cite}:
                cite.append(
                    Citation(f"ICD-10-CM {source['from']['code']}: {source['from']['title']}", source["from"]["url"])
                )
        if group["help"]:
            facts.append(f"({group['label']} means: {group['help']})")
    seventh = ctx["seventh"]
    if seventh and (not wanted or "seventh" in wanted or not shown_groups):
        chars = "; ".join(f"{c['char']} {c['text']}" for c in seventh["characters"])
        where = f" (defined at {seventh['from']['kind']} {seventh['from']['code']})" if seventh["from"] else ""
        facts.append(f"7th characters{where}: {chars}.")
        if seventh["placeholder"]:
            facts.append(seventh["placeholder"])
        for note in seventh["notes"]:
            facts.append(f"7th character note: {note}")
        if row.data.get("needs_seventh") or (not row.billable and seventh["base"] == row.code):
            facts.append(f"{row.code} needs a 7th character to be billable.")
    return ToolResult("icd10cm_notes", True, facts, cite, [_ref(row)], {"code": row.code, **ctx})


def cc_mcc(code: str) -> ToolResult:
    """MS-DRG severity of an ICD-10-CM code as a secondary diagnosis."""
    rows = find_codes(code, system=System.ICD10CM)
    if not rows:
        return _not_found("cc_mcc", code, System.ICD10CM)
    row = rows[0]
    from codes.sections import cc as cc_section

    ctx = cc_section.context(row)
    if ctx is None:
        why = "it is not billable" if not row.billable else "the MS-DRG tables are not loaded"
        return ToolResult(
            "cc_mcc", False, [f"No CC/MCC status for {row.code}: {why}."], [_code_citation(row)], [_ref(row)]
        )
    facts = [f"{row.code} as a secondary diagnosis: {ctx['explanation']} ({ctx['release']})."]
    if ctx["exclusions"]:
        ex = ctx["exclusions"]
        facts.append(
            f"It is excluded as a CC/MCC with {ex['count']} principal diagnoses (PDX exclusion list {ex['list_number']})."
        )
    return ToolResult(
        "cc_mcc", True, facts, [_code_citation(row)], [_ref(row)], {"code": row.code, "level": ctx["level"] or "non-CC"}
    )


def crosswalk(code: str) -> ToolResult:
    """General Equivalence Mappings: ICD-9-CM to ICD-10-CM, or an ICD-10-CM code back to ICD-9-CM."""
    from codes.importers.gems import icd9_dotted
    from codes.models import GemMapping
    from codes.sections.gems import NOTE, flags_in_words

    compact = compact_code(code)
    icd10 = (
        find_codes(code, system=System.ICD10CM)
        if "." in code or (compact[:1].isalpha() and compact[:1] not in "VE")
        else []
    )
    if icd10:
        row = icd10[0]
        maps = list(
            GemMapping.objects.filter(icd10=row.code, direction=GemMapping.Direction.TO_ICD9).select_related("release")
        )
        if not maps:
            return ToolResult(
                "crosswalk",
                False,
                [f"ICD-10-CM {row.code} has no ICD-9-CM mapping in the GEMs."],
                [_code_citation(row)],
                [_ref(row)],
            )
        targets = (
            "; ".join(f"{icd9_dotted(m.target)} ({', '.join(flags_in_words(m))})" for m in maps if not m.no_map)
            or "no equivalent code"
        )
        facts = [f"ICD-10-CM {row.code} ({row.title}) maps to ICD-9-CM {targets} in the {maps[0].release.title}.", NOTE]
        return ToolResult(
            "crosswalk",
            True,
            facts,
            [_code_citation(row)],
            [_ref(row)],
            {"icd10": row.code, "icd9": [m.target for m in maps]},
        )
    maps = list(
        GemMapping.objects.filter(source=compact, direction=GemMapping.Direction.TO_ICD10).select_related("release")
    )
    shown = icd9_dotted(compact)
    if not maps:
        return ToolResult(
            "crosswalk", False, [f"ICD-9-CM {shown} is not in the diagnosis GEMs loaded here."], data={"icd9": shown}
        )
    if all(m.no_map for m in maps):
        return ToolResult(
            "crosswalk",
            True,
            [f"ICD-9-CM {shown} has no ICD-10-CM equivalent in the GEMs (no map).", NOTE],
            data={"icd9": shown},
        )
    rows = {c.code: c for c in Code.objects.filter(system=System.ICD10CM, code__in=[m.icd10 for m in maps])}
    parts = [
        f"{m.icd10} {rows[m.icd10].title if m.icd10 in rows else ''} ({', '.join(flags_in_words(m))})".replace(
            "  ", " "
        )
        for m in maps
        if not m.no_map
    ]
    facts = [f"ICD-9-CM {shown} maps to ICD-10-CM {'; '.join(parts)} in the {maps[0].release.title}.", NOTE]
    refs = [_ref(r) for r in rows.values()]
    return ToolResult(
        "crosswalk",
        True,
        facts,
        [_code_citation(r) for r in rows.values()][:5],
        refs,
        {"icd9": shown, "icd10": [m.icd10 for m in maps]},
    )


# ---------------------------------------------------------------------------
# NCCI edits


def _procedure_code(code: str) -> str:
    return compact_code(code)[:5]


def _edits_citation(code: str, *, role: str, setting: str, version: str) -> Citation:
    url = reverse("codes:ptp_edits", args=[system_of(code), code]) + f"?role={role}&setting={setting}&status=all"
    return Citation(f"NCCI PTP edits of {code} ({Setting(setting).label}, {version})", url)


def ptp_edit(code_a: str, code_b: str) -> ToolResult:
    """The NCCI procedure-to-procedure edit of a pair of codes, for each claim type."""
    a, b = _procedure_code(code_a), _procedure_code(code_b)
    edits = list(
        PtpEdit.objects.filter(Q(column1=a, column2=b) | Q(column1=b, column2=a))
        .select_related("release")
        .order_by("setting")
    )
    refs = [_ref(c) for c in Code.objects.filter(system__in=PROCEDURE_SYSTEMS, code__in=[a, b])]
    if not edits:
        release = _latest_release("ncci-ptp-practitioner")
        version = release.version if release else ""
        return ToolResult(
            "ptp_edit",
            True,
            [
                f"No NCCI PTP edit pairs {a} and {b} in the {version} files (practitioner or outpatient hospital): "
                "NCCI does not bundle them. Payer policies, MUEs and global surgery rules may still apply."
            ],
            [_edits_citation(a, role="column1", setting=Setting.PRACTITIONER, version=version)],
            refs,
            {"pair": [a, b], "edits": []},
        )
    order = [Setting.PRACTITIONER, Setting.OUTPATIENT, Setting.DME]
    edits.sort(key=lambda e: order.index(e.setting) if e.setting in order else 9)
    facts, cites, data = [_ptp_lead(edits)], [], []
    for edit in edits:
        setting = Setting(edit.setting).label
        status = f"deleted {_date(edit.deletion_date)}" if edit.deletion_date else "in effect"
        facts.append(
            f"{setting} ({edit.release.version}): {edit.column1} is column 1 and {edit.column2} is column 2 — "
            f"{edit.column2} is not paid with {edit.column1} for the same patient on the same day. "
            f"Modifier indicator {edit.modifier_indicator}: {edit.modifier_meaning} "
            f"Rationale: {edit.rationale or 'not given'}. This edit is {status}."
        )
        cites.append(_edits_citation(edit.column1, role="column1", setting=edit.setting, version=edit.release.version))
        data.append({
            "setting": edit.setting, "column1": edit.column1, "column2": edit.column2,
            "modifier_indicator": edit.modifier_indicator, "modifier_meaning": edit.modifier_meaning,
            "rationale": edit.rationale, "deletion_date": _date(edit.deletion_date) or None, "release": edit.release.version,
        })  # fmt: skip
    settings_found = {e.setting for e in edits}
    for setting in (Setting.PRACTITIONER, Setting.OUTPATIENT):
        if setting not in settings_found:
            facts.append(f"There is no {Setting(setting).label.lower()} edit for this pair.")
    return ToolResult("ptp_edit", True, facts, cites, refs, {"pair": [a, b], "edits": data})


def _ptp_lead(edits: list[PtpEdit]) -> str:
    """The short answer first: can the pair be paid together on the same day?"""
    active = [e for e in edits if e.deletion_date is None]
    if not active:
        dates = sorted({_date(e.deletion_date) for e in edits})
        return f"Yes, as far as NCCI goes: the edit between {edits[0].column1} and {edits[0].column2} was deleted ({', '.join(dates)})."
    first = active[0]
    if all(e.modifier_indicator == "0" for e in active):
        return (
            f"No: NCCI bundles {first.column2} into {first.column1} on the same day, and no modifier lets both be paid "
            "(modifier indicator 0)."
        )
    if all(e.modifier_indicator == "1" for e in active):
        return (
            f"Only with a modifier: {first.column2} is bundled into {first.column1} unless the services were distinct "
            "(separate encounter, structure or practitioner) and a modifier such as 59, XE, XS, XP or XU says so "
            "(modifier indicator 1)."
        )
    return (
        f"It depends on the claim type: the edits between {first.column1} and {first.column2} differ by setting, below."
    )


def mue(code: str, *, units: int | None = None) -> ToolResult:
    """Medically unlikely edits of a code per claim type, with the adjudication indicator."""
    c = _procedure_code(code)
    order = [Setting.PRACTITIONER, Setting.OUTPATIENT, Setting.DME]
    rows = sorted(Mue.objects.filter(code=c).select_related("release"), key=lambda r: order.index(r.setting))
    refs = [_ref(r) for r in Code.objects.filter(system__in=PROCEDURE_SYSTEMS, code=c)]
    cite = [
        Citation(f"{_label(system_of(c))} {c}: code page (NCCI section)", reverse("codes:code", args=[system_of(c), c]))
    ]
    if not rows:
        release = _latest_release("ncci-mue-practitioner")
        return ToolResult(
            "mue", False,
            [f"There is no MUE for {c} in the {release.version if release else ''} NCCI files: no per-day unit limit is published for it."],
            cite, refs, {"code": c, "mues": []},
        )  # fmt: skip
    facts = []
    for row in rows:
        facts.append(
            f"MUE for {c}, {row.get_setting_display()} claims ({row.release.version}): {row.units} unit{'s' if row.units != 1 else ''} per day; "
            f"adjudication indicator {row.mai}: {row.mai_meaning}"
            + (f" Rationale: {row.rationale}." if row.rationale else "")
        )
    if units is not None:
        for row in rows:
            verdict = "within" if units <= row.units else "over"
            facts.append(f"{units} units is {verdict} the {row.get_setting_display()} MUE of {row.units}.")
    data = [
        {
            "setting": r.setting,
            "units": r.units,
            "mai": r.mai,
            "mai_meaning": r.mai_meaning,
            "rationale": r.rationale,
            "release": r.release.version,
        }
        for r in rows
    ]
    return ToolResult("mue", True, facts, cite, refs, {"code": c, "mues": data, "units_asked": units})


def addon_codes(code: str) -> ToolResult:
    """Add-on code edits: the primary codes of an add-on code, or the add-on codes of a primary."""
    c = _procedure_code(code)
    as_addon = AddOnEdit.objects.filter(addon_code=c).select_related("release")
    as_primary = AddOnEdit.objects.filter(primary_code=c)
    primaries = list(as_addon.order_by("primary_code")[:50])
    addons = list(as_primary.order_by("addon_code").values_list("addon_code", "edit_type")[:SHOWN])
    cite = [
        Citation(
            f"{_label(system_of(c))} {c}: code page (NCCI add-on codes)", reverse("codes:code", args=[system_of(c), c])
        )
    ]
    if not primaries and not addons:
        return ToolResult(
            "addon_codes",
            False,
            [f"{c} is not in the NCCI add-on code edits, as an add-on code or as a primary code."],
            cite,
            data={"code": c},
        )
    facts, data = [], {"code": c}
    refs_wanted = {c}
    if primaries:
        types = sorted({p.edit_type for p in primaries})
        listed = [p.primary_code for p in primaries if p.primary_code != NO_PRIMARY]
        count = as_addon.exclude(primary_code=NO_PRIMARY).count()
        facts.append(
            f"{c} is an add-on code ({primaries[0].release.version}): report it only with a primary procedure. "
            + " ".join(AddOnEdit.EDIT_TYPES.get(t, "") for t in types)
        )
        if listed:
            more = f" (the first {min(SHOWN, len(listed))} of {count})" if count > SHOWN else ""
            facts.append(f"Primary codes for {c}{more}: {', '.join(listed[:SHOWN])}.")
            refs_wanted.update(listed[:SHOWN])
        data.update({"is_addon": True, "edit_types": types, "primaries": listed[:SHOWN], "primary_count": count})
    if addons:
        count = as_primary.count()
        more = f" (the first {len(addons)} of {count})" if count > len(addons) else ""
        facts.append(
            f"Add-on codes that may be reported with {c} as the primary{more}: {', '.join(a for a, _ in addons)}."
        )
        refs_wanted.update(a for a, _ in addons)
        data.update({"addons": [a for a, _ in addons], "addon_count": count})
    refs = [_ref(r) for r in Code.objects.filter(system__in=PROCEDURE_SYSTEMS, code__in=refs_wanted)]
    return ToolResult("addon_codes", True, facts, cite, refs, data)


# ---------------------------------------------------------------------------
# Physician Fee Schedule


def _money(value: Decimal) -> str:
    return f"${value.quantize(CENT, rounding=ROUND_HALF_UP):,}"


def gpci_payment(fee: FeeSchedule, locality: Locality) -> dict[str, str] | None:
    """(work RVU x work GPCI + PE RVU x PE GPCI + MP RVU x MP GPCI) x conversion factor."""
    if fee.conversion_factor is None or fee.work_rvu is None or fee.mp_rvu is None:
        return None
    amounts = {}
    for place, pe in (("nonfacility", fee.pe_nonfacility_rvu), ("facility", fee.pe_facility_rvu)):
        if pe is None:
            continue
        total = fee.work_rvu * locality.gpci_work + pe * locality.gpci_pe + fee.mp_rvu * locality.gpci_mp
        amounts[place] = _money(total * fee.conversion_factor)
    return amounts


GENERIC_LOCALITY_WORDS = {"rest of state", "statewide", "cnty", "cntys"}


def _locality_keys(locality: Locality) -> list[str]:
    """The phrases that name a locality: its whole name and each city in it ("los angeles", "anaheim")."""
    name = locality.name.lower()
    parts = [p.strip(" .") for p in re.split(r"[-/()+]|\bcnty\b|\bcntys\b", name)]
    keys = [name, *(p for p in parts if len(p) > 3 and p not in GENERIC_LOCALITY_WORDS)]
    return [k for k in keys if k not in GENERIC_LOCALITY_WORDS]


def find_localities(text: str) -> list[Locality]:
    """Localities a phrase or a whole question names: a locality or city ("Manhattan", "Los Angeles"),
    else a state by name ("Texas") or, after "in", by abbreviation ("in TX"). Empty when none."""
    lowered = f" {text.lower()} "
    localities = list(Locality.objects.order_by("state", "number"))
    best, best_length = [], 0
    for loc in localities:
        for key in _locality_keys(loc):
            if re.search(rf"(?<![a-z]){re.escape(key)}(?![a-z])", lowered) and len(key) >= best_length:
                if len(key) > best_length:
                    best, best_length = [], len(key)
                if loc not in best:
                    best.append(loc)
    if best:
        return best
    state = None
    for name in sorted(STATES, key=len, reverse=True):
        if re.search(rf"(?<![a-z]){name}(?![a-z])", lowered):
            state = STATES[name]
            break
    if state is None:
        stripped = text.strip()
        match = re.search(r"\bin ([A-Z]{2})\b", text) or (
            re.fullmatch(r"[A-Za-z]{2}", stripped) and re.match(r"(.*)", stripped)
        )
        if match and match.group(1).upper() in STATES.values():
            state = match.group(1).upper()
    return [loc for loc in localities if loc.state == state] if state else []


SURGERY_INDICATORS = {"Bilateral surgery", "Assistant at surgery", "Co-surgeons", "Team surgery", "Multiple procedures"}


def fee_schedule(code: str, *, locality: str | None = None) -> ToolResult:
    """RVUs, global period, PC/TC and surgery indicators; national payment and, for a locality, the GPCI-adjusted one."""
    c = _procedure_code(code)
    system = system_of(c)
    row = Code.objects.filter(system__in=PROCEDURE_SYSTEMS, code=c).first() or Code(system=system, code=c)
    ctx = pfs_section.context(row)
    cite_url = reverse("codes:code", args=[row.system, c])
    if not ctx:
        return ToolResult(
            "fee_schedule",
            False,
            [f"{c} is not in the Medicare Physician Fee Schedule file loaded here."],
            [Citation(f"{_label(row.system)} {c}: code page", cite_url)],
            data={"code": c},
        )
    cite = [Citation(f"{_label(row.system)} {c}: fee schedule section ({ctx['release']})", cite_url)]
    facts = [
        f"Medicare Physician Fee Schedule ({ctx['release']}), {c}: status {ctx['status']['value']} — {ctx['status']['meaning']}"
    ]
    for r in ctx["rows"]:
        facts.append(
            f"{r['label']}: work RVU {r['work']}, practice expense RVU {r['pe_nonfacility']} non-facility / {r['pe_facility']} facility, "
            f"malpractice RVU {r['mp']}; total {r['total_nonfacility']} non-facility / {r['total_facility']} facility."
        )
    facts.append(f"Global period {ctx['global_days']['value']}: {ctx['global_days']['meaning']}")
    surgical = ctx["global_days"]["value"] in {"000", "010", "090"}
    for ind in ctx["indicators"]:
        if ind["name"] in SURGERY_INDICATORS and not surgical:
            continue  # bilateral, assistant, co- and team surgery rules matter for procedures only
        if ind["value"] and ind["meaning"] and (ind["name"] == "Professional/technical split" or ind["value"] != "9"):
            facts.append(f"{ind['name']} indicator {ind['value']}: {ind['meaning']}")
    if ctx["surgery_split"]:
        s = ctx["surgery_split"]
        facts.append(
            f"Global surgery split: pre-operative {s['pre_op']}, intra-operative {s['intra_op']}, post-operative {s['post_op']}."
        )
    main = ctx["rows"][0]
    if ctx["paid"] and main["payment_nonfacility"]:
        facts.append(
            f"National payment estimate (total RVUs {X} conversion factor {ctx['conversion_factor']}): "
            f"{_money(Decimal(main['payment_nonfacility']))} non-facility, {_money(Decimal(main['payment_facility']))} facility, "
            "before geographic adjustment."
        )
    elif not ctx["paid"]:
        facts.append("No fee schedule payment is computed for this status.")
    data = {"code": c, **ctx}
    if locality:
        found = find_localities(locality)
        if len(found) == 1 and ctx["paid"]:
            loc = found[0]
            fee = FeeSchedule.objects.filter(code=c, modifier="").order_by("-release__effective_date").first()
            amounts = gpci_payment(fee, loc) if fee else None
            if amounts:
                facts.append(
                    f"In locality {loc.name} ({loc.state}, MAC {loc.mac}, locality {loc.number}; GPCIs work {loc.gpci_work}, PE {loc.gpci_pe}, MP {loc.gpci_mp}): "
                    f"(work RVU {X} work GPCI + PE RVU {X} PE GPCI + MP RVU {X} MP GPCI) {X} CF = {amounts.get('nonfacility', 'n/a')} non-facility, "
                    f"{amounts.get('facility', 'n/a')} facility."
                )
                data["locality"] = {
                    "name": loc.name,
                    "state": loc.state,
                    "mac": loc.mac,
                    "number": loc.number,
                    **amounts,
                }
        elif len(found) > 1:
            names = ", ".join(f"{loc.name}" for loc in found[:20])
            facts.append(
                f"“{locality}” matches {len(found)} Medicare localities: {names}. Name one for a GPCI-adjusted amount."
            )
        elif not found:
            facts.append(
                f"“{locality}” is not a Medicare payment locality or state I know; only the national amount is given."
            )
    refs = [_ref(row)] if row.pk else []
    return ToolResult("fee_schedule", True, facts, cite, refs, data)


# ---------------------------------------------------------------------------
# Modifiers and guides


def modifier_info(code: str) -> ToolResult:
    """A HCPCS Level II modifier from the CMS file, and the guides that explain it."""
    mod = code.strip().upper().lstrip("-")[:2]
    row = Code.objects.filter(system=System.HCPCS, kind=Kind.MODIFIER, code=mod).select_related("release").first()
    facts, cites, refs = [], [], []
    if row:
        status = f" Deleted (terminated {_date(row.termination_date)})." if row.deleted else ""
        since = f" Effective {_date(row.effective_date)}." if row.effective_date else ""
        facts.append(f"HCPCS Level II modifier {row.code}: {row.title}.{since}{status}")
        cites.append(_code_citation(row))
        refs.append(_ref(row))
    guides = find_guides(f"modifier {mod}", limit=2)
    if mod.isdigit() and not row:
        facts.append(
            f"Modifier {mod} is a CPT modifier; its official wording is AMA content, so the guides below explain it in our words."
        )
    for guide in guides.citations:
        cites.append(guide)
    facts += guides.facts
    if not facts:
        return ToolResult("modifier_info", False, [f"{mod} is not a modifier I know."], data={"modifier": mod})
    return ToolResult(
        "modifier_info",
        bool(row or guides.found),
        facts,
        cites,
        refs,
        {"modifier": mod, "title": row.title if row else None, **guides.data},
    )


def find_guides(query: str, *, limit: int = 3) -> ToolResult:
    """Guides of the knowledge base (written in the site's words, citing official sources)."""
    try:
        from casepilot.guides import find_guides as search_guides
    except ImportError:
        return ToolResult("find_guides", False, [], data={"guides": []})
    guides = list(search_guides(query, limit=limit))
    if guides and getattr(guides[0], "score", None) is not None:
        # A guide must match the question well, and about as well as the best one: sharing a
        # common word ("code", "tell") is not an answer.
        guides = [g for g in guides if g.score >= max(MIN_GUIDE_SCORE, 0.45 * guides[0].score)]
    if not guides:
        return ToolResult("find_guides", False, [], data={"guides": []})
    facts, cites = [], []
    for guide in guides:
        facts.append(f"{guide.title}: {guide.summary}")
        cites.append(Citation(f"Guide: {guide.title}", guide.get_absolute_url()))
    data = {
        "guides": [
            {"title": g.title, "summary": g.summary, "url": g.get_absolute_url(), "sources": g.sources} for g in guides
        ]
    }
    return ToolResult("find_guides", True, facts, cites, [], data)


STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "washington dc": "DC", "florida": "FL",
    "georgia": "GA", "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI",
    "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI",
    "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT",
    "virginia": "VA", "washington": "WA", "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY",
    "puerto rico": "PR", "virgin islands": "VI", "guam": "GU",
}  # fmt: skip
