"""Word search and its ranking: the candidates the full-text index finds, scored by
relevance times what the code is (billable, current, the query's whole title, ...), and
why each one matched, highlighted."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from codes.models import Code, SearchEntry, SearchWord

from .bycode import CODE_FIELDS
from .dialects import dialect
from .filters import Filters
from .parsing import Slot, Term, fold, same_word, word_key, words_of
from .results import SearchResult

# Headers and browse nodes rank below billable codes; deleted codes below current ones; an injury's
# initial encounter above its subsequent and sequela codes (the query names those if meant); the
# entry's prior (index paths leading to it, the default code of its category); the code sets the
# query's words belong to (weights from `system_weights`); then how the title reads the query
# (`_reading_factor`).
SCORE_FACTORS = """
    * CASE WHEN e.system = 'icd-10-cm' AND (e.compact LIKE 'O%%' OR e.compact LIKE 'P%%') THEN %s ELSE 1.0 END
    * CASE WHEN e.billable THEN 1.0 WHEN e.kind IN ('chapter', 'section', 'body_system', 'mdc') THEN 0.3 ELSE 0.4 END
    * CASE WHEN e.deleted THEN 0.5 ELSE 1.0 END
    * CASE WHEN e.system <> 'icd-10-cm' THEN 1.0 WHEN e.compact LIKE '______A' THEN 1.1
           WHEN e.compact LIKE '______D' OR e.compact LIKE '______S' THEN 0.75 ELSE 1.0 END
    * e.prior
    * CASE e.system WHEN 'icd-10-cm' THEN %s WHEN 'icd-10-pcs' THEN %s WHEN 'hcpcs' THEN %s WHEN 'cpt' THEN %s
           WHEN 'ms-drg' THEN %s ELSE 1.0 END
"""


# The factors of a code whose title holds every part of the query, or none of its words
# (`_reading_factor`): measured best of 1.1/1.2/1.4/1.7 and 0.5/0.75/1.0 on the tuning set.
WHOLE_QUERY = 1.2
ONLY_OTHER_NAMES = 0.75
# The factor of a HCPCS code whose descriptor names the item the query names (`_reading_factor`):
# 1.3 measured better than 1.0 and 1.6 on the tuning set.
ITEM_NAMED = 1.3
# The factor of an ICD-10-CM code one of whose index paths holds every word of a reading of a
# query of two or more words, with more words of its own (`_reading_factor`): the Index names it
# by the query's words and a detail the query leaves open ("h/o stroke": History > personal >
# stroke without residual deficits). 2.0 measured best of 1.35/1.5/1.7/2.0/2.5 on the tuning set.
INDEX_HOLDS = 2.0


def _path_holds(phrases: list[str]) -> tuple[str, list]:
    """SQL (and its parameters): does one index path key (`|`-separated word keys, each its words
    in sorted order) hold every word of one of the readings? One regular expression per reading,
    its words in the key's order with any words between; only for readings of two words or more."""
    patterns = []
    for phrase in phrases:
        words = word_key(phrase).split()
        if len(words) >= 2 and all(w.isalnum() for w in words):
            patterns.append(r"\|([^|]* )?" + " ([^|]* )?".join(words) + r"( [^|]*)?\|")
    if not patterns:
        return "FALSE", []
    # The ICD-10-CM Index only: a PCS index path leads to a table, whose codes differ by what it leaves open.
    held = " OR ".join([dialect().matches_pattern("e.path_keys")] * len(patterns))
    return f"(e.system = 'icd-10-cm' AND ({held}))", patterns


def _shorter_first(length: str, *, steep: int, one_at: int = 0) -> str:
    """A factor falling with a length (SQL): 1.0 at `one_at`, the steeper the smaller `steep` (half
    of that at `steep` + 2 * `one_at`). A PCS title spells out every axis ("..., Percutaneous
    Endoscopic Approach"): its length counts half."""
    return f"{steep + one_at}.0 / ({steep} + CASE WHEN e.system = 'icd-10-pcs' THEN 0.5 ELSE 1.0 END * {length})"


def _head_stem(phrase: str) -> str:
    """The start of the query's last word, the thing it names ("diabetic shoes" -> "shoe"), short
    enough to cover its plural ("crutches" -> "crutch")."""
    words = phrase.split()
    head = words[-1] if words else ""
    return head[: max(4, len(head) - 2)]


