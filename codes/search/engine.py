"""The entry points: `search()` (a code, or words ranked) and `suggest()` (as you type)."""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Count, Q

from codes.models import Code, Kind, System

from . import leading
from .bycode import CODE_FIELDS, SYSTEMS, code_matches, codes_beside_words
from .filters import Filters
from .lexicon import DatabaseLexicon, is_abbreviation
from .parsing import (
    MAX_PHRASES,
    MAX_QUERY,
    MODIFIER_WORDS,
    STOP_WORDS,
    looks_like_code,
    named_code_set,
    parse_words,
    phrases,
    title_phrase,
    with_body_part_forms,
    with_laterality_spelt,
    without_words,
    words_of,
)
from .ranking import CANDIDATES, COUNT_LIMIT, build_results, word_search
from .results import SearchResult, SearchResults

# Words that only ask for the code beside them: "what is the code E11.9", "icd 10 E11.9".
ASKING_WORDS = frozenset(["code", "codes", "icd", "10", "cm", "pcs", "cpt", "hcpcs", "drg", "mean", "means"])


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
    beside, words_part = codes_beside_words(query, filters) if by_code is None else ([], query)
    if beside and not set(words_of(words_part)) - STOP_WORDS - ASKING_WORDS:
        query, beside = " ".join(c.code for c in beside), []  # "what is E11.9" asks for the code
        by_code = code_matches(query, filters)
    if by_code and by_code[0] and by_code[2] in ("code", "modifier") and is_abbreviation(query):
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
            found.results = build_results(page, dict.fromkeys([c.pk for c in page], 1.0), [], how, exact_ids=exact_ids)
            return found

    named, query_words = named_code_set(words_part)
    if named and not system:
        # "sepsis drg": the set named is searched, as if its tab were chosen.
        system = filters.system = found.named_system = named
        found.without_name = query_words
    as_read = with_laterality_spelt(query_words)
    query_words, negated = without_words(as_read)
    words = query_words.split()
    if len(words) > 1 and {w.lower() for w in words} & MODIFIER_WORDS:
        # "left side modifier": the word names the kind of code wanted, not a word of its title.
        query_words = " ".join(w for w in words if w.lower() not in MODIFIER_WORDS)
        filters.kind = Kind.MODIFIER
    slots, corrections = parse_words(query_words, DatabaseLexicon(), as_you_type=as_you_type)
    if len(slots) > 1 and not as_you_type:
        # Anatomy's other form is a reading too: "abdominal x-ray" is "Plain Radiography of Abdomen".
        slots = with_body_part_forms(slots, DatabaseLexicon())
    found.slots = slots
    if not slots:
        found.kind = "none"
        return found
    title_phrases = phrases(query_words, slots)
    if negated:  # a title may read the whole query ("Heart failure and shock without CC/MCC")
        title_phrases = [*title_phrases, title_phrase(as_read)][: MAX_PHRASES + 1]
    ranked, per_system = word_search(
        slots,
        filters,
        every=True,
        phrases=title_phrases,
        limit=limit,
        offset=offset,
        counts=counts,
        as_you_type=as_you_type,
        without=negated,
    )
    found.kind = "words"
    if not ranked and len(slots) > 1 and as_you_type:
        # Nothing has every word: one may be anatomy's other form ("sacrum", titles say "sacral region").
        other = with_body_part_forms(slots, DatabaseLexicon())
        if other != slots:
            ranked, per_system = word_search(
                other,
                filters,
                every=True,
                phrases=phrases(query_words, other),
                limit=limit,
                offset=offset,
                counts=counts,
                as_you_type=as_you_type,
                without=negated,
            )
            slots = found.slots = other if ranked else slots
    if not ranked and len(slots) > 1:
        ranked, per_system = word_search(
            slots,
            filters,
            every=False,
            phrases=title_phrases,
            limit=limit,
            offset=offset,
            counts=counts,
            as_you_type=as_you_type,
            without=negated,
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
    codes = [Code(pk=row[0], **dict(zip(CODE_FIELDS, row[5:], strict=True))) for row in ranked]
    texts = {row[0]: (row[2], row[3], row[4]) for row in ranked}
    found.results = build_results(codes, {row[0]: row[1] for row in ranked}, slots, None, texts)
    if _completes_a_fragment(slots, filters, as_you_type=as_you_type, offset=offset):
        # A bare prefix on the results page ("diab") is completed as the suggestions complete it:
        # the main terms and categories it starts, before the codes whose words it starts.
        found.results = _led(_leading(query_words, slots), found.results)[:limit]
    if beside and offset == 0:
        # "I10 hypertension": the code named first, then what the words find.
        ids = [c.pk for c in beside]
        named_first = build_results(beside, dict.fromkeys(ids, 1.0), [], "code", exact_ids=set(ids))
        found.results = _led(named_first, found.results)[:limit]
        found.total = max(found.total, len(found.results))
    if not found.results:
        found.kind = "none"
    return found


def _completes_a_fragment(slots, filters: Filters, *, as_you_type: bool, offset: int) -> bool:
    """Does the first page of results lead with the terms a fragment starts? Where a word of the
    query is no word but the start of some (a fragment), and the filters let ICD-10-CM headers in."""
    if as_you_type or offset or filters.system not in (None, System.ICD10CM):
        return False
    if filters.billable is not None or filters.kind or filters.as_of:
        return False
    return any(t.prefix for slot in slots for t in slot.terms)


# As you type, the terms coders mean most lead: main terms of the Alphabetic Index, then the
# titles of ICD-10-CM categories ("diab" -> E08-E13 diabetes mellitus, not HCPCS supplies).
LEADING_MAIN_TERMS = 2
LEADING_CATEGORIES = 4


def suggest(query: str, *, limit: int = 8) -> SearchResults:
    """Suggestions for what is typed so far: a code prefix completes codes; words complete the
    index's main terms and the category titles first, then the best codes for the words."""
    found = search(query, as_you_type=True, counts=False, limit=limit)
    tokens = (query or "").split()
    if found.kind == "code" or not tokens or all(looks_like_code(t) for t in tokens):
        return found
    slots = found.slots  # as search() read the words: not asked of the tables twice
    if not slots:
        return found
    found.results = _led(_leading(query, slots), found.results)[:limit]
    found.total = len(found.results)
    found.kind = "words" if found.results else "none"
    return found


def _leading(query: str, slots) -> list[SearchResult]:
    """The rows that lead a word query's completions: the Alphabetic Index's main terms that
    start with what is typed, then the ICD-10-CM categories whose titles hold it."""
    terms = leading.main_terms(query, limit=LEADING_MAIN_TERMS)
    ids = leading.categories(slots, limit=LEADING_CATEGORIES)
    wanted = {code.rstrip("-").rstrip("."): (title, code) for title, code in terms}
    rows = Code.objects.filter(Q(pk__in=ids) | Q(system=System.ICD10CM, code__in=list(wanted))).only(*CODE_FIELDS)
    by_pk, by_code = {}, {}
    for code in rows:
        by_pk[code.pk] = code
        if code.system == System.ICD10CM:
            by_code[code.code] = code
    first = [
        SearchResult(by_code[c], by_code[c].title, f"Index: {title} → {code}", 1.0)
        for c, (title, code) in wanted.items()
        if c in by_code
    ]
    return first + build_results([by_pk[pk] for pk in ids if pk in by_pk], {}, slots, None)


def _led(first: list[SearchResult], results: list[SearchResult]) -> list[SearchResult]:
    """`first`, then the results not among them."""
    seen: set[int] = set()
    merged = []
    for result in [*first, *results]:
        if result.code.pk not in seen:
            seen.add(result.code.pk)
            merged.append(result)
    return merged
