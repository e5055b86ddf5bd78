"""Case2Code: find codes from what a coder types.

    from codes.search import search
    found = search("heart attack", system="icd-10-cm", billable=True, limit=10)
    for r in found.results:
        print(r.system, r.code, r.title, r.matched, r.score)
    found.counts        # {"icd-10-cm": 74, ...}: matches per system (before the system filter)
    found.suggestion    # "pneumonia" when the query was corrected ("did you mean")

A query is read in this order:
1. Codes in any form: exact (`M48.56XA`, `m4856xa`, without the placeholder X `M4856A`),
   partial (`E11.2` and its codes), ranges (`J1100-J1200`, `E11.2-`), modifiers (`mod 25`).
2. Words: stop words dropped, text synonyms from the `Synonym` table added as
   alternatives ("heart attack" OR "myocardial infarction"), unknown words completed as
   prefixes (as you type) or corrected against the lexicon (`pnuemonia` -> pneumonia).
   Every word must match; if nothing does, any word may.

The index (`SearchEntry`, the PostgreSQL tsvector or the SQLite FTS5 table, and the
`SearchWord` lexicon) is built by `build_index()`, which the importers call; nothing is
indexed at query time.
"""

from __future__ import annotations

import contextlib
import datetime
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import (
    BROWSE_KINDS,
    Code,
    Kind,
    PlainDescription,
    SearchEntry,
    SearchWord,
    Synonym,
    System,
    compact_code,
)

# PostgreSQL's english stop words (Snowball list): dropped from queries on both databases
# so that SQLite, whose FTS5 keeps them, answers the same.
STOP_WORDS = frozenset(
    [
        "i",
        "me",
        "my",
        "myself",
        "we",
        "our",
        "ours",
        "ourselves",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "he",
        "him",
        "his",
        "himself",
        "she",
        "her",
        "hers",
        "herself",
        "it",
        "its",
        "itself",
        "they",
        "them",
        "their",
        "theirs",
        "themselves",
        "what",
        "which",
        "who",
        "whom",
        "this",
        "that",
        "these",
        "those",
        "am",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "having",
        "do",
        "does",
        "did",
        "doing",
        "a",
        "an",
        "the",
        "and",
        "but",
        "if",
        "or",
        "because",
        "as",
        "until",
        "while",
        "of",
        "at",
        "by",
        "for",
        "with",
        "about",
        "against",
        "between",
        "into",
        "through",
        "during",
        "before",
        "after",
        "above",
        "below",
        "to",
        "from",
        "up",
        "down",
        "in",
        "out",
        "on",
        "off",
        "over",
        "under",
        "again",
        "further",
        "then",
        "once",
        "here",
        "there",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "both",
        "each",
        "few",
        "more",
        "most",
        "other",
        "some",
        "such",
        "no",
        "nor",
        "not",
        "only",
        "own",
        "same",
        "so",
        "than",
        "too",
        "very",
        "s",
        "t",
        "can",
        "will",
        "just",
        "don",
        "should",
        "now",
    ]
)

MAX_QUERY = 200
SYSTEMS = [s.value for s in System]
_WORD = re.compile(r"[a-z0-9]+")
_CODE_TOKEN = re.compile(r"^[A-Za-z0-9]{1,3}[A-Za-z0-9.]{0,7}$")
_RANGE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9.]{1,8})\s*(?:-|\u2013|to)\s*([A-Za-z0-9][A-Za-z0-9.]{1,8})\s*$")
# "DRG 470", "CPT 99213", "ICD-10 E11.9": a code named with its system.
_SYSTEM_NAMED = re.compile(
    r"^\s*(?P<system>ms-?drg|drg|cpt|hcpcs|icd-?10-?pcs|pcs|icd-?10(?:-?cm)?)\s*(?:code\s*)?#?\s*(?P<code>[A-Za-z0-9.]{1,8})\s*$",
    re.IGNORECASE,
)
_MODIFIER = re.compile(r"^\s*(?:modifier|mod|-)\s*-?\s*([A-Za-z0-9]{2})\s*$", re.IGNORECASE)


# --- results -----------------------------------------------------------------------------


@dataclass
class SearchResult:
    code: Code
    title: str
    matched: str
    score: float
    highlighted: SafeString = field(default_factory=lambda: mark_safe(""))

    @property
    def system(self) -> str:
        return self.code.system

    @property
    def code_str(self) -> str:
        return self.code.code

    @property
    def billable(self) -> bool:
        return self.code.billable

    @property
    def url(self) -> str:
        return self.code.get_absolute_url()

    def as_dict(self, site_root: str = "") -> dict:
        return {
            "system": self.code.system,
            "code": self.code.code,
            "title": self.title,
            "billable": self.code.billable,
            "url": site_root + self.url,
            "matched": self.matched,
        }