def _operation_first(slots: list[Slot]) -> tuple[str, list]:
    """SQL (and its parameters): is this a PCS title whose first word is a word the query typed? A PCS title starts with its root operation or imaging type ("Fusion of Lumbar
    Vertebral Joint ...", "Ultrasonography of Gallbladder"), which a query names anywhere ("lumbar
    spinal fusion"); "Revision of Interbody Fusion Device in ..." only holds the word."""
    words = sorted({t.word for slot in slots for t in slot.terms if not t.prefix})
    if not words:
        return "FALSE", []
    likes = " OR ".join(["e.phrase LIKE %s"] * len(words))
    return f"(e.system = 'icd-10-pcs' AND ({likes}))", [f"{w} %" for w in words]


def _reading_factor(phrases: list[str], slots: list[Slot]) -> tuple[str, list]:
    """SQL (and its parameters) for how a title reads the query, by its readings (`phrases`).

    A title that is one of them, or an index path leading to the code that is one (its words in
    any order), counts 2.5, and for its length the query's: the Index names the code by those
    words however long its Tabular title ("Dementia" -> F03.90, "Unspecified dementia, unspecified
    severity, without ..."); the title's own length only orders the codes one path leads to (the
    PCS table "Thoracentesis" names). A HCPCS descriptor names its item before the first comma,
    the last word of that part ("Crutch, underarm, ...", "Standard wheelchair", not "Wheelchair
    accessory, tray" nor "Crutch attachment, walker"): where that is the query's last word, the
    code is the item asked for, ITEM_NAMED. Otherwise shorter titles first, one that starts with a
    reading 1.8, holds one 1.3. Both kinds count WHOLE_QUERY where the title holds every part of the
    query (its words or a synonym's: "h/o stroke" is "Personal history of ... cerebral
    infarction", not "Personal history of nicotine dependence"), ONLY_OTHER_NAMES where it holds
    none (its other names or plain-language text matched: "tired all the time" in a lab test's)."""
    keys = [f"%|{word_key(p)}|%" for p in phrases]
    exact = " OR ".join(["e.phrase = %s"] * len(phrases) + ["e.path_keys LIKE %s"] * len(keys))
    operation_first, operation_params = _operation_first(slots)
    starts = " OR ".join(["e.phrase LIKE %s"] * len(phrases) + [operation_first])
    holds = " OR ".join(["e.phrase LIKE %s"] * len(phrases) + ["lower(e.title) LIKE %s"])
    title_length = "length(e.phrase)"
    head = f"(' ' || {dialect().first_part('e.title')})"
    named = f"CASE WHEN e.system = 'hcpcs' AND {head} LIKE %s AND {head} NOT LIKE %s THEN %s ELSE 1.0 END"
    path_holds, path_params = _path_holds(phrases)
    sql = (
        f"* {named} * CASE WHEN {exact} THEN 2.5 * %s * {_shorter_first('%s', steep=40)} "
        f"* {_shorter_first(title_length, steep=60, one_at=40)} ELSE {_shorter_first(title_length, steep=40)} "
        f"* CASE WHEN {starts} THEN 1.8 WHEN {holds} THEN 1.3 ELSE 1.0 END "
        "* CASE WHEN e.whole_title THEN %s WHEN e.in_title > 0 THEN 1.0 ELSE %s END "
        f"* CASE WHEN {path_holds} THEN %s ELSE 1.0 END END"
    )
    stem = _head_stem(phrases[0])
    params = [
        f"% {stem}%",
        f"% {stem}% %",
        ITEM_NAMED,
        *phrases,
        *keys,
        WHOLE_QUERY,
        len(phrases[0]),
        *(f"{p}%" for p in phrases),
        *operation_params,
        *(f"%{p}%" for p in phrases),
    ]
    return sql, [*params, f"%{phrases[0]}%", WHOLE_QUERY, ONLY_OTHER_NAMES, *path_params, INDEX_HOLDS]


# The factor of a code whose title names only the other side than the query's ("total knee
# replacement right": "Replacement of Left Knee Joint ..."): measured best of 0.3/0.5/0.7.
OTHER_SIDE = 0.5
SIDES = {"right": "left", "left": "right"}


