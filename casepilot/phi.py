"""Redact protected health information (PHI) from case notes before they are stored or sent to an LLM.

Coders paste real notes. What identifies a patient is replaced by a bracketed label ("[NAME]",
"[DOB]", ...); what a coder needs to code the case is kept: codes (ICD-10, CPT, HCPCS), drug doses,
lab values, dates of service (a date is only redacted when labelled as a date of birth) and eponyms
(Parkinson, Crohn). Rules, not a statistical model: names are found through the cues notes use
("Patient: John Smith", "Mr. Smith", "pt name", "signed by", relatives), then every later mention
of the same name is redacted too.

    result = redact(text)
    result.text     # the redacted text, the only version that is kept
    result.counts   # {"name": 2, "dob": 1}
    result.found    # [Found(kind, text, start, end), ...] spans in the original text

bench/phi.py measures it on synthetic notes with planted PHI (tests/casepilot/phi_notes.jsonl).
"""

import re
from dataclasses import dataclass, field

from .given_names import GIVEN_NAMES

# kind: (one, many), in the order they are reported.
KINDS = {
    "name": ("name", "names"),
    "dob": ("date of birth", "dates of birth"),
    "ssn": ("Social Security number", "Social Security numbers"),
    "mrn": ("medical record number", "medical record numbers"),
    "phone": ("phone number", "phone numbers"),
    "email": ("email address", "email addresses"),
    "address": ("street address", "street addresses"),
    "account": ("account or member number", "account or member numbers"),
}


@dataclass(frozen=True)
class Found:
    kind: str
    text: str
    start: int
    end: int


@dataclass
class RedactionResult:
    text: str
    counts: dict[str, int] = field(default_factory=dict)
    found: list[Found] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        """'2 names and 1 date of birth': what was removed, for telling the user."""
        parts = [f"{self.counts[k]} {KINDS[k][self.counts[k] != 1]}" for k in KINDS if self.counts.get(k)]
        return " and ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " and " + parts[-1]


# Words that start with a capital but are not names: they end a name that follows a cue
# ("Patient: John Smith Age 54") and are never propagated as names.
def _wordset(words: str) -> frozenset[str]:
    return frozenset(word.lower() for word in words.split())


_NOT_NAMES = _wordset(
    """
    A An And Age Admit Admitted Admission Allergies Alert Assessment At Attending But By Cc Chief Clinic
    Complaint Date Daughter Diagnosis Discharge Dob Dos Dr Encounter Er Exam Female For From Gender He
    Her His History Hospital Hpi I Id In Is It Labs Male Medicine Meds Mrn No Note Of On Or Pain Past
    Patient Phone Physician Plan Procedure Provider Pt Re Room Ros Seen Sex She Son Ssn Status Subject
    Surgery The They This To Type Was Wife Husband With Yo Y/O Years Old Account Acct Member Policy
    Insurance Address Email Tel Fax Cell Mobile Home Work Hi Hello Thanks Regards Md Do Np Pa Rn Cpc
    Ccs Coder Coding Question Icd Cpt Hcpcs Drg Left Right Bilateral Acute Chronic Presents Presented
    Reports Denies States Today Yesterday Follow Up Return Visit New Established Office Inpatient
    Outpatient Emergency Department Unit Ward Bed Floor Service Medical Record Number Contact Phone
    Name Mother Father Sister Brother Guardian Spouse Caregiver Emergency Signed Electronically
    January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Street Avenue Road St Ave Rd
    Education Instructions Portal Care Information Centered Safety Satisfaction Advocate Transport
    Radiology Cardiology Billing Pharmacy Lab Laboratory Nursing Triage Oncology Neurology Orthopedics
    Dermatology Pathology Registration Scheduling Social Case Management Admissions Anesthesia Urology
    """
)