@dataclass
class SearchResults:
    query: str
    results: list[SearchResult] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # per system, before the system filter
    total: int = 0  # matches under the filters (for pagination)
    suggestion: str | None = None  # "did you mean": the corrected query
    exact: Code | None = None  # the one code the query names exactly, if any
    kind: str = "words"  # "code", "words", "any-word" (no result had every word) or "none"
    also_code: Code | None = None  # a code spelt like a word query ("DM2"), offered beside the words
    capped: bool = False  # so many matches that the counts stopped at COUNT_LIMIT

    def __iter__(self):
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)


# --- query parsing -----------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case without accents: "Sjögren" -> "sjogren"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words_of(text: str) -> list[str]:
    return _WORD.findall(_fold(text))


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


def _text_synonyms(tokens: list[str], *, as_you_type: bool = False) -> dict[tuple[int, int], list[tuple[str, str]]]:
    """Text synonyms for every run of 1-4 query words: {(start, end): [(term, replacement), ...]}.
    As you type, the words that end the query may also be the start of a term ("heart att")."""
    grams = {}
    for n in range(1, 5):
        for start in range(len(tokens) - n + 1):
            grams[" ".join(tokens[start : start + n])] = (start, start + n)
    wanted = Q(term__in=list(grams))
    ending = [g for g, span in grams.items() if span[1] == len(tokens)]
    if as_you_type and len(tokens[-1]) >= 2:
        for gram in ending:
            # LIKE 'x%' (text_pattern_ops index) on PostgreSQL; a range on SQLite's binary index.
            starts = (
                Q(term__startswith=gram) if connection.vendor == "postgresql" else Q(term__gt=gram, term__lt=gram + "~")
            )
            # Only the curated and editors' terms complete as you type: they are what people abbreviate.
            wanted |= starts & Q(source__in=_TYPED_SOURCES)
    found: dict[tuple[int, int], list[tuple[str, str]]] = {}
    completions = 0
    rows = Synonym.objects.filter(wanted, replacement__gt="").order_by("term").values_list("term", "replacement")
    for term, replacement in rows[:50]:
        if term in grams:
            span = grams[term]
        elif completions < 6:
            completions += 1
            span = max((grams[g] for g in ending if term.startswith(g)), key=lambda s: s[1] - s[0])
        else:
            continue
        found.setdefault(span, []).append((term, replacement))
    return found


_TYPED_SOURCES = [Synonym.Source.CURATED, Synonym.Source.EDITOR]


def _is_abbreviation(query: str) -> bool:
    """Is the whole query a curated or editor's text synonym (an abbreviation like DM2)?"""
    term = " ".join(words_of(query))
    return Synonym.objects.filter(term=term, replacement__gt="", source__in=_TYPED_SOURCES).exists()


def _known_words(words: set[str]) -> set[str]:
    if not words:
        return set()
    return set(SearchWord.objects.filter(word__in=words).values_list("word", flat=True))


def _is_prefix(fragment: str) -> bool:
    if connection.vendor == "postgresql":
        rows = SearchWord.objects.filter(word__startswith=fragment)
    else:  # a range uses SQLite's index on `word`; LIKE would not (it is case-insensitive)
        rows = SearchWord.objects.filter(word__gt=fragment, word__lt=fragment + "~")
    return rows.exists()


def _edit_distance(a: str, b: str, limit: int) -> int:
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


def correct_word(word: str) -> str | None:
    """The lexicon word closest to a misspelt one (fewest edits, then the most frequent)."""
    limit = 1 if len(word) <= 4 else 2 if len(word) <= 8 else 3

    def closest(candidates) -> str | None:
        best = None
        for candidate, count in candidates:
            if abs(len(candidate) - len(word)) > limit:
                continue
            distance = _edit_distance(word, candidate, limit)
            if distance <= limit and (best is None or (distance, -count) < best[0]):
                best = ((distance, -count), candidate)
        return best[1] if best else None

    if connection.vendor == "postgresql":
        # Trigram candidates over short words (fast with the GIN index); see PERFORMANCE.md.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word, count FROM codes_searchword WHERE word %% %s ORDER BY similarity(word, %s) DESC LIMIT 30",
                [word, word],
            )
            return closest(cursor.fetchall())
    # SQLite: words sharing the first two letters (else the first one); the edit distance
    # decides. Misspellings rarely touch the start of a word.
    for start in (word[:2], word[:1]):
        found = closest(SearchWord.objects.filter(word__gte=start, word__lt=start + "~").values_list("word", "count"))
        if found:
            return found
    return None