def _side_factor(slots: list[Slot]) -> tuple[str, list]:
    """SQL (and its parameters) demoting a title of the other side when the query names one side."""
    words = {t.word for slot in slots for t in slot.terms}
    named = [side for side in SIDES if side in words]
    if len(named) != 1:
        return "", []
    other = SIDES[named[0]]
    title = "(' ' || lower(e.title) || ' ')"
    says = f"({title} LIKE %s OR {title} LIKE %s)"
    return f"* CASE WHEN {says} AND NOT {says} THEN %s ELSE 1.0 END", [
        f"% {other} %",
        f"% {other},%",
        f"% {named[0]} %",
        f"% {named[0]},%",
        OTHER_SIDE,
    ]


# The factor of a code whose title reads a lay phrase word for word but not what it means, when the
# whole query is such a phrase: the curated synonym says what people mean by it ("broken hip" is a
# fractured hip, not "Broken internal right hip prosthesis"; "water pill" a diuretic, not a
# contraceptive pill). 0.6 and 0.8 measured best of 0.4/0.6/0.8/1.0 on the tuning set.
LITERAL_ONLY = 0.6


def _literal_only(slots: list[Slot]) -> tuple[str, list]:
    """SQL (and its parameters) for a column: does the title hold the words of a query that is one
    phrase with synonyms, and none of the synonyms?"""
    if len(slots) != 1 or len(slots[0].terms) < 2 or not slots[0].alternatives:
        return "FALSE", []
    (slot,) = slots
    literal, literal_params = dialect().whole_title([Slot(slot.terms)])
    meant, meant_params = dialect().whole_title([Slot(slot.alternatives[0], slot.alternatives[1:])])
    return f"({literal} AND NOT {meant})", [*literal_params, *meant_params]


# The factors of a code whose title says it is without what the query says ("migraine without
# aura": "Migraine without aura, ..."), and of one whose title names it otherwise ("asthma w/o
# exacerbation": "... with (acute) exacerbation"). WITHOUT_NAMED measured best of 1.0/1.3/1.6/2.0.
WITHOUT_NAMED = 1.6
NEGATED = 0.3


def _without_factor(negated: list[str]) -> tuple[str, list]:
    """SQL (and its parameters): a factor per negated word, its stem so that plurals count."""
    sql, params = "", []
    title = "(' ' || lower(e.title))"
    says_without = dialect().matches_pattern(title)
    for word in negated:
        stem = re.escape(word[: max(4, len(word) - 2)])
        sql += f"* CASE WHEN {says_without} THEN %s WHEN {title} LIKE %s THEN %s ELSE 1.0 END "
        # "without aura", "without diagnosis of hypertension": two words between at most, none "with"
        # (written for both regular expression dialects: no \b, which PostgreSQL reads otherwise).
        params += [rf"without( (?!with )\S+){{0,2}} {stem}", WITHOUT_NAMED, f"% {stem}%", NEGATED]
    return sql, params


# The factor of a PCS title whose root operation is the one a surgical word's ending names
# ("lumbar arthrodesis": Fusion, "orchiopexy": Reposition, "lithotripsy": Fragmentation), by the
# root operations' definitions (ICD-10-PCS Reference Manual). The PCS Index often sends such a word
# to two root operations ("Orchiopexy, see Repair ...; see Reposition ..."; "Appendectomy, see
# Excision ...; see Resection ..."): the ending says which one the word itself means. An "-ectomy"
# is all of the body part (guideline B3.8: Excision is some of it, Resection all of it) unless the
# query says partial. An arthroplasty puts in a joint prosthesis: Replacement, which the Index
# lists beside Repair and Supplement. 1.3, 1.6 and 2.0 measured within .001 MRR on the tuning set; 1.0 lowest.
ROOT_OPERATION_NAMED = 1.6
ROOT_OPERATION_ENDINGS = {
    "ectomy": "resection",
    "desis": "fusion",
    "pexy": "reposition",
    "tripsy": "fragmentation",
    "centesis": "drainage",
    "rrhaphy": "repair",
    "scopy": "inspection",
    "arthroplasty": "replacement",
}
# The root operations of the Medical and Surgical section: a query that names one beside an endoscopy
# ("colonoscopy with biopsy": Excision) codes that one, not the Inspection (guideline B3.11a).
_ROOT_OPERATIONS_TEXT = "alteration bypass change control creation destruction detachment dilation division drainage excision extirpation extraction fragmentation fusion insertion inspection map occlusion reattachment release removal repair replacement reposition resection restriction revision supplement transfer transplantation"
ROOT_OPERATIONS = frozenset(_ROOT_OPERATIONS_TEXT.split())
PARTIAL_WORDS = frozenset(["partial", "part", "portion", "segmental", "wedge", "subtotal"])