# Medical eponyms that are also surnames: a cued "Mary Jones" is redacted, but a later bare
# "Jones" is not, since it may be Bence Jones protein.
_EPONYMS = _wordset(
    """
    Parkinson Parkinson's Crohn Crohn's Alzheimer Alzheimer's Hodgkin Hodgkin's Addison Addison's Cushing
    Cushing's Graves Graves' Hashimoto Bell Bell's Down Raynaud Sjogren Guillain Barre Kaposi Wilms Ewing
    Paget Reiter Tourette Huntington Meniere Barrett Barrett's Baker Baker's Colles Smith's Apgar Glasgow
    Foley Whipple Nissen Roux Hartmann Billroth Babinski Homan Murphy Murphy's Kussmaul Cheyne Stokes
    Wernicke Korsakoff Marfan Turner Klinefelter Epstein Barr Lyme Bence Jones Gleason Breslow Clark
    """
)

_NAME_WORD = r"(?:(?:[A-Z]')?[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?|[A-Z]{2,}(?:[-'][A-Z]+)?|[A-Z]\.?)"
# "John Smith", "John Q. Smith", "SMITH, JOHN", "Smith, John A"
_NAME = rf"{_NAME_WORD}(?:,?[ \t]+{_NAME_WORD}){{0,3}}"

_MONTHS = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DATE = (
    r"(?:\d{1,2}[/\-.]\d{1,2}[/\-.](?:\d{4}|\d{2})"
    r"|\d{4}-\d{1,2}-\d{1,2}"
    rf"|{_MONTHS}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}}"
    rf"|\d{{1,2}}[ \t]+{_MONTHS},?[ \t]+\d{{4}})"
)
_STREET_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|"
    r"Circle|Cir|Highway|Hwy|Parkway|Pkwy|Square|Sq|Trail|Trl|Loop|Pike|Row|Alley)\.?"
)
_US_STATE = r"(?:[A-Z]{2})"

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class _Rule:
    """One kind of PHI: a pattern, and the words (lower case) a match can start with, if any.

    Speed and safety: every pattern has bounded repetitions and is linear in the text. A
    pattern led by `\b(?:word|...)` under re.I is still tried at every position (about 2 us
    each); with `starts`, a plain alternation of lower-case literals, which the re module skips
    through quickly, finds where a match can begin on a lower-cased copy (same length, same
    positions), and the pattern is tried only there.
    """

    kind: str
    pattern: re.Pattern
    starts: re.Pattern | None = None

    def finditer(self, text: str, lowered: str):
        if self.starts is None:
            yield from self.pattern.finditer(text)
            return
        end = 0
        for hit in self.starts.finditer(lowered):
            if hit.start() < end:
                continue
            match = self.pattern.match(text, hit.start())
            if match:
                yield match
                end = match.end()


def _starts(words: str) -> re.Pattern:
    return re.compile("|".join(re.escape(word) for word in sorted(words.split(), key=len, reverse=True)))