def parse_words(query: str, *, as_you_type: bool = False) -> tuple[list[Slot], dict[str, str]]:
    """The query's slots and the corrections made ({typed: corrected})."""
    tokens = [w for w in words_of(query) if w not in STOP_WORDS]
    if as_you_type and len(tokens) > 1 and len(tokens[-1]) == 1:
        tokens = tokens[:-1]  # one letter more says little: wait for the next
    if not tokens:
        return [], {}
    synonyms = _text_synonyms(tokens, as_you_type=as_you_type)
    known = _known_words(set(tokens))
    corrections: dict[str, str] = {}

    def term(word: str, *, last: bool) -> Term:
        if word in known or word.isdigit() or len(word) < 3:
            return Term(word, prefix=as_you_type and last and not word.isdigit())
        if _is_prefix(word):
            return Term(word, prefix=True)
        fixed = correct_word(word)
        if fixed:
            corrections[word] = fixed
            return Term(fixed)
        return Term(word)

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


# --- engine-specific query strings -------------------------------------------------------


def _pg_term(t: Term) -> str:
    return f"{t.word}:*" if t.prefix else t.word


def _fts_term(t: Term) -> str:
    return f'"{t.word}"*' if t.prefix else f'"{t.word}"'


def _boolean(slots: list[Slot], *, every: bool, fmt, and_: str, or_: str) -> str:
    parts = []
    for slot in slots:
        options = [slot.terms, *slot.alternatives]
        rendered = ["(" + f" {and_} ".join(fmt(t) for t in option) + ")" for option in options if option]
        parts.append("(" + f" {or_} ".join(rendered) + ")")
    return f" {and_ if every else or_} ".join(parts)


def _match_expression(slots: list[Slot], *, every: bool) -> str:
    if connection.vendor == "postgresql":
        return _boolean(slots, every=every, fmt=_pg_term, and_="&", or_="|")
    return _boolean(slots, every=every, fmt=_fts_term, and_="AND", or_="OR")


# --- filters -----------------------------------------------------------------------------


@dataclass
class Filters:
    system: str | None = None
    billable: bool | None = None
    include_deleted: bool = False
    as_of: datetime.date | None = None
    kind: str | None = None  # "modifier" when the query asks for one ("left side modifier")

    def sql(self, *, with_system: bool = True) -> tuple[str, list]:
        """WHERE conditions on `e` (codes_searchentry, which copies the code's columns)."""
        where, params = [], []
        # On SQLite, "+e.system" keeps the planner from starting at the system index and
        # running the FTS MATCH once per row of that system (seconds instead of milliseconds).
        col = "+e." if connection.vendor == "sqlite" else "e."
        if with_system and self.system:
            where.append(f"{col}system = %s")
            params.append(self.system)
        if self.billable is not None:
            where.append(f"{col}billable = %s")
            params.append(self.billable)
        if self.kind:
            where.append(f"{col}kind = %s")
            params.append(self.kind)
        if self.as_of:
            # A code valid on that date: in effect by then and not yet terminated.
            where.append("(e.effective_date IS NULL OR e.effective_date <= %s)")
            where.append("(e.termination_date IS NULL OR e.termination_date >= %s)")
            params += [self.as_of, self.as_of]
            if not self.include_deleted:
                where.append("(e.deleted = %s OR e.termination_date IS NOT NULL)")
                params.append(False)
        elif not self.include_deleted:
            where.append("e.deleted = %s")
            params.append(False)
        return (" AND ".join(where) or "1 = 1"), params

    def queryset(self, rows, *, with_system: bool = True):
        if with_system and self.system:
            rows = rows.filter(system=self.system)
        if self.billable is not None:
            rows = rows.filter(billable=self.billable)
        if self.as_of:
            rows = rows.filter(Q(effective_date__isnull=True) | Q(effective_date__lte=self.as_of))
            rows = rows.filter(Q(termination_date__isnull=True) | Q(termination_date__gte=self.as_of))
            if not self.include_deleted:
                rows = rows.filter(Q(deleted=False) | Q(termination_date__isnull=False))
        elif not self.include_deleted:
            rows = rows.filter(deleted=False)
        return rows


# --- codes in any form -------------------------------------------------------------------


def _with_placeholder(compact: str) -> list[str]:
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


def _looks_like_code(token: str) -> bool:
    return bool(_CODE_TOKEN.match(token)) and any(ch.isdigit() for ch in token)


def _all_systems(rows):
    # The (system, compact) index only serves lookups that name the systems.
    return rows.filter(system__in=SYSTEMS)