def _pcs_titles_factor(column: str, patterns: list[str], factor: float) -> tuple[str, list]:
    """SQL (and its parameters): `factor` for the PCS codes whose `column` is LIKE one of `patterns`
    (nothing when there are none): the shape of every PCS factor below."""
    if not patterns:
        return "", []
    like = " OR ".join([f"{column} LIKE %s"] * len(patterns))
    return f"* CASE WHEN e.system = 'icd-10-pcs' AND ({like}) THEN %s ELSE 1.0 END ", [*patterns, factor]


def _root_operation_factor(slots: list[Slot]) -> tuple[str, list]:
    """SQL (and its parameters): the factor of the PCS titles of the root operations the query's
    words name by their endings."""
    words = {t.word for slot in slots for t in slot.terms}
    named = {t.word for slot in slots for option in (slot.terms, *slot.alternatives) for t in option}
    operations = {
        operation
        for ending, operation in ROOT_OPERATION_ENDINGS.items()
        if any(w.endswith(ending) for w in words)
        and not (operation == "resection" and words & PARTIAL_WORDS)
        and not (operation == "inspection" and named & ROOT_OPERATIONS - {"inspection"})
    }
    return _pcs_titles_factor("e.phrase", [f"{operation} %" for operation in sorted(operations)], ROOT_OPERATION_NAMED)


# The factors of the ICD-10-CM history and status codes (Z80-Z99: family and personal history,
# acquired absence, history of a treatment, an artificial opening, transplant, implant, graft or
# device, a postprocedural state, dependence on a machine). A query that asks for a history or a
# status ("s/p cabg", "hx of breast ca", "fhx cad") means them (guideline I.C.21.c.3-4, status and
# history codes); one naming a procedure ("cabg", "ecmo", "cataract extraction") means the
# procedure, not the status it leaves (Z89-Z99 count less; family and personal history codes
# Z80-Z87 hold the condition's words only after "history of", so they are left as they are).
STATUS_ASKED = 1.6
STATUS_UNASKED = 0.5
# A history is the patient's own unless the query says family (the Index: "History (personal)",
# and "History, family" under it): the family history codes Z80-Z84 then count half.
FAMILY_UNASKED = 0.5
STATUS_WORDS = frozenset(
    ["status", "presence", "present", "history", "absence", "absent", "dependence", "dependent", "previous", "prior"]
)


def _status_factor(slots: list[Slot]) -> tuple[str, list]:
    """SQL (and its parameters): the factor of the history and status codes by whether a word of
    the query (or of its shorthand: "s/p", "h/o", "fhx") asks for a history or status."""
    named = {t.word for slot in slots for option in (slot.terms, *slot.alternatives) for t in option}
    z_code = "e.system = 'icd-10-cm' AND e.compact LIKE %s"
    if named & STATUS_WORDS:
        family = STATUS_ASKED if "family" in named else STATUS_ASKED * FAMILY_UNASKED
        family_code = f"{z_code} AND e.compact < 'Z85'"
        return f"* CASE WHEN {family_code} THEN %s WHEN {z_code} OR {z_code} THEN %s ELSE 1.0 END ", [
            "Z8%",
            family,
            "Z8%",
            "Z9%",
            STATUS_ASKED,
        ]
    after = "e.compact >= 'Z89' AND e.compact < 'Z91' OR e.compact >= 'Z92'"  # Z89-Z90, Z92-Z99
    return f"* CASE WHEN {z_code} AND ({after}) THEN %s ELSE 1.0 END ", ["Z%", STATUS_UNASKED]