# A named group "phi" marks the part to redact when the pattern includes a label.
_RULES: list[_Rule] = [
    # A match starts only where a run of address characters starts (the lookbehind): otherwise
    # each of n positions of "aaaa..." scans to the end for an "@", n^2 steps.
    _Rule("email", re.compile(r"(?<![\w.+-])(?P<phi>[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,10})")),
    _Rule(
        "dob",
        re.compile(
            rf"(?:\bDOB\b|\bD\.O\.B\b\.?|\bdate[ \t]+of[ \t]+birth\b|\bbirth[ \t]*date\b|\bborn(?:[ \t]+on)?\b)[ \t:#-]{{0,10}}(?P<phi>{_DATE})",
            re.I,
        ),
        _starts("dob d.o.b date birth born"),
    ),
    _Rule(
        "ssn",
        re.compile(
            r"\b(?:SSN|SS#|social[ \t]+security(?:[ \t]+(?:number|no\.?|#))?)[ \t:#-]{0,10}(?P<phi>\d{3}[- ]?\d{2}[- ]?\d{4}|[xX*]{3}-[xX*]{2}-\d{4})\b",
            re.I,
        ),
        _starts("ssn ss# social"),
    ),
    _Rule("ssn", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    _Rule(
        "mrn",
        re.compile(
            r"\b(?:MRN|MR[ \t]*#|MR[ \t]+(?:number|no\.?)|medical[ \t]+record(?:[ \t]+(?:number|no\.?|#))?|chart[ \t]+(?:number|no\.?|#)"
            r"|patient[ \t]+(?:id|identifier)|pt[ \t]+id)\b[ \t:#.-]{0,10}(?P<phi>[A-Z]{0,4}-?\d[\dA-Z-]{3,30})",
            re.I,
        ),
        _starts("mrn mr medical chart patient pt"),
    ),
    _Rule(
        "account",
        re.compile(
            r"\b(?:account|acct|billing[ \t]+(?:number|no\.?|#)|member[ \t]+id|subscriber[ \t]+id|policy|insurance[ \t]+id|"
            r"medicare[ \t]+(?:id|number|no\.?|#)|medicaid[ \t]+(?:id|number|no\.?|#)|MBI|HICN|claim[ \t]+(?:number|no\.?|#)|encounter[ \t]+(?:number|no\.?|#)|FIN)\b"
            r"\.?(?:[ \t]+(?:number|no\.?|#|id))?[ \t:#.-]{0,10}(?P<phi>[A-Z]{0,4}-?\d[\dA-Z-]{3,30}|[A-Z0-9]{4,30}\d[A-Z0-9]{0,30})",
            re.I,
        ),
        _starts(
            "account acct billing member subscriber policy insurance medicare medicaid mbi hicn claim encounter fin"
        ),
    ),
    _Rule(
        "phone",
        re.compile(
            r"\b(?:phone|ph|tel|telephone|cell|mobile|fax|home|work|contact|call)\b\.?[ \t:#-]{0,10}(?P<phi>(?:\+?1[ \t.-]?)?(?:\(\d{3}\)[ \t]?|\d{3}[ \t.-])?\d{3}[ \t.-]\d{4}(?:[ \t]*(?:x|ext\.?)[ \t]*\d{1,5})?)",
            re.I,
        ),
        _starts("phone ph tel telephone cell mobile fax home work contact call"),
    ),
    _Rule("phone", re.compile(r"(?:\+?1[ \t.-]?)?(?:\(\d{3}\)[ \t]?|\b\d{3}[.-])\d{3}[.-]\d{4}\b")),
    _Rule(
        "address",
        re.compile(
            rf"(?P<phi>\b\d{{1,6}}[ \t]+(?:[NSEW]\.?[ \t]+)?(?:[A-Z][a-z]+|\d{{1,3}}(?:st|nd|rd|th))(?:[ \t]+[A-Z][a-z]+){{0,3}}[ \t]+{_STREET_SUFFIX}"
            r"(?:,?[ \t]+(?:Apt|Apartment|Suite|Ste|Unit|#)\.?[ \t]*#?[\w-]{1,10})?"
            rf"(?:,[ \t]*[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+){{0,3}}(?:,[ \t]*|[ \t]+){_US_STATE}(?:[ \t]+\d{{5}}(?:-\d{{4}})?)?)?)(?![\w])"
        ),
    ),
    _Rule(
        "address",
        re.compile(
            rf"\bP\.?O\.?[ \t]+Box[ \t]+\d{{1,10}}(?:,[ \t]*[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+){{0,3}},?[ \t]+{_US_STATE}[ \t]+\d{{5}})?"
        ),
        _starts("p"),
    ),
    _Rule(
        "address",
        re.compile(
            # Up to its ZIP code, or the end of the line or sentence, never over a code ("... IL 62704 I10").
            r"\b(?:address|addr|lives[ \t]+at|residing[ \t]+at)\b[ \t:.-]{1,10}(?P<phi>\d[^\n;]{4,80}?"
            r"(?:\b\d{5}(?:-\d{4})?\b|(?=[ \t,]*(?:\n|;|$|\.\s|\b[A-Z]\d[0-9A-Z](?:\.\w{1,4})?\b))))",
            re.I,
        ),
        _starts("address addr lives residing"),
    ),
]

# Cues that a name follows. "pt name", "Patient:", "Mr."; relatives; signatures.
_NAME_CUES = _Rule(
    "name",
    re.compile(
        r"(?:"
        r"\b(?:patient|pt|resident|member|subscriber|guarantor|client|insured)(?:'s)?[ \t]*(?:full[ \t]+)?name\b[ \t]*[:#-]?[ \t]*"
        r"|\b(?:patient|pt|name|re|resident|guarantor|insured|subscriber|contact)[ \t]*:[ \t]*"
        # "Patient Mary Jones, SSN ...": a bare cue, so the name must be two capitalised words.
        rf"|\b(?:patient|pt)[ \t]+(?=(?-i:{_NAME_WORD}[ \t]+{_NAME_WORD}))"
        r"|\b(?:Mr|Mrs|Ms|Miss|Mx|Master)\.?[ \t]+"
        r"|\b(?:patient|pt|man|woman|boy|girl|child|gentleman|lady|male|female)[ \t]+(?:named|called)[ \t]+"
        r"|\b(?:wife|husband|spouse|son|daughter|mother|father|sister|brother|guardian|caregiver|grandson|granddaughter|"
        r"niece|nephew|emergency[ \t]+contact|next[ \t]+of[ \t]+kin|POA)\b,?[ \t]*(?:\(|:|is|named)?[ \t]*"
        r"|\b(?:electronically[ \t]+)?signed[ \t]+by[ \t]*:?[ \t]*|\bsignature[ \t]*:[ \t]*|\bdictated[ \t]+by[ \t]*:?[ \t]*"
        r"|\b(?:sincerely|regards|thanks|thank[ \t]+you|best|cheers)[ \t]*,?[ \t]*\n[ \t]*"
        r")"
        rf"(?P<phi>{_NAME})",
        re.I,
    ),
    _starts(
        "patient pt resident member subscriber guarantor client insured name re contact mr mrs ms miss mx master "
        "wife husband spouse son daughter mother father sister brother guardian caregiver grandson granddaughter "
        "niece nephew emergency next poa electronically signed signature dictated sincerely regards thanks thank "
        "best cheers man woman boy girl child gentleman lady male female"
    ),
)


# Words of _NOT_NAMES that are surnames too: after a given name they are part of the name.
_ALSO_SURNAMES = _wordset("Ward Case Park Best Day Bell Hall Hill King Long Young Price Home Field Banks Rose May")
# Cues after which a name may be typed in lower case: a title, then a surname ("mrs. o'brien"),
# or a label, then a full name ("patient: jane doe").
_TITLE_CUE = re.compile(r"(?:mrs?|ms|miss|mx)\b", re.I)
_LABEL_CUE = re.compile(r"(?:patient|pt|name)\b", re.I)


def _lower_case_words(cue: str) -> int:
    """How many lower-case words may make a name after this cue."""
    return 1 if _TITLE_CUE.match(cue) else 2 if _LABEL_CUE.match(cue) else 0


def _clean_name(candidate: str, *, lower_words: int = 0) -> str:
    """Cut a cued name at the first word that is not part of a name ("John Smith Age" -> "John Smith")."""
    words = re.split(r"(,?[ \t]+)", candidate)
    kept: list[str] = []
    for i in range(0, len(words), 2):
        word = words[i]
        bare = word.strip(".,'").lower()
        if bare in _NOT_NAMES and not (kept and bare in _ALSO_SURNAMES):
            break
        # A name typed in lower case ("patient: jane doe") is one only when all of it is: in
        # "Mr. Yuk sticker" the name ends at "sticker".
        lower = word[:1].isalpha() and word.islower() and bare not in _COMMON_WORDS
        all_lower = all(k.islower() for k in kept[::2])
        if not word[:1].isupper() and not (lower and all_lower and len(kept[::2]) < lower_words):
            break
        if kept:
            kept.append(words[i - 1])
        kept.append(word)
    name = "".join(kept).rstrip(",")
    # A lone initial or a two-letter all-caps word is not a name on its own.
    if len(name.replace(".", "")) < 2 or (len(kept) == 1 and name.isupper() and len(name) <= 3):
        return ""
    return name


_CAP_WORD = r"(?:Mc|O')?[A-Z][a-z]+(?:['-][A-Z]?[a-z]+)?"
# "Brandon Wilson tolerated ...": a capitalised pair (the lookahead lets pairs overlap).
_GIVEN_NAME_PAIR = _Rule("name", re.compile(rf"(?<![\w'])([A-Z][a-z]+)(?=[ \t]+(?:[A-Z]\.[ \t]+)?({_CAP_WORD})\b)"))
# "Smith, John 01/02/1960" at the start of a line: a name, then its date of birth.
_SURNAME_FIRST = _Rule(
    "name",
    re.compile(
        rf"^[ \t]*(?P<phi>{_CAP_WORD},[ \t]*{_CAP_WORD}(?:[ \t]+[A-Z]\.?)?)(?=[ \t]+(?:DOB:?[ \t]*)?{_DATE})", re.M
    ),
)
_SURNAME_FIRST_DOB = _Rule(
    "dob",
    re.compile(rf"^[ \t]*{_CAP_WORD},[ \t]*{_CAP_WORD}(?:[ \t]+[A-Z]\.?)?[ \t]+(?:DOB:?[ \t]*)?(?P<phi>{_DATE})", re.M),
)
# Everyday words a lower-case cued "name" is not ("patient: very anxious").
_COMMON_WORDS = _wordset(
    """
    very not now also still well unable alert awake anxious stable here there the a an and or with without
    has had have is was are were being been will would can could may might must should presents reports
    complains denies states notes seen admitted discharged male female man woman old new established
    """
)

_WORD = re.compile(r"\b([A-Za-z][A-Za-z'-]*?)(?:'s)?\b")


def _name_spans(text: str, lowered: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    tokens: set[str] = set()
    for match in _NAME_CUES.finditer(text, lowered):
        cue = text[match.start() : match.start("phi")]
        name = _clean_name(match.group("phi"), lower_words=_lower_case_words(cue))
        if not name:
            continue
        start = match.start("phi")
        spans.append((start, start + len(name)))
        for token in re.findall(r"[A-Za-z][A-Za-z'-]+", name):
            if len(token) >= 3 and token.lower() not in _NOT_NAMES and token.lower() not in _EPONYMS:
                tokens.add(token)
    # No cue, but a given name (casepilot/given_names.py) and a capitalised word after it.
    for match in _GIVEN_NAME_PAIR.finditer(text, lowered):
        given, surname = match.group(1), match.group(2)
        if given.lower() in GIVEN_NAMES and surname.lower() not in _NOT_NAMES | _EPONYMS:
            spans.append((match.start(1), match.end(2)))
            tokens.update(t for t in (given, surname) if len(t) >= 3)
    for match in _SURNAME_FIRST.finditer(text, lowered):
        spans.append(match.span("phi"))
        tokens.update(t for t in re.findall(r"[A-Za-z][A-Za-z'-]+", match.group("phi")) if len(t) >= 3)
    tokens = {t for t in tokens if t.lower() not in _NOT_NAMES and t.lower() not in _EPONYMS}
    # Later bare mentions ("Smith reports ...") of a name found through a cue. Case-sensitive
    # as written or in capitals, so "mark" or "will" in running text is left alone.
    # (One pass over the words with a set lookup: an alternation of every name found would be
    # tried at each position, names x length.)
    if tokens:
        variants = tokens | {t.upper() for t in tokens}
        for word in _WORD.finditer(text):
            if word.group(1) in variants:
                spans.append(word.span())
    return spans


def redact(text: str) -> RedactionResult:
    """Find PHI in `text` and return the text with each item replaced by its label, with counts."""
    lowered = text.translate(_ASCII_LOWER)
    candidates: list[tuple[int, int, str]] = []
    for rule in [*_RULES, _SURNAME_FIRST_DOB]:
        for match in rule.finditer(text, lowered):
            group = "phi" if match.groupdict().get("phi") else 0
            candidates.append((match.start(group), match.end(group), rule.kind))
    candidates.extend((start, end, "name") for start, end in _name_spans(text, lowered))

    # Keep the earliest, then the longest span where two overlap.
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    chosen: list[tuple[int, int, str]] = []
    for start, end, kind in candidates:
        if chosen and start < chosen[-1][1]:
            continue
        chosen.append((start, end, kind))

    parts: list[str] = []
    found: list[Found] = []
    counts: dict[str, int] = {}
    position = 0
    for start, end, kind in chosen:
        parts.append(text[position:start])
        parts.append(f"[{kind.upper()}]")
        found.append(Found(kind, text[start:end], start, end))
        counts[kind] = counts.get(kind, 0) + 1
        position = end
    parts.append(text[position:])
    return RedactionResult(text="".join(parts), counts=counts, found=found)
