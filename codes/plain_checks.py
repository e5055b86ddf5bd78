"""Checks of the plain-language descriptions against the loaded code sets.

A description is our own prose, but what it tells a coder to do must be right for the data
the site shows. This reads each text and checks:

- its own code is in the code table (a deleted one only when the text says it was deleted);
- every code it names (CPT, HCPCS, ICD-10-CM with its dot, ICD-10-PCS, MS-DRG) exists and
  is current, unless the sentence naming it says it was deleted or replaced;
- the figures it quotes match the tables: global days and the global indicator, MUE units,
  work RVUs, the fee schedule's bilateral, multiple-procedure, PC/TC, assistant and status
  indicators, and "add-on" claims (an add-on has NCCI add-on edits or the ZZZ global);
- no figure about global days, MUEs or RVUs is written in a phrasing the checks cannot
  read (so a number cannot slip past them);
- a source naming a fee schedule file (RVU26B) or an add-on edit quarter (2026 Q2) names the
  one the figures were checked against, the newest loaded (a text checked against this year's
  data must not cite last year's file).

A figure belongs to the code named last before it in the same sentence, or else to the
description's own code. `manage.py check_plain_language` runs it on the loaded data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from codes.importers.ncci import AOC_DATASET
from codes.models import AddOnEdit, Code, FeeSchedule, Mue, Release, Setting, System

SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-Z0-9(])")

# Code shapes as our texts write them. CPT: five characters, not inside a longer number
# ("10,000") or a decimal; ICD-10-CM with its dot, or a three-character category.
CODE_PATTERNS: list[tuple[str, re.Pattern]] = [
    (System.CPT, re.compile(r"(?<![\w$])(?<![0-9][.,])([0-9]{4}[0-9AFMTU])(?![\w]|[.,][0-9])")),
    (System.HCPCS, re.compile(r"(?<![\w.])([A-V][0-9]{4})(?![\w])")),
    (System.ICD10CM, re.compile(r"(?<![\w.])([A-Z][0-9][0-9A-Z]\.[0-9A-Z]{1,4}|[A-Z][0-9]{2})(?![\w]|\.\w)")),
    (
        System.ICD10PCS,
        re.compile(r"(?<![\w])((?=[0-9A-Z]*[A-Z])(?=[0-9A-Z]*[0-9])[0-9BCDFGHX][0-9A-HJ-NP-Z]{6})(?![\w])"),
    ),
    (System.MSDRG, re.compile(r"\bDRGs? ([0-9]{3})\b")),
]
# Tokens of those shapes that are not codes in running text: vitamin B12 and the lowest
# thoracic vertebrae (no ICD-10-CM category has these names).
NOT_CODES = {"B12", "T10", "T11", "T12"}
# A sentence may name a code that is no longer current only to say so.
SAYS_DELETED = re.compile(
    r"\b(delet|retir|replac|no longer|remov|renumber|older claims|was used|were used|before 20\d\d|until 20\d\d)",
    re.IGNORECASE,
)
NEGATED = re.compile(r"\b(not|never|no|rather than|instead of|without)\b", re.IGNORECASE)

WORD_NUMBERS = {"zero": "0", "ten": "10", "ninety": "90"}


@dataclass
class Named:
    system: str
    code: str
    start: int


@dataclass
class Problem:
    system: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.system} {self.code}: {self.message}"


@dataclass
class Report:
    descriptions: int = 0
    named: int = 0
    figures: int = 0
    problems: list[Problem] = field(default_factory=list)


def _two_places(value: str) -> str:
    return f"{Decimal(value):.2f}"


def _global(value: str) -> str:
    value = WORD_NUMBERS.get(value.lower(), value).upper()
    return value.zfill(3) if value.isdigit() else value


# (what, pattern, the fee-schedule value it states from the match, the attribute it is
# compared with). The first group of each pattern is the value.
FEE_FACTS: list[tuple[str, re.Pattern, Callable[[str], str], str]] = [
    ("global period", re.compile(r"\b(\d{1,2}|zero|ten|ninety)-day global", re.I), _global, "global_days"),
    (
        "global period",
        re.compile(
            r"\bglobal (?:surgery |surgical )?(?:period|indicator)(?: of| is)? (\d{1,2}|zero|ten|ninety) days\b", re.I
        ),
        _global,
        "global_days",
    ),
    (
        "global indicator",
        re.compile(
            r"\bglobal (?:surgery |surgical )?(?:period |days )?(?:indicator |status )?(?:of |is )?(XXX|YYY|ZZZ|MMM|000|010|090)\b"
        ),
        _global,
        "global_days",
    ),
    (
        "global indicator",
        re.compile(r"\b(XXX|YYY|ZZZ|MMM|000|010|090) global"),
        _global,
        "global_days",
    ),
    ("work RVU", re.compile(r"\bwork RVUs? (?:of |is |are |at )?(\d+\.\d+)", re.I), _two_places, "work_rvu"),
    (
        "bilateral indicator",
        re.compile(r"\bbilateral (?:surgery )?indicator (?:of |is )?(\d)\b", re.I),
        str,
        "bilat_surg",
    ),
    (
        "multiple procedure indicator",
        re.compile(r"\bmultiple[- ]procedure indicator (?:of |is )?(\d)\b", re.I),
        str,
        "mult_proc",
    ),
    ("PC/TC indicator", re.compile(r"\bPC/TC indicator (?:of |is )?(\d)\b", re.I), str, "pctc"),
    (
        "assistant at surgery indicator",
        re.compile(r"\bassistant[- ]at[- ]surgery indicator (?:of |is )?(\d)\b", re.I),
        str,
        "asst_surg",
    ),
    ("status indicator", re.compile(r"\bstatus (?:code|indicator) (?:of |is )?([A-Z])\b"), str, "status_code"),
]
MUE_FACT = re.compile(r"\bMUEs?\b(?: value)?(?: for [^.;,]{0,40}?)?(?: of| is| at| allows| sets)? (\d+)\b")
MUE_MAI = re.compile(r"\b(?:MUE adjudication indicator|MAI) (?:of |is )?(\d)\b")
# "is an add-on code" (the code the sentence is about); "the add-on code 99292" names its own.
ADD_ON = re.compile(r"\b(?:is|as|an|the) add-on code\b(?! ?[0-9]{4}[0-9AFMTU])|\bis an add-on\b(?! code)", re.I)
ADD_ON_NAMED = re.compile(r"\badd-on(?: code)? ([0-9]{4}[0-9AFMTU])\b", re.I)
MODIFIER_50 = re.compile(r"\bmodifier 50\b")
FEE_FILE = re.compile(r"\bRVU\d\d[A-D]\b")  # a fee schedule file: RVU26B
ADD_ON_QUARTER = re.compile(r"\badd-on code edits, (\d{4}) ?Q([1-4])\b", re.I)

# Figures the checks must be able to read (a sentence on these subjects with a number in it).
UNREAD = [
    (re.compile(r"\bglobal\b", re.I), re.compile(r"\b(?:\d+|zero|ten|ninety)[- ]days?\b", re.I), "global period"),
    (re.compile(r"\bMUE"), re.compile(r"(?<![\w.])\d+(?![\w.])"), "MUE"),
    (re.compile(r"\bRVU", re.I), re.compile(r"\b\d+\.\d+\b"), "RVU"),
]


def named_codes(text: str) -> list[Named]:
    """The codes a text names, in order."""
    found = []
    taken: list[tuple[int, int]] = []
    for system, pattern in CODE_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span(1)
            if any(s < end and start < e for s, e in taken):
                continue
            if system == System.ICD10CM and match.group(1) in NOT_CODES:
                continue
            taken.append((start, end))
            found.append(Named(system, match.group(1), start))
    return sorted(found, key=lambda n: n.start)


def sentences(text: str) -> list[str]:
    return SENTENCE_END.split(text)


class Tables:
    """The loaded data a check needs, read once for all the codes involved."""

    def __init__(self, pairs: set[tuple[str, str]]):
        self.codes: dict[tuple[str, str], bool] = {}  # (system, code) -> deleted
        by_system: dict[str, set[str]] = {}
        for system, code in pairs:
            by_system.setdefault(system, set()).add(code)
        for system, codes in by_system.items():
            for code, deleted in Code.objects.filter(system=system, code__in=codes).values_list("code", "deleted"):
                self.codes[system, code] = deleted
        procedure = by_system.get(System.CPT, set()) | by_system.get(System.HCPCS, set())
        # The newest fee schedule last, so that it is the one kept (the older years are history).
        fees = FeeSchedule.objects.filter(code__in=procedure, modifier="").order_by("release__effective_date", "pk")
        self.fees = {row.code: row for row in fees}
        self.mues: dict[tuple[str, str], Mue] = {
            (row.setting, row.code): row for row in Mue.objects.filter(code__in=procedure).order_by("release_id")
        }
        self.addons = set(AddOnEdit.objects.filter(addon_code__in=procedure).values_list("addon_code", flat=True))
        newest_fees = Release.objects.filter(dataset="pfs").order_by("effective_date", "pk").last()
        found = FEE_FILE.search(newest_fees.title) if newest_fees else None
        self.fee_file = found.group() if found else None
        newest_addons = Release.objects.filter(dataset=AOC_DATASET).order_by("effective_date", "pk").last()
        self.addon_quarter = newest_addons.version.replace(" ", "") if newest_addons else None  # "2026Q2"

    def is_addon(self, code: str) -> bool:
        fee = self.fees.get(code)
        return code in self.addons or bool(fee and fee.global_days == "ZZZ")


def _owner(named: list[Named], position: int, default: Named) -> Named:
    """The code a figure at `position` is about: the procedure code named last before it."""
    before = [n for n in named if n.start < position and n.system in (System.CPT, System.HCPCS)]
    return before[-1] if before else default


def _fee_value(fee: FeeSchedule | None, attribute: str) -> str | None:
    if fee is None:
        return None
    value = getattr(fee, attribute)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value or ""


class _TextCheck:
    """The checks of one description, sentence by sentence, adding to a shared report."""

    def __init__(self, *, system: str, code: str, tables: Tables, report: Report):
        self.system, self.code, self.tables, self.report = system, code, tables, report
        self.own = Named(system, code, -1)

    def problem(self, message: str) -> None:
        self.report.problems.append(Problem(self.system, self.code, message))

    def sources(self, sources: Iterable[str]) -> None:
        for source in sources:
            for match in FEE_FILE.finditer(source):
                if self.tables.fee_file and match.group() != self.tables.fee_file:
                    self.problem(f"cites fee schedule file {match.group()}; the data is {self.tables.fee_file}")
            for match in ADD_ON_QUARTER.finditer(source):
                quarter = f"{match.group(1)}Q{match.group(2)}"
                if self.tables.addon_quarter and quarter != self.tables.addon_quarter:
                    self.problem(f"cites the add-on edits of {quarter}; the data is {self.tables.addon_quarter}")

    def run(self, text: str) -> None:
        deleted = self.tables.codes.get((self.system, self.code))
        if deleted is None:
            self.problem("the code is not in the code table")
        elif deleted and not SAYS_DELETED.search(text):
            self.problem("the code is deleted, and the text does not say so")
        for sentence in sentences(text):
            named = named_codes(sentence)
            self.codes(sentence, named)
            read = self.figures(sentence, named)
            self.unread(sentence, named, read)

    def codes(self, sentence: str, named: list[Named]) -> None:
        for n in named:
            self.report.named += 1
            state = self.tables.codes.get((n.system, n.code))
            if state is None:
                self.problem(f"names {n.code}, which is not in the {n.system} code table")
            elif state and not (n.code == self.code or SAYS_DELETED.search(sentence)):
                self.problem(f"names {n.code}, a deleted {n.system} code, without saying it was deleted")

    def stated(self, what: str, value: str, actual: str | None, about: Named) -> None:
        self.report.figures += 1
        if about.system not in (System.CPT, System.HCPCS):
            self.problem(f"states a {what} ({value}) for a code that has none")
        elif actual is None:
            self.problem(f"states a {what} ({value}) for {about.code}, which has no such row in the data")
        elif value != actual:
            self.problem(f"says the {what} of {about.code} is {value}; the data says {actual or 'blank'}")

    def addon(self, code: str) -> None:
        self.report.figures += 1
        if not self.tables.is_addon(code):
            self.problem(f"calls {code} an add-on code; it has no add-on edits and no ZZZ global")

    def figures(self, sentence: str, named: list[Named]) -> list[tuple[int, int]]:
        """Check the figures the sentence states; return the spans that were read."""
        read = []
        for what, pattern, parse, attribute in FEE_FACTS:
            for match in pattern.finditer(sentence):
                about = _owner(named, match.start(), self.own)
                actual = _fee_value(self.tables.fees.get(about.code), attribute)
                self.stated(what, parse(match.group(1)), actual, about)
                read.append(match.span())
        for match in MUE_FACT.finditer(sentence):
            about = _owner(named, match.start(), self.own)
            before = sentence[max(0, match.start() - 30) : match.start()]
            setting = Setting.OUTPATIENT if re.search(r"outpatient|hospital", before, re.I) else Setting.PRACTITIONER
            mue = self.tables.mues.get((setting, about.code))
            self.stated("MUE", match.group(1), str(mue.units) if mue else None, about)
            read.append(match.span())
        for match in MUE_MAI.finditer(sentence):
            about = _owner(named, match.start(), self.own)
            mue = self.tables.mues.get((Setting.PRACTITIONER, about.code))
            self.stated("MUE adjudication indicator", match.group(1), mue.mai if mue else None, about)
            read.append(match.span())
        for match in ADD_ON.finditer(sentence):
            if not NEGATED.search(sentence[max(0, match.start() - 20) : match.start()]):
                self.addon(_owner(named, match.start(), self.own).code)
        for match in ADD_ON_NAMED.finditer(sentence):
            self.addon(match.group(1))
        for match in MODIFIER_50.finditer(sentence):
            if NEGATED.search(sentence):
                continue
            about = _owner(named, match.start(), self.own)
            self.report.figures += 1
            fee = self.tables.fees.get(about.code)
            if not fee or fee.bilat_surg != "1":
                indicator = fee.bilat_surg if fee else "missing"
                self.problem(f"points {about.code} to modifier 50; its bilateral indicator is {indicator}, not 1")
        return read

    def unread(self, sentence: str, named: list[Named], read: list[tuple[int, int]]) -> None:
        covered = read + [(n.start, n.start + len(n.code)) for n in named]
        for subject, figure, what in UNREAD:
            if not subject.search(sentence):
                continue
            for match in figure.finditer(sentence):
                start, end = match.span()
                if any(s <= start and end <= e for s, e in covered) or re.fullmatch(r"(19|20)\d\d", match.group()):
                    continue
                self.problem(
                    f"quotes a {what} figure ({match.group()}) in words the checks cannot read: {sentence[:80]}"
                )


def check(*, entries: Iterable[tuple[str, str, str, list[str]]]) -> Report:
    """Check (system, code, text, sources) entries against the loaded data."""
    entries = list(entries)
    pairs = {(system, code) for system, code, _text, _sources in entries}
    for _system, _code, text, _sources in entries:
        pairs |= {(n.system, n.code) for n in named_codes(text)}
    tables = Tables(pairs)
    report = Report()
    for system, code, text, sources in entries:
        report.descriptions += 1
        text_check = _TextCheck(system=system, code=code, tables=tables, report=report)
        text_check.run(text)
        text_check.sources(sources)
    return report