# The factor of the ICD-10-CM fractures that are not a fresh traumatic one (pathological, stress,
# osteoporotic, malunion and nonunion: M80, M84; around a joint prosthesis: M97) when the query
# names none of those: the Index's
# main term "Fracture, traumatic" is what a fracture means, and "Fracture, pathological" needs its
# word ("hip fx" is S72.0-, not "Stress fracture, hip").
NOT_TRAUMATIC_UNASKED = 0.5
NOT_TRAUMATIC_WORDS = frozenset(
    ["pathological", "pathologic", "stress", "fatigue", "insufficiency", "osteoporotic", "osteoporosis",
     "neoplastic", "malunion", "nonunion", "delayed", "march", "disease", "periprosthetic", "prosthetic",
     "prosthesis", "implant"]
)  # fmt: skip


def _not_traumatic_factor(slots: list[Slot]) -> tuple[str, list]:
    named = {t.word for slot in slots for option in (slot.terms, *slot.alternatives) for t in option}
    if named & NOT_TRAUMATIC_WORDS:
        return "", []
    categories = " OR ".join(["e.compact LIKE %s"] * 3)
    return f"* CASE WHEN e.system = 'icd-10-cm' AND ({categories}) THEN %s ELSE 1.0 END ", [
        "M80%",
        "M84%",
        "M97%",
        NOT_TRAUMATIC_UNASKED,
    ]


# The factor of a PCS title with the qualifier Diagnostic when the query says biopsy: "Biopsy
# procedures are coded using the root operations Excision, Extraction, or Drainage and the
# qualifier Diagnostic" (guideline B3.4a). "egd with biopsy" is 0DB68ZX, not the endoscopy's
# Inspection (B3.11a: an inspection is not coded beside another procedure on the same site).
BIOPSY_NAMED = 1.6
BIOPSY_WORDS = frozenset(["biopsy", "biopsies", "bx"])


def _biopsy_factor(slots: list[Slot]) -> tuple[str, list]:
    """SQL (and its parameters): the factor of the diagnostic PCS titles when the query says biopsy."""
    said = BIOPSY_WORDS & {t.word for slot in slots for t in slot.terms}
    return _pcs_titles_factor("lower(e.title)", ["%, diagnostic"] if said else [], BIOPSY_NAMED)


# The factor of a PCS title holding the body part a surgical word names by its combining form
# ("nephrectomy": kidney, "oophorectomy": ovary, "cystoscopy": bladder): the PCS Index sends such a
# word to a whole body system's table ("Nephrectomy, see Resection, Urinary System 0TT"), whose
# rows are every organ of the system. The forms are those of standard medical terminology, each
# with the word PCS titles use for the organ (a stem that also holds its plural); the longest form
# that starts a word counts ("cholecyst" before "cyst", "mastoid" before "mast", "colp" before
# "col"), and only in a word with a surgical ending. 1.6 and 2.0 measured best of 1.0/1.3/1.6/2.0
# on the tuning set.
BODY_PART_NAMED = 1.6
SURGICAL_ENDINGS = ("ectomy", "otomy", "ostomy", "plasty", "pexy", "rrhaphy", "scopy", "desis", "centesis", "tripsy")
COMBINING_FORMS = {
    "adenoid": "adenoid", "adrenal": "adrenal", "append": "appendix", "arthr": "joint", "blephar": "eyelid",
    "bronch": "bronch", "cholecyst": "gallbladder", "col": "colon", "colp": "vagina", "cyst": "bladder",
    "duoden": "duodenum", "esophag": "esophag", "gastr": "stomach", "gloss": "tongue", "hepat": "liver",
    "hyster": "uterus", "ile": "ileum", "irid": "iris", "jejun": "jejunum", "kerat": "cornea",
    "laryng": "larynx", "mamm": "breast", "mast": "breast", "mastoid": "mastoid", "myring": "tympanic",
    "nephr": "kidney", "oophor": "ovar", "orchi": "testis", "pancreat": "pancrea", "parathyroid": "parathyroid",
    "pericardi": "pericardium", "phleb": "vein", "pleur": "pleura", "pneumon": "lung", "proct": "rectum",
    "prostat": "prostate", "salping": "fallopian", "splen": "spleen", "thyroid": "thyroid", "tonsill": "tonsil",
    "trache": "trachea", "tympan": "tympanic", "ureter": "ureter", "urethr": "urethra", "vas": "vas deferens",
    "vulv": "vulva",
}  # fmt: skip