def code_matches(query: str, filters: Filters):
    """(exact codes, a queryset of the other codes it names, how) for a query that names codes;
    None for a word query."""
    text = query.strip()
    pages = filters.queryset(Code.objects.only(*_CODE_FIELDS))
    none = pages.none()
    modifier = _MODIFIER.match(text)
    if modifier:
        exact = list(_all_systems(pages).filter(kind=Kind.MODIFIER, compact=modifier.group(1).upper()))
        return exact, none, "modifier"
    named = _SYSTEM_NAMED.match(text)
    if named and _looks_like_code(named.group("code")):
        name = named.group("system").lower().replace("-", "")
        system = {"msdrg": "ms-drg", "drg": "ms-drg", "cpt": "cpt", "hcpcs": "hcpcs", "icd10pcs": "icd-10-pcs"}.get(
            name, "icd-10-pcs" if name == "pcs" else "icd-10-cm"
        )
        compact = compact_code(named.group("code"))
        if system == "ms-drg":
            compact = compact.zfill(3)
        exact = list(pages.filter(system=system, compact__in=[compact, *_with_placeholder(compact)]))
        others = pages.filter(system=system, compact__startswith=compact).exclude(pk__in=[c.pk for c in exact])
        return exact, others.exclude(kind__in=BROWSE_KINDS).order_by("compact"), "code"
    span = _RANGE.match(text)
    if span and _looks_like_code(span.group(1)) and _looks_like_code(span.group(2)):
        low, high = compact_code(span.group(1)), compact_code(span.group(2))
        if low > high:
            low, high = high, low
        rows = _all_systems(pages).filter(Q(compact__gte=low, compact__lte=high) | Q(compact__startswith=high))
        rows = rows.exclude(kind__in=BROWSE_KINDS).filter(compact__gte=low[:1], compact__lt=low[:1] + "~")
        return [], rows.order_by("system", "compact"), "range"
    tokens = text.split()
    if len(tokens) == 1 and text.endswith("-") and _looks_like_code(text[:-1]):
        rows = _all_systems(pages).filter(compact__startswith=compact_code(text))
        return [], rows.exclude(kind__in=BROWSE_KINDS).order_by("system", "compact"), "prefix"
    if tokens and all(_looks_like_code(t) for t in tokens):
        compacts = [compact_code(t) for t in tokens]
        wanted = set(compacts)
        for c in compacts:
            wanted.update(_with_placeholder(c))
        exact = list(_all_systems(pages).filter(compact__in=wanted).order_by("system", "compact"))
        if len(tokens) > 1:
            return exact, none, "codes"
        prefix = _all_systems(pages).filter(compact__startswith=compacts[0]).exclude(pk__in=[c.pk for c in exact])
        return exact, prefix.exclude(kind__in=BROWSE_KINDS).order_by("system", "compact"), "code"
    if len(tokens) == 1 and len(text) == 2 and text.isalpha():
        # Two letters are most likely a modifier (LT, GA); words still get searched too.
        exact = list(_all_systems(pages).filter(kind=Kind.MODIFIER, compact=text.upper()))
        return (exact, none, "modifier") if exact else None
    return None


# --- word search -------------------------------------------------------------------------


def title_phrase(text: str) -> str:
    """A title's words without nonessential parts: "Essential (primary) hypertension" -> "essential hypertension"."""
    text = re.sub(r"\([^)]*\)|\[[^]]*\]", " ", text)
    return " ".join(w for w in words_of(text) if w not in _NONESSENTIAL)


_NONESSENTIAL = frozenset(["unspecified", "nos"])


def _phrases(query: str, slots: list[Slot]) -> list[str]:
    """What a title could read for the query: its words, or a synonym's words for a one-part query."""
    phrases = [title_phrase(query)]
    if len(slots) == 1 and slots[0].labels:
        phrases.append(" ".join(t.word for t in slots[0].alternatives[0]))
    return (phrases + phrases)[:2]


# Headers and browse nodes rank below billable codes; deleted codes below current ones; a
# title that is the query (or starts with it), and the "unspecified" default code, above others.
_SCORE_FACTORS = """
    * 40.0 / (40 + length(e.phrase))
    * CASE WHEN e.system = 'icd-10-cm' AND (e.compact LIKE 'O%%' OR e.compact LIKE 'P%%') THEN %s ELSE 1.0 END
    * CASE WHEN e.billable THEN 1.0 WHEN e.kind IN ('chapter', 'section', 'body_system', 'mdc') THEN 0.3 ELSE 0.55 END
    * CASE WHEN e.deleted THEN 0.5 ELSE 1.0 END
    * CASE WHEN e.system = 'icd-10-cm' AND e.compact LIKE '______A' THEN 1.1 ELSE 1.0 END
    * CASE WHEN e.title LIKE '%%unspecified%%' OR e.title LIKE '%%not specified%%' OR e.title LIKE '%%uncomplicated%%'
           OR e.title LIKE '%%without complication%%' THEN 1.15 ELSE 1.0 END
    * CASE WHEN e.phrase IN (%s, %s) THEN 2.5 WHEN e.phrase LIKE %s OR e.phrase LIKE %s THEN 1.8
           WHEN e.phrase LIKE %s OR e.phrase LIKE %s THEN 1.3 ELSE 1.0 END
"""

