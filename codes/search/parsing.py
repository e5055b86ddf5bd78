"""Reading a query: pure functions, no database.

What the query's words are (folded, stop words dropped), which of them form one slot with
its synonyms, whether a token looks like a code, and the edit distance misspellings are
corrected by. The database's answers (synonyms, the lexicon) come in through a `Lexicon`,
so all of this is tested with a dictionary standing in for the tables.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Protocol

# PostgreSQL's english stop words (Snowball list): dropped from queries on both databases
# so that SQLite, whose FTS5 keeps them, answers the same.
_STOP_WORDS_TEXT = "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself it its itself they them their theirs themselves what which who whom this that these those am is are was were be been being have has had having do does did doing a an the and but if or because as until while of at by for with about against between into through during before after above below to from up down in out on off over under again further then once here there when where why how all any both each few more most other some such no nor not only own same so than too very s t can will just don should now"
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

MAX_QUERY = 200
_WORD = re.compile(r"[a-z0-9]+")
# The same rule as codes.models.SLASHED_LETTERS (this module stays free of Django).
_SLASHED_LETTERS = re.compile(r"(?<![a-z0-9])([a-z])/([a-z]?)(?![a-z0-9])")
_CODE_TOKEN = re.compile(r"^[A-Za-z0-9]{1,3}[A-Za-z0-9.]{0,7}$")
RANGE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9.]{1,8})\s*(?:-|\u2013|to)\s*([A-Za-z0-9][A-Za-z0-9.]{1,8})\s*$")
# "DRG 470", "CPT 99213", "ICD-10 E11.9": a code named with its system.
SYSTEM_NAMED = re.compile(
    r"^\s*(?P<system>ms-?drg|drg|cpt|hcpcs|icd-?10-?pcs|pcs|icd-?10(?:-?cm)?)\s*(?:code\s*)?#?\s*(?P<code>[A-Za-z0-9.]{1,8})\s*$",
    re.IGNORECASE,
)
MODIFIER = re.compile(r"^\s*(?:modifier|mod|-)\s*-?\s*([A-Za-z0-9]{2})\s*$", re.IGNORECASE)
MODIFIER_WORDS = frozenset(["modifier", "modifiers", "mod"])
# A code set named beside other words ("icd 10 code for hypertension", "sepsis drg", "hcpcs code
# walker"): the words say which set is wanted, they are no words of a title. Two names are also
# something else, so they count only written in full: "ICD" alone is also the defibrillator, "PCS"
# alone postconcussional syndrome ("icd-10-pcs" and "pcs code" name the set).
_CODE_SET_NAMES = {
    "icd-10-pcs": r"icd[- ]?10[- ]?pcs|pcs(?=\s+codes?\b)",
    "icd-10-cm": r"icd[- ]?10(?:[- ]?cm)?",
    "ms-drg": r"ms[- ]?drgs?|drgs?",
    "hcpcs": r"hcpcs(?:\s+level\s+(?:ii|2))?",
    "cpt": r"cpt",
}
_SET_ALTERNATIVES = "|".join(f"(?P<{name.replace('-', '_')}>{pattern})" for name, pattern in _CODE_SET_NAMES.items())
_NAMED_SET = re.compile(rf"\b(?:{_SET_ALTERNATIVES})\b(?:\s+codes?\b)?(?:\s+(?:for|of)\b)?", re.IGNORECASE)
# Laterality as charts write it, read so only beside other words ("rt knee pain", "lt hip fracture"):
# alone, "LT" and "RT" are the HCPCS modifiers coders mean.
LATERALITY = {"rt": "right", "lt": "left", "bil": "bilateral", "bilat": "bilateral", "b/l": "bilateral"}
_NONESSENTIAL = frozenset(["unspecified", "nos"])


def fold(text: str) -> str:
    """Lower case without accents: "Sjögren" -> "sjogren"."""
    if text.isascii():  # nearly every title and query: nothing to decompose
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words_of(text: str) -> list[str]:
    """The words of a text as the search reads them (one-letter shorthand such as "s/p" is one word,
    as in the synonyms: see codes.models.SLASHED_LETTERS)."""
    return _WORD.findall(_SLASHED_LETTERS.sub(r"\1\2", fold(text)))


def named_code_set(query: str) -> tuple[str | None, str]:
    """(the code set a query names, the query without the name), or (None, the query) when it names
    none or nothing else ("cpt" alone is a query of its own)."""
    match = _NAMED_SET.search(query)
    if not match:
        return None, query
    rest = " ".join(f"{query[: match.start()]} {query[match.end() :]}".split())
    if not words_of(rest):
        return None, query
    return match.lastgroup.replace("_", "-"), rest


# "without" and its shorthand ("w/o" reads "wo"): the word after it names what the code must not
# have ("asthma w/o exacerbation" is J45.909, not an exacerbation code).
NEGATORS = frozenset(["without", "wo"])
# What MS-DRG titles say with and without ("WITHOUT CC/MCC", "W/O CDE"): words of the title, not a
# condition the code lacks.
DRG_SEVERITY = frozenset(["cc", "mcc", "cde", "mv"])


def without_words(query: str) -> tuple[str, list[str]]:
    """(the query without the words it negates, those words): "asthma w/o exacerbation" ->
    ("asthma", ["exacerbation"]). A code need not hold a negated word; a title naming it other than
    as "without ..." counts less (ranking). A query that would be left with no word is kept."""
    words = words_of(query)
    kept, negated = [], []
    i = 0
    while i < len(words):
        if words[i] in NEGATORS:
            after = next((j for j in range(i + 1, len(words)) if words[j] not in STOP_WORDS), None)
            if after is not None and words[after] not in DRG_SEVERITY:  # past stop words: "without any ..."
                negated.append(words[after])
                i = after + 1
                continue
        kept.append(words[i])
        i += 1
    if not negated or all(w in STOP_WORDS for w in kept):
        return query, []
    return " ".join(kept), negated


def with_laterality_spelt(query: str) -> str:
    """ "rt knee pain" -> "right knee pain"; a query of one word is left as it is."""
    words = query.split()
    if len(words) < 2:
        return query
    return " ".join(LATERALITY.get(word.lower(), word) for word in words)


def looks_like_code(token: str) -> bool:
    return bool(_CODE_TOKEN.match(token)) and any(ch.isdigit() for ch in token)


def with_placeholder(compact: str) -> list[str]:
    """ICD-10-CM codes typed without their placeholder X's: M4856A -> M4856XA, T401A -> T401XXA,
    T4606S -> T460X6S (the X's go anywhere after the category, before the 7th character)."""
    if not (5 <= len(compact) <= 6 and compact[0].isalpha() and compact[1:3].isdigit()):
        return []
    missing = 7 - len(compact)
    variants = []
    for at in range(3, len(compact)):
        variants.append(compact[:at] + "X" * missing + compact[at:])
        if missing == 2:
            variants += [compact[:at] + "X" + compact[at:b] + "X" + compact[b:] for b in range(at + 1, len(compact))]
    return list(dict.fromkeys(variants))


# What a title says when it says nothing more than its category: the words of the NOS code.
_NOS_PHRASES = re.compile(
    r"\b(?:without complications?|uncomplicated|not elsewhere classified|not otherwise specified|"
    r"site not specified|not specified|unspecified|nos)\b"
)


def title_phrase(text: str) -> str:
    """A title's words without nonessential parts: "Essential (primary) hypertension" -> "essential hypertension",
    "Type 2 diabetes mellitus without complications" -> "type 2 diabetes mellitus"."""
    text = re.sub(r"\([^)]*\)|\[[^]]*\]", " ", fold(text))
    return " ".join(w for w in words_of(_NOS_PHRASES.sub(" ", text)) if w not in _NONESSENTIAL)


def is_default_title(title: str) -> bool:
    """Is this the unspecified (NOS) code of its category, the one an unqualified query means?
    "Pneumonia, unspecified organism", "Type 2 diabetes mellitus without complications"; not
    "... with unspecified complications" (which names an axis the query did not), nor "Other
    specified arthritis, unspecified site" (other is the NEC code, guideline I.A.9)."""
    folded = fold(title)
    if not _NOS_PHRASES.search(folded) or is_other_title(folded):
        return False
    return not re.search(r"\bwith\b(?! ?out)", _NOS_PHRASES.sub(" ", folded))


def is_other_title(title: str) -> bool:
    """Does the title name the residual "other" (NEC) codes ("Other arthritis", "Other specified
    disorders of ...")? Its words without "other", a stop word, would read as the category's."""
    return bool(re.search(r"\bother\b", fold(title)))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, giving up above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def closest_word(word: str, candidates) -> str | None:
    """The candidate (word, count) closest to a misspelt word: fewest edits, then the most frequent."""
    limit = 1 if len(word) <= 4 else 2 if len(word) <= 8 else 3
    best = None
    for candidate, count in candidates:
        if abs(len(candidate) - len(word)) > limit:
            continue
        distance = edit_distance(word, candidate, limit)
        if distance <= limit and (best is None or (distance, -count) < best[0]):
            best = ((distance, -count), candidate)
    return best[1] if best else None


@dataclass
class Term:
    word: str
    prefix: bool = False  # match as the start of a word (a fragment being typed)


@dataclass
class Slot:
    """One part of the query that must match: its own words, or any of its synonyms."""

    terms: list[Term]
    alternatives: list[list[Term]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # per alternative: "heart attack → myocardial infarction"


Spans = dict[tuple[int, int], list[tuple[str, str]]]


class Lexicon(Protocol):
    """What parsing asks the database (codes.search.lexicon answers from the tables)."""

    def synonyms(self, tokens: list[str], *, as_you_type: bool, extra: dict | None = None) -> Spans: ...
    def known(self, words: set[str]) -> set[str]: ...
    def is_prefix(self, fragment: str) -> bool: ...
    def fragments(self, words: set[str]) -> set[str]: ...
    def correct(self, word: str) -> str | None: ...


def grams(tokens: list[str], longest: int = 4) -> dict[str, tuple[int, int]]:
    """Every run of 1-`longest` tokens: {"heart attack": (0, 2), ...}."""
    found = {}
    for n in range(1, longest + 1):
        for start in range(len(tokens) - n + 1):
            found[" ".join(tokens[start : start + n])] = (start, start + n)
    return found


def query_tokens(query: str, *, as_you_type: bool = False) -> list[str]:
    tokens = [w for w in words_of(query) if w not in STOP_WORDS]
    if as_you_type and len(tokens) > 1 and len(tokens[-1]) == 1:
        tokens = tokens[:-1]  # one letter more says little: wait for the next
    return tokens


def stop_word_grams(query: str, tokens: list[str]) -> dict[str, tuple[int, int]]:
    """Runs of 2-4 of the query's words that hold a stop word, as the span of `tokens` (the query
    without its stop words) they cover: "can't sleep" is "can t sleep" over "sleep", "throwing up
    blood" has "throwing up" over "throwing". A synonym's term keeps its stop words ("can t
    sleep" -> insomnia), and without them it may be one word that means something else."""
    words = words_of(query)
    position, at = {}, 0
    for i, word in enumerate(words):
        if word not in STOP_WORDS and at < len(tokens) and word == tokens[at]:
            position[i] = at
            at += 1
    found = {}
    for start in range(len(words)):
        for end in range(start + 2, min(start + 4, len(words)) + 1):
            run = words[start:end]
            covered = [position[i] for i in range(start, end) if i in position]
            if covered and any(w in STOP_WORDS for w in run) and len(covered) == sum(w not in STOP_WORDS for w in run):
                found[" ".join(run)] = (covered[0], covered[-1] + 1)
    return found


def compounds(tokens: list[str], synonyms: Spans, *, as_you_type: bool = False) -> dict[str, tuple[int, int]]:
    """Each pair of neighbouring words outside a synonym written as one word, with the span of the
    pair: {"postnasal": (0, 2)} for "post nasal drip". Not the word being typed."""
    covered = {i for start, end in synonyms for i in range(start, end)}
    last = len(tokens) - 1 if as_you_type else len(tokens)
    found = {}
    for i in range(min(last, len(tokens)) - 1):
        first, second = tokens[i], tokens[i + 1]
        if i in covered or i + 1 in covered or not (first.isalpha() and second.isalpha()):
            continue
        if len(first) >= 2 and len(second) >= 3:
            found.setdefault(first + second, (i, i + 2))
    return found


# The longest word read as a fragment although the lexicon knows it (Lexicon.fragments).
MAX_FRAGMENT = 6


def parse_words(query: str, lexicon: Lexicon, *, as_you_type: bool = False) -> tuple[list[Slot], dict[str, str]]:
    """The query's slots and the corrections made ({typed: corrected})."""
    tokens = query_tokens(query, as_you_type=as_you_type)
    if not tokens:
        return [], {}
    synonyms = lexicon.synonyms(tokens, as_you_type=as_you_type, extra=stop_word_grams(query, tokens))
    joined = compounds(tokens, synonyms, as_you_type=as_you_type)
    known = lexicon.known(set(tokens) | set(joined))
    for word, span in joined.items():
        if word in known:
            # Two words the texts write as one ("post nasal drip": "Postnasal drip").
            synonyms[span] = [(" ".join(tokens[span[0] : span[1]]), word)]
    corrections: dict[str, str] = {}
    fragments: set[str] = set()
    in_synonym = {i for start, end in synonyms for i in range(start, end)}
    # A query of one short word the texts hold a few times, which starts a word they hold far more
    # often, is the start of that word as typed ("diab": a HCPCS short descriptor's, and diabetes').
    short = {w for w in tokens if w in known and len(w) <= MAX_FRAGMENT} if len(tokens) == 1 else set()
    rare = lexicon.fragments(short) if short and not in_synonym and not as_you_type else set()
    for i, word in enumerate(tokens):
        if word in rare:
            fragments.add(word)
            continue
        if i in in_synonym or word in known or word.isdigit() or len(word) < 3:
            continue
        if lexicon.is_prefix(word):
            fragments.add(word)
            continue
        fixed = lexicon.correct(word)
        if fixed:
            corrections[word] = fixed
            tokens[i] = fixed
    if corrections:
        # A misspelt word may be part of a synonym once corrected ("brokn arm" is "broken arm").
        synonyms = lexicon.synonyms(tokens, as_you_type=as_you_type)
    fixed = set(corrections.values())

    def term(word: str, *, last: bool) -> Term:
        if word in fragments:
            return Term(word, prefix=True)
        if (word in known and word not in fixed) or word.isdigit() or len(word) < 3:
            return Term(word, prefix=as_you_type and last and not word.isdigit())
        return Term(word)  # corrected, or unknown

    slots: list[Slot] = []
    i = 0
    while i < len(tokens):
        # The longest synonym starting here wins ("heart attack" before "heart").
        span = max((s for s in synonyms if s[0] == i), key=lambda s: s[1], default=None)
        if span:
            original = tokens[span[0] : span[1]]
            alternatives = [
                [Term(w) for w in replacement.split() if w not in STOP_WORDS] for _, replacement in synonyms[span]
            ]
            labels = [f"{term} → {replacement}" for term, replacement in synonyms[span]]
            if not all(alternatives) and len(tokens) > span[1] - span[0]:
                # A connector ("w/", "c/o", "r/o": stop words only): what it joins is searched.
                i = span[1]
                continue
            last = span[1] == len(tokens)
            slots.append(
                Slot(
                    [Term(w, prefix=as_you_type and last and k == len(original) - 1) for k, w in enumerate(original)],
                    [a for a in alternatives if a],
                    [label for a, label in zip(alternatives, labels, strict=True) if a],
                )
            )
            i = span[1]
        else:
            slots.append(Slot([term(tokens[i], last=i == len(tokens) - 1)]))
            i += 1
    return slots, corrections


# How many readings of the query a title or an index path is compared with (see phrases()).
MAX_PHRASES = 4


# Anatomy's nouns and adjectives by their Latin endings (sacrum/sacral, tibia/tibial, fibula/fibular,
# pelvis/pelvic, thorax/thoracic, cervix/cervical, larynx/laryngeal, humerus/humeral): a title says
# one, a query the other. (Adjectives in -al are not read back as nouns in -us: medial is no medius.)
_BODY_PART_ENDINGS = [
    ("um", "al", True),
    ("a", "al", True),
    ("a", "ar", True),
    ("is", "ic", True),
    ("ax", "acic", True),
    ("ix", "ical", True),
    ("ynx", "yngeal", True),
    ("en", "inal", True),
    ("us", "al", False),
]


def body_part_forms(word: str) -> list[str]:
    """The word's other forms by the endings of anatomy's Latin (the lexicon says which are words)."""
    if len(word) < 5:
        return []
    forms = []
    for noun, adjective, both_ways in _BODY_PART_ENDINGS:
        if word.endswith(noun):
            forms.append(word[: -len(noun)] + adjective)
        if both_ways and word.endswith(adjective) and len(word) - len(adjective) >= 3:
            forms.append(word[: -len(adjective)] + noun)
    return [f for f in dict.fromkeys(forms) if f != word]


def with_body_part_forms(slots: list[Slot], lexicon: Lexicon) -> list[Slot]:
    """The slots, each one-word slot with the other forms of its word the lexicon knows as
    alternatives ("pressure ulcer of sacrum" is also "... sacral")."""
    forms = {slot.terms[0].word: body_part_forms(slot.terms[0].word) for slot in slots if len(slot.terms) == 1}
    known = lexicon.known({f for found in forms.values() for f in found})
    out = []
    for slot in slots:
        other = [f for f in forms.get(slot.terms[0].word, []) if f in known] if len(slot.terms) == 1 else []
        labels = [f"{slot.terms[0].word} → {f}" for f in other]
        out.append(Slot(slot.terms, [*slot.alternatives, *([Term(f)] for f in other)], [*slot.labels, *labels]))
    return out


def phrases(query: str, slots: list[Slot]) -> list[str]:
    """What a title or an index path could read for the query: its words as read (corrected:
    "hypertention" is "hypertension"), then with synonyms in place of a slot's words ("breast ca"
    -> "breast malignant neoplasm", "hip fx" -> "hip fracture"), the query's own words first."""
    first = title_phrase(" ".join(t.word for slot in slots for t in slot.terms)) or title_phrase(query)
    found = [first]
    options = [[" ".join(t.word for t in option) for option in (slot.terms, *slot.alternatives)] for slot in slots]
    for reading in itertools.product(*options):
        phrase = title_phrase(" ".join(reading))
        if phrase and phrase not in found:
            found.append(phrase)
        if len(found) == MAX_PHRASES:
            break
    return found


# Endings a word key leaves off, so that a query's word and an index path's are one whatever their
# form: hypertension/hypertensive, diabetes/diabetic, infection/infected/infective, fracture/fractured.
_ENDINGS = ("ically", "ations", "ation", "ative", "ions", "ion", "ive", "ical", "ic", "ies", "es", "ed", "ing", "s")


def _stem(word: str) -> str:
    """The word without its ending (_ENDINGS) and a final e, where four letters are left."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            word = word[: -len(ending)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def word_key(text: str) -> str:
    """The words of a text as a set, in a fixed order: how a query is matched to an index path
    whatever the order it is typed in ("duodenal ulcer" and "ulcer, duodenal" are one key)."""
    words = {_stem(w) for w in words_of(text) if w not in STOP_WORDS and w not in _NONESSENTIAL}
    return " ".join(sorted(words))


def boolean(slots: list[Slot], *, every: bool, fmt, and_: str, or_: str) -> str:
    """The slots as a boolean match expression in a dialect's syntax (its term format and operators)."""
    parts = []
    for slot in slots:
        options = [slot.terms, *slot.alternatives]
        rendered = ["(" + f" {and_} ".join(fmt(t) for t in option) + ")" for option in options if option]
        parts.append("(" + f" {or_} ".join(rendered) + ")")
    return f" {and_ if every else or_} ".join(parts)


# --- why it matched ----------------------------------------------------------------------


def same_word(text_word: str, term: Term) -> bool:
    """Does a word of a title match a query term? (close to what stemming does)"""
    q = term.word
    if text_word == q or (term.prefix and text_word.startswith(q)):
        return True
    shared = len(q) if text_word.startswith(q) else len(_common_prefix(text_word, q))
    return shared >= 4 and shared >= min(len(text_word), len(q)) - 3


def _common_prefix(a: str, b: str) -> str:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]