def named_body_parts(words) -> set[str]:
    """The title stems of the organs the surgical words among `words` name by their combining forms."""
    parts = set()
    for word in words:
        if word.endswith(SURGICAL_ENDINGS):
            forms = [form for form in COMBINING_FORMS if word.startswith(form)]
            if forms:
                parts.add(COMBINING_FORMS[max(forms, key=len)])
    return parts


def _body_part_factor(slots: list[Slot]) -> tuple[str, list]:
    """SQL (and its parameters): the factor of the PCS titles holding an organ the query's surgical
    words name (COMBINING_FORMS)."""
    parts = named_body_parts({t.word for slot in slots for t in slot.terms})
    return _pcs_titles_factor("lower(e.title)", [f"%{part}%" for part in sorted(parts)], BODY_PART_NAMED)


# The factor of a PCS title whose approach (the fifth character) is the one a procedure word says,
# when the query names no approach itself. By the approach definitions (ICD-10-PCS Reference
# Manual): percutaneous is entry "by puncture or minor incision" through the skin (a lumbar
# puncture, a paracentesis, a needle biopsy: not the Open Approach the Index's table also holds);
# an endotracheal tube enters "through a natural or artificial external opening"; an "-scopy" looks
# through an endoscope. Words as typed, or their shorthand's ("lp"). 1.15, 1.3 and 1.6 measured
# within .001 MRR of each other on the tuning set, 1.0 lowest.
APPROACH_IMPLIED = 1.3
APPROACH_WORDS = {
    "puncture": ", percutaneous approach",
    "centesis": ", percutaneous approach",
    "needle": ", percutaneous approach",
    "intubation": ", via natural or artificial opening",
    "scopy": " endoscopic",
}
APPROACH_NAMED = frozenset(["open", "percutaneous", "endoscopic", "external", "laparoscopic", "arthroscopic"])


def _approach_factor(slots: list[Slot]) -> tuple[str, list]:
    """SQL (and its parameters): the factor of the PCS titles of the approach the query's
    procedure words say (APPROACH_WORDS), unless it names one."""
    typed = {t.word for slot in slots for t in slot.terms}
    named = {t.word for slot in slots for option in (slot.terms, *slot.alternatives) for t in option}
    if typed & APPROACH_NAMED:
        return "", []
    approaches = {approach for ending, approach in APPROACH_WORDS.items() if any(w.endswith(ending) for w in named)}
    return _pcs_titles_factor("lower(e.title)", [f"%{approach}%" for approach in sorted(approaches)], APPROACH_IMPLIED)


SYSTEM_ORDER = ["icd-10-cm", "icd-10-pcs", "hcpcs", "cpt", "ms-drg"]


def system_weights(slots: list[Slot]) -> list[float]:
    """A factor per code set (SYSTEM_ORDER) from the sets the query's words belong to: "injection"
    and "ketorolac" are HCPCS words, "replacement" a PCS word, "fracture" an ICD-10-CM one. The
    mean share of the words (synonyms' words too) over the sets; 1.0 each when nothing is known."""
    words = {t.word for slot in slots for option in (slot.terms, *slot.alternatives) for t in option if not t.prefix}
    shares = [s for s in SearchWord.objects.filter(word__in=words).values_list("systems", flat=True) if s]
    if not shares:
        return [1.0] * len(SYSTEM_ORDER)
    return [round(0.6 + 2.0 * sum(s.get(name, 0.0) for s in shares) / len(shares), 3) for name in SYSTEM_ORDER]


# Pregnancy (O) and newborn (P) codes only lead when the query speaks of them.
_OBSTETRIC_TEXT = "pregnancy pregnant delivery childbirth puerperium puerperal postpartum obstetric fetus fetal newborn neonatal perinatal infant labor labour gestation gestational abortion miscarriage ectopic cesarean"
OBSTETRIC = frozenset(_OBSTETRIC_TEXT.split())