_OBSTETRIC = frozenset(
    [
        "pregnancy",
        "pregnant",
        "delivery",
        "childbirth",
        "puerperium",
        "puerperal",
        "postpartum",
        "obstetric",
        "fetus",
        "fetal",
        "newborn",
        "neonatal",
        "perinatal",
        "infant",
        "labor",
        "labour",
        "gestation",
        "gestational",
        "abortion",
        "miscarriage",
        "ectopic",
        "cesarean",
    ]
)

# Columns of codes_code a result needs (its link, badges and title).
_CODE_FIELDS = ["system", "code", "kind", "title", "short_title", "billable", "deleted", "termination_date"]

# How many matching rows (in the table's best-first order) are ranked: a common word matches
# tens of thousands of codes, and ranking them all costs hundreds of milliseconds.
CANDIDATES = 1000
CANDIDATES_AS_YOU_TYPE = 200
COUNT_LIMIT = 2000


def _matching(filters: Filters, *, with_system: bool, columns: str, limit: int) -> tuple[str, list]:
    """A subquery of the first `limit` rows matching the query expression (its first parameter)."""
    where, params = filters.sql(with_system=with_system)
    if connection.vendor == "postgresql":
        sql = (
            # No length normalisation: a long plain-language text must not sink its code; the
            # title's length is weighed in _SCORE_FACTORS instead (the same on both databases).
            f"SELECT {columns}, ts_rank('{{0.1, 0.2, 0.3, 1.0}}', e.vector, q.query, 0) AS relevance "
            "FROM codes_searchentry e, to_tsquery('english', %s) q(query) "
            f"WHERE e.vector @@ q.query AND {where} LIMIT %s"
        )
    else:
        sql = (
            f"SELECT {columns}, -bm25(codes_search_fts, 10.0, 3.0) AS relevance "
            "FROM codes_search_fts JOIN codes_searchentry e ON e.id = codes_search_fts.rowid "
            f"WHERE codes_search_fts MATCH %s AND {where} LIMIT %s"
        )
    return sql, [*params, limit]


def _word_search(slots, filters: Filters, *, every: bool, phrases: list[str], limit: int, offset: int, counts: bool):
    expression = _match_expression(slots, every=every)
    like = [*phrases, *(f"{p}%" for p in phrases), *(f"%{p}%" for p in phrases)]
    # Pregnancy (O) and newborn (P) codes only lead when the query speaks of them.
    context = 1.0 if _OBSTETRIC & {t.word for slot in slots for t in slot.terms} else 0.6
    candidates = CANDIDATES if counts else CANDIDATES_AS_YOU_TYPE
    columns = "e.code_id, e.system, e.title, e.extra, e.phrase, e.compact, e.kind, e.billable, e.deleted"
    inner, inner_params = _matching(filters, with_system=True, columns=columns, limit=candidates)
    # The code's own columns are joined to the page of results only.
    sql = (
        f"SELECT r.code_id, r.score, r.title, r.extra, {', '.join('c.' + f for f in _CODE_FIELDS)} FROM ("
        f"SELECT e.code_id, e.title, e.extra, e.compact, e.relevance {_SCORE_FACTORS} AS score FROM ({inner}) e "
        "ORDER BY score DESC, e.compact LIMIT %s OFFSET %s"
        ") r JOIN codes_code c ON c.id = r.code_id ORDER BY r.score DESC, r.compact"
    )
    statements = [(sql, [context, *like, expression, *inner_params, limit, offset])]
    if counts:
        inner, inner_params = _matching(filters, with_system=False, columns="e.system", limit=COUNT_LIMIT)
        statements.append(
            (f"SELECT e.system, COUNT(*) FROM ({inner}) e GROUP BY e.system", [expression, *inner_params])
        )
    results = _run(statements)
    return results[0], dict(results[1]) if counts else {}


def _run(statements: list[tuple[str, list]]) -> list[list[tuple]]:
    """Rows of each statement. On PostgreSQL they go in one round trip after
    `SET LOCAL enable_seqscan = off`: a common word is in 20,000 documents, so with a LIMIT the
    planner expects a sequential scan to find the first rows at once; but the table is in
    rank order, not word order, and such a scan reads most of it. The GIN index stops after
    the first rows instead. (Several statements in one simple query form one transaction,
    so SET LOCAL holds for them.)"""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            out = []
            for sql, params in statements:
                cursor.execute(sql, params)
                out.append(cursor.fetchall())
            return out
        composed = [connection.ops.compose_sql(sql, params) for sql, params in statements]
        cursor.execute("; ".join(["SET LOCAL enable_seqscan = off", *composed]))
        out = []
        for _ in composed:
            cursor.nextset()
            out.append(cursor.fetchall())
        return out


