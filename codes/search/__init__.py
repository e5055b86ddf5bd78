"""Case2Code: find codes from what a coder types.

    from codes.models import Code
    found = Code.objects.search("heart attack", system="icd-10-cm", billable=True, limit=10)
    for r in found.results:
        print(r.system, r.code, r.title, r.matched, r.score)
    found.counts        # {"icd-10-cm": 74, ...}: matches per system (before the system filter)
    found.suggestion    # "pneumonia" when the query was corrected ("did you mean")

A query is read in this order:
1. Codes in any form (`bycode`): exact (`M48.56XA`, `m4856xa`, `M4856A`), partial (`E11.2`),
   ranges (`J1100-J1200`, `E11.2-`), modifiers (`mod 25`).
2. Words (`parsing`, pure functions; `lexicon` asks the tables): stop words dropped, text
   synonyms added as alternatives ("heart attack" OR "myocardial infarction"), unknown words
   completed as prefixes (as you type) or corrected against the lexicon (`pnuemonia` ->
   pneumonia). Every word must match; if nothing does, any word may.
3. Ranking (`ranking`): the full-text candidates scored and explained.

The SQL that differs per database lives in one module each (`postgresql`, `sqlite`), picked by
`dialect()`. The index (`SearchEntry`, the engine's full-text index and the `SearchWord`
lexicon) is built by `index.build_index()`, which the importers trigger.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Count

from codes.models import Code, Kind

from .batch import BatchRow, batch_lookup
from .bycode import CODE_FIELDS, SYSTEMS, code_matches
from .dialects import dialect
from .filters import Filters
from .index import build_index, build_lexicon, deferred_indexing, index_after_import
from .lexicon import DatabaseLexicon, is_abbreviation
from .parsing import MAX_QUERY, MODIFIER_WORDS, STOP_WORDS, parse_words, phrases, title_phrase, words_of
from .ranking import CANDIDATES, COUNT_LIMIT, build_results, word_search
from .results import SearchResult, SearchResults

__all__ = [
    "MAX_QUERY",
    "STOP_WORDS",
    "SYSTEMS",
    "BatchRow",
    "SearchResult",
    "SearchResults",
    "batch_lookup",
    "build_index",
    "build_lexicon",
    "deferred_indexing",
    "dialect",
    "index_after_import",
    "parse_words",
    "search",
    "title_phrase",
    "words_of",
]


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

    words = query.split()
    if len(words) > 1 and {w.lower() for w in words} & MODIFIER_WORDS:
        # "left side modifier": the word names the kind of code wanted, not a word of its title.
        query_words = " ".join(w for w in words if w.lower() not in MODIFIER_WORDS)
        filters.kind = Kind.MODIFIER
    else:
        query_words = query
    slots, corrections = parse_words(query_words, DatabaseLexicon(), as_you_type=as_you_type)
    if not slots:
        found.kind = "none"
        return found
    title_phrases = phrases(query_words, slots)
    ranked, per_system = word_search(
        slots, filters, every=True, phrases=title_phrases, limit=limit, offset=offset, counts=counts
    )
    found.kind = "words"
    if not ranked and len(slots) > 1:
        ranked, per_system = word_search(
            slots, filters, every=False, phrases=title_phrases, limit=limit, offset=offset, counts=counts
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
    if not found.results:
        found.kind = "none"
    return found