# How many matching rows (in the table's best-first order) are ranked: a common word matches
# tens of thousands of codes, and ranking them all costs hundreds of milliseconds. Rows past the
# cut are never ranked however well their titles read the query, and a synonym alone can match
# thousands ("foley catheter" also reads "drainage device": 3,737 PCS codes). 3,000 against 1,000,
# 3 Dec 2026: tuning MRR .917 to .918 (hcpcs-supply .668 to .701); the results page's p99 +5-10%,
# its mean unchanged (bench/search.py), on both databases.
CANDIDATES = 3000
CANDIDATES_AS_YOU_TYPE = 200
COUNT_LIMIT = 3000

# Each code set's best result leads the page while it scores at least this share of the best
# result: a query that means two things ("flu": influenza and its vaccine; a procedure in PCS
# and CPT) shows the best of each set at the top, whichever set has more matching titles.
LEADING_SHARE = 0.25


def _matching(filters: Filters, *, with_system: bool, columns: str, limit: int) -> tuple[str, list]:
    """A subquery of the first `limit` rows matching the query expression (its first parameter)."""
    where, params = filters.sql(with_system=with_system)
    return dialect().matching(columns, where), [*params, limit]


def word_search(
    slots,
    filters: Filters,
    *,
    every: bool,
    phrases: list[str],
    limit: int,
    offset: int,
    counts: bool,
    as_you_type: bool,
    without: list[str] = (),
):
    """(ranked rows of the page, {system: matches}) for the slots; `without`: the words the query
    says the code is without."""
    expression = dialect().match_expression(slots, every=every)
    reading, reading_params = _reading_factor(phrases, slots)
    sides, side_params = _side_factor(slots)
    negations, negation_params = _without_factor(list(without))
    root_operation, root_operation_params = _root_operation_factor(slots)
    approach, approach_params = _approach_factor(slots)
    body_part, body_part_params = _body_part_factor(slots)
    biopsy, biopsy_params = _biopsy_factor(slots)
    status, status_params = _status_factor(slots)
    not_traumatic, not_traumatic_params = _not_traumatic_factor(slots)
    context = 1.0 if OBSTETRIC & {t.word for slot in slots for t in slot.terms} else 0.6
    # Fewer while typing: a suggestion is asked on every keystroke. Not fewer for a caller that only
    # needs no counts (the API, CasePilot): its answer is the results page's.
    candidates = CANDIDATES_AS_YOU_TYPE if as_you_type else CANDIDATES
    columns = "e.code_id, e.system, e.title, e.extra, e.phrase, e.compact, e.kind, e.billable, e.deleted, "
    title_sql, title_params = dialect().whole_title(slots)
    literal_sql, literal_params = _literal_only(slots)
    columns += f"e.prior, e.path_keys, e.paths, {title_sql} AS whole_title, {literal_sql} AS literal_only"
    inner, inner_params = _matching(filters, with_system=True, columns=columns, limit=candidates)
    # The code's own columns are joined to the page of results only.
    sql = (
        f"SELECT r.code_id, r.score, r.title, r.extra, r.paths, {', '.join('c.' + f for f in CODE_FIELDS)} FROM ("
        "SELECT s.*, CASE WHEN s.nth = 1 AND s.score >= %s * s.best THEN 0 ELSE 1 END AS tier FROM ("
        "SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t.system ORDER BY t.score DESC, t.compact) AS nth, "
        "MAX(t.score) OVER () AS best FROM ("
        f"SELECT e.code_id, e.system, e.title, e.extra, e.paths, e.compact, e.relevance {SCORE_FACTORS} {reading} {sides} {negations}{root_operation}{approach}{body_part}{biopsy}{status}{not_traumatic}* CASE WHEN e.literal_only THEN %s ELSE 1.0 END AS score "
        f"FROM ({inner}) e) t) s "
        "ORDER BY tier, s.score DESC, s.compact LIMIT %s OFFSET %s"
        ") r JOIN codes_code c ON c.id = r.code_id ORDER BY r.tier, r.score DESC, r.compact"
    )
    statements = [
        (
            sql,
            [
                LEADING_SHARE,
                context,
                *system_weights(slots),
                *reading_params,
                *side_params,
                *negation_params,
                *root_operation_params,
                *approach_params,
                *body_part_params,
                *biopsy_params,
                *status_params,
                *not_traumatic_params,
                LITERAL_ONLY,
                *title_params,
                *literal_params,
                expression,
                *inner_params,
                limit,
                offset,
            ],
        )
    ]
    if counts:
        inner, inner_params = _matching(filters, with_system=False, columns="e.system", limit=COUNT_LIMIT)
        statements.append(
            (f"SELECT e.system, COUNT(*) FROM ({inner}) e GROUP BY e.system", [expression, *inner_params])
        )
    results = dialect().run(statements)
    return results[0], dict(results[1]) if counts else {}