# --- why it matched ----------------------------------------------------------------------


def _same_word(text_word: str, term: Term) -> bool:
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


def _highlight(title: str, terms: list[Term]) -> SafeString:
    out, last = [], 0
    for m in re.finditer(r"[A-Za-z0-9À-ÿ]+", title):
        word = _fold(m.group())
        if any(_same_word(word, t) for t in terms):
            out.append(escape(title[last : m.start()]))
            out.append(f"<mark>{escape(m.group())}</mark>")
            last = m.end()
    out.append(escape(title[last:]))
    return mark_safe("".join(out))


def _explain(title: str, extra: str, slots: list[Slot]) -> str:
    title_words = set(words_of(title))
    reasons, via = [], []
    for slot in slots:
        if all(any(_same_word(w, t) for w in title_words) for t in slot.terms):
            continue
        used = [
            label
            for alt, label in zip(slot.alternatives, slot.labels, strict=True)
            if all(any(_same_word(w, t) for w in title_words) for t in alt)
        ]
        if used:
            reasons.append(f"synonym: {used[0]}")
        else:
            via += slot.terms
    if via:
        for phrase in extra.split(" | "):
            phrase_words = set(words_of(phrase))
            if phrase and all(any(_same_word(w, t) for w in phrase_words) for t in via):
                reasons.append(f"also called: {_shorten(phrase)}")
                break
    if not reasons:
        matched = [t.word for slot in slots for t in slot.terms if any(_same_word(w, t) for w in title_words)]
        reasons.append("words: " + ", ".join(matched) if matched else "related terms")
    return "; ".join(reasons)


def _shorten(text: str, length: int = 90) -> str:
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"


def _display_titles(codes: list[Code]) -> dict[int, tuple[str, str]]:
    """{code id: (title, extra)} from the index (CPT codes without descriptors show plain text)."""
    rows = SearchEntry.objects.filter(code_id__in=[c.pk for c in codes]).values_list("code_id", "title", "extra")
    return {code_id: (title, extra) for code_id, title, extra in rows}


def _results(
    codes: list[Code],
    scores: dict[int, float],
    slots: list[Slot],
    how: str | None,
    texts: dict | None = None,
    exact_ids: frozenset | set = frozenset(),
) -> list[SearchResult]:
    texts = _display_titles(codes) if texts is None else texts
    terms = [t for slot in slots for option in (slot.terms, *slot.alternatives) for t in option]
    results = []
    for code in codes:
        title, extra = texts.get(code.pk, ("", ""))
        title = code.title or title or code.short_title
        if how:
            matched = "exact code" if code.pk in exact_ids else f"code {how}"
            highlighted = mark_safe(escape(title))
        else:
            matched = _explain(title, extra, slots)
            highlighted = _highlight(title, terms)
        results.append(SearchResult(code, title, matched, round(scores.get(code.pk, 0.0), 4), highlighted))
    return results


# --- the entry point ---------------------------------------------------------------------


def search(
    query: str,
    *,
    system: str | None = None,
    billable: bool | None = None,
    include_deleted: bool = False,
    as_of: datetime.date | None = None,
    limit: int = 20,
    offset: int = 0,
    as_you_type: bool = False,
    counts: bool = True,
) -> SearchResults:
    """Codes for a query, best first. `as_you_type` reads the last word as a fragment;
    `counts=False` skips the per-system counts (suggestions)."""
    query = (query or "").strip()[:MAX_QUERY]
    found = SearchResults(query=query)
    if system not in SYSTEMS:
        system = None
    limit, offset = max(0, min(limit, 100)), max(0, offset)
    filters = Filters(system=system, billable=billable, include_deleted=include_deleted, as_of=as_of)
    if not query:
        found.kind = "none"
        return found

    by_code = code_matches(query, filters)
    if by_code and by_code[0] and by_code[2] in ("code", "modifier") and _is_abbreviation(query):
        # "DM2" is a PCS table and an abbreviation coders use far more: words first, the code offered.
        found.also_code = by_code[0][0]
        by_code = None
    if by_code:
        exact, others, how = by_code
        # The code spelt exactly as typed wins over one that only shares its letters (J1100, J11.00).
        exact.sort(key=lambda c: c.code.upper() != query.upper())
        exact_in = [c for c in exact if not system or c.system == system]
        others_in = others.filter(system=system) if system else others
        skip = max(0, offset - len(exact_in))
        page = exact_in[offset : offset + limit]
        page += list(others_in[skip : skip + limit - len(page)])
        if exact or page:
            found.kind = "code"
            spelt = [c for c in exact if c.code.upper() == query.upper()]
            found.exact = exact[0] if len(exact) == 1 else spelt[0] if len(spelt) == 1 else None
            if counts:
                found.counts = dict(Counter(c.system for c in exact))
                for name, n in others.order_by().values_list("system").annotate(n=Count("pk")):
                    found.counts[name] = found.counts.get(name, 0) + n
                found.total = len(exact_in) + (others_in.count() if system else sum(found.counts.values()) - len(exact))
            else:
                found.total = len(page)
            exact_ids = {c.pk for c in exact}
            found.results = _results(page, dict.fromkeys([c.pk for c in page], 1.0), [], how, exact_ids=exact_ids)
            return found

    words = query.split()
    if len(words) > 1 and {w.lower() for w in words} & {"modifier", "modifiers", "mod"}:
        # "left side modifier": the word names the kind of code wanted, not a word of its title.
        query_words = " ".join(w for w in words if w.lower() not in {"modifier", "modifiers", "mod"})
        filters.kind = Kind.MODIFIER
    else:
        query_words = query
    slots, corrections = parse_words(query_words, as_you_type=as_you_type)
    if not slots:
        found.kind = "none"
        return found
    phrases = _phrases(query_words, slots)
    ranked, per_system = _word_search(
        slots, filters, every=True, phrases=phrases, limit=limit, offset=offset, counts=counts
    )
    found.kind = "words"
    if not ranked and len(slots) > 1:
        ranked, per_system = _word_search(
            slots, filters, every=False, phrases=phrases, limit=limit, offset=offset, counts=counts
        )
        found.kind = "any-word"
    if corrections:
        found.suggestion = " ".join(corrections.get(w, w) for w in words_of(query))
    found.counts = per_system
    found.capped = sum(per_system.values()) >= COUNT_LIMIT
    # Pages reach as far as the ranked candidates go.
    found.total = min(sum(per_system.get(s, 0) for s in ([system] if system else SYSTEMS)), CANDIDATES)
    if not counts:
        found.total = len(ranked)
    codes = [Code(pk=row[0], **dict(zip(_CODE_FIELDS, row[4:], strict=True))) for row in ranked]
    texts = {row[0]: (row[2], row[3]) for row in ranked}
    found.results = _results(codes, {row[0]: row[1] for row in ranked}, slots, None, texts)
    if not found.results:
        found.kind = "none"
    return found


# --- building the index ------------------------------------------------------------------


def _documents():
    """A SearchEntry (unsaved) for every code that has words, best first: current billable
    codes, then headers, then browse nodes, deleted codes last; shorter titles first."""
    plain = {
        (system, code): text
        for system, code, text in PlainDescription.objects.filter(status=PlainDescription.Status.PUBLISHED).values_list(
            "system", "code", "text"
        )
    }
    names: dict[tuple[str, str], list[str]] = {}
    for system, code, term in Synonym.objects.exclude(code="").values_list("system", "code", "term"):
        names.setdefault((system, code), []).append(term)
    fields = ["pk", "system", "code", "compact", "kind", "title", "short_title", "billable", "deleted"]
    fields += ["effective_date", "termination_date"]
    entries = []
    for row in Code.objects.values_list(*fields).iterator(chunk_size=10000):
        pk, system, code, compact, kind, title, short_title, billable, deleted, effective, terminated = row
        extra = []
        if short_title and short_title.lower() != title.lower():
            extra.append(short_title)
        if (system, code) in plain:
            if title:
                extra.append(plain[system, code])
            else:
                title = plain[system, code]  # CPT without licensed descriptors: our own words lead
        extra += names.get((system, code), [])
        if not (title or extra):
            continue
        entries.append(
            SearchEntry(
                code_id=pk,
                system=system,
                title=title,
                extra=" | ".join(dict.fromkeys(extra)),
                phrase=title_phrase(title)[:500],
                compact=compact,
                kind=kind,
                billable=billable,
                deleted=deleted,
                effective_date=effective,
                termination_date=terminated,
            )
        )
    entries.sort(key=lambda e: (e.deleted, not e.billable, e.kind in BROWSE_KINDS, len(e.title), e.compact))
    return entries


_PG_INSERT = """
    INSERT INTO codes_searchentry (code_id, system, title, extra, phrase, compact, kind, billable, deleted,
                                   effective_date, termination_date, vector)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
            setweight(to_tsvector('english', unaccent(%s)), 'A') || setweight(to_tsvector('english', unaccent(%s)), 'B'))
"""