# --- why it matched ----------------------------------------------------------------------


def highlight(title: str, terms: list[Term]) -> SafeString:
    out, last = [], 0
    for m in re.finditer(r"[A-Za-z0-9À-ÿ]+", title):
        word = fold(m.group())
        if any(same_word(word, t) for t in terms):
            out.append(escape(title[last : m.start()]))
            out.append(f"<mark>{escape(m.group())}</mark>")
            last = m.end()
    out.append(escape(title[last:]))
    return mark_safe("".join(out))


def explain(title: str, extra: str, slots: list[Slot], paths: str = "") -> str:
    title_words = set(words_of(title))
    if paths and not all(_own_words_in(slot, title_words) for slot in slots):
        # The Alphabetic Index path whose words hold every part of the query, and the words as typed
        # the title lacks, the shortest first ("ulcer stomach" is "Gastric ulcer" by its path).
        missing = [slot for slot in slots if not _own_words_in(slot, title_words)]
        for path in sorted(paths.splitlines(), key=len):
            words = set(words_of(path))
            if all(_slot_in(slot, words) for slot in slots) and all(_own_words_in(s, words) for s in missing):
                return f"Index: {path}"
    reasons, via = [], []
    for slot in slots:
        if all(any(same_word(w, t) for w in title_words) for t in slot.terms):
            continue
        used = [
            label
            for alt, label in zip(slot.alternatives, slot.labels, strict=True)
            if all(any(same_word(w, t) for w in title_words) for t in alt)
        ]
        if used:
            reasons.append(f"synonym: {used[0]}")
        else:
            via += slot.terms
    if via:
        for phrase in extra.split(" | "):
            phrase_words = set(words_of(phrase))
            if phrase and all(any(same_word(w, t) for w in phrase_words) for t in via):
                reasons.append(f"also called: {_shorten(phrase)}")
                break
    if not reasons:
        matched = [t.word for slot in slots for t in slot.terms if any(same_word(w, t) for w in title_words)]
        reasons.append("words: " + ", ".join(matched) if matched else "related terms")
    return "; ".join(reasons)


def _own_words_in(slot: Slot, words: set[str]) -> bool:
    return all(any(same_word(w, t) for w in words) for t in slot.terms)


def _slot_in(slot: Slot, words: set[str]) -> bool:
    """Do the words hold the slot (its own words, or one of its synonyms')?"""
    return any(all(any(same_word(w, t) for w in words) for t in option) for option in (slot.terms, *slot.alternatives))


def _shorten(text: str, length: int = 90) -> str:
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"


def display_titles(codes: list[Code]) -> dict[int, tuple[str, str, str]]:
    """{code id: (title, extra, index paths)} from the index (CPT codes without descriptors show plain text)."""
    rows = SearchEntry.objects.filter(code_id__in=[c.pk for c in codes]).values_list(
        "code_id", "title", "extra", "paths"
    )
    return {code_id: (title, extra, paths) for code_id, title, extra, paths in rows}


def build_results(
    codes: list[Code],
    scores: dict[int, float],
    slots: list[Slot],
    how: str | None,
    texts: dict | None = None,
    exact_ids: frozenset | set = frozenset(),
) -> list[SearchResult]:
    texts = display_titles(codes) if texts is None else texts
    terms = [t for slot in slots for option in (slot.terms, *slot.alternatives) for t in option]
    results = []
    for code in codes:
        title, extra, paths = texts.get(code.pk, ("", "", ""))
        title = code.title or title or code.short_title
        if how:
            matched = "exact code" if code.pk in exact_ids else f"code {how}"
            highlighted = mark_safe(escape(title))
        else:
            matched = explain(title, extra, slots, paths)
            highlighted = highlight(title, terms)
        results.append(SearchResult(code, title, matched, round(scores.get(code.pk, 0.0), 4), highlighted))
    return results