def build_index(*, stdout=None) -> dict[str, int]:
    """Rebuild the whole search index (documents in best-first table order) and the lexicon.

    Always all systems: the order of the table is part of the ranking (see SearchEntry)."""
    from . import pagecache

    pagecache.bump()  # cached suggestions and results came from the old index
    entries = _documents()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE gives a fresh table, so rows lie in the order they are written.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending deferred FK checks
            cursor.execute("TRUNCATE codes_searchentry RESTART IDENTITY")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default
            for start in range(0, len(entries), 5000):
                cursor.executemany(
                    _PG_INSERT,
                    [
                        (
                            e.code_id,
                            e.system,
                            e.title,
                            e.extra,
                            e.phrase,
                            e.compact,
                            e.kind,
                            e.billable,
                            e.deleted,
                            e.effective_date,
                            e.termination_date,
                            e.title,
                            e.extra,
                        )
                        for e in entries[start : start + 5000]
                    ],
                )
        else:
            cursor.execute("DELETE FROM codes_search_fts")
            cursor.execute("DELETE FROM codes_searchentry")
            SearchEntry.objects.bulk_create(entries, batch_size=5000)  # ids ascending: FTS5 returns rowid order
            cursor.execute(
                "INSERT INTO codes_search_fts (rowid, title, extra) SELECT id, title, extra FROM codes_searchentry"
            )
    counts = dict(Counter(e.system for e in entries))
    if stdout:
        for system, count in counts.items():
            stdout.write(f"{System(system).label}: {count} codes indexed")
    build_lexicon()
    return counts


def build_lexicon() -> int:
    """Count every word of every search document (the misspelling corrector's dictionary)."""
    words: Counter[str] = Counter()
    for title, extra in SearchEntry.objects.values_list("title", "extra").iterator(chunk_size=10000):
        words.update(w for w in words_of(f"{title} {extra}") if 2 <= len(w) <= 60 and not w.isdigit())
    words.update(w for term in Synonym.objects.values_list("term", flat=True) for w in term.split())
    with transaction.atomic():
        SearchWord.objects.all().delete()
        SearchWord.objects.bulk_create((SearchWord(word=w, count=n) for w, n in words.items()), batch_size=5000)
    return len(words)


# --- keeping the index current after imports ---------------------------------------------

# While load_codesets runs every import, the systems to reindex wait here and it builds
# the index once at the end (see `deferred_indexing`).
_waiting: set[str] | None = None


def index_after_import(system: str) -> None:
    """Importers call this (with the system they changed): once their transaction commits, the
    synonyms are reseeded and the search index rebuilt."""
    if _waiting is not None:
        _waiting.add(system)
        return

    def rebuild() -> None:
        from . import synonyms

        synonyms.seed()
        build_index()

    transaction.on_commit(rebuild)


@contextlib.contextmanager
def deferred_indexing() -> Iterator[set[str]]:
    """Collect index_after_import() calls instead of rebuilding after each import."""
    global _waiting
    _waiting = set()
    try:
        yield _waiting
    finally:
        _waiting = None


# --- batch lookup ------------------------------------------------------------------------


@dataclass
class BatchRow:
    typed: str
    code: Code | None
    status: str  # "billable", "header", "deleted", "unknown"
    title: str = ""

    STATUS_LABELS = {
        "billable": "Valid and billable",
        "valid": "Valid, not billable",
        "header": "Valid header (not billable)",
        "deleted": "Deleted",
        "unknown": "Unknown",
    }

    @property
    def label(self) -> str:
        label = self.STATUS_LABELS[self.status]
        if self.status == "deleted" and self.code and self.code.termination_date:
            label += f" {self.code.termination_date.isoformat()}"
        return label


def batch_lookup(typed: list[str]) -> list[BatchRow]:
    """The status of each code typed, in the order given (one query for all of them)."""
    compacts = {t: compact_code(t)[:16] for t in typed}
    wanted = set(compacts.values())
    for c in list(wanted):
        wanted.update(_with_placeholder(c))
    found: dict[str, list[Code]] = {}
    for code in _all_systems(Code.objects.filter(compact__in=wanted)).order_by("deleted", "system"):
        found.setdefault(code.compact, []).append(code)
    titles = _display_titles([c for codes in found.values() for c in codes])
    rows = []
    for t in typed:
        compact = compacts[t]
        matches = found.get(compact) or next((found[p] for p in _with_placeholder(compact) if p in found), [])
        if not matches:
            rows.append(BatchRow(t, None, "unknown"))
            continue
        # As typed (J11.00 is ICD-10-CM, J1100 HCPCS), then a current code before a deleted one.
        code = min(matches, key=lambda c: (c.code.upper() != t.upper(), c.deleted))
        if code.deleted:
            status = "deleted"
        elif code.billable:
            status = "billable"
        elif code.is_header or code.kind in BROWSE_KINDS:
            status = "header"
        else:
            status = "valid"
        title = code.title or titles.get(code.pk, ("", ""))[0] or code.short_title
        rows.append(BatchRow(t, code, status, title))
    return rows
