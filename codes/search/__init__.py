"""Case2Code: find codes from what a coder types.

    from codes.models import Code
    found = Code.objects.search("heart attack", system="icd-10-cm", billable=True, limit=10)
    for r in found.results:
        print(r.system, r.code, r.title, r.matched, r.score)
    found.counts        # {"icd-10-cm": 74, ...}: matches per system (before the system filter)
    found.suggestion    # "pneumonia" when the query was corrected ("did you mean")

A query is read in this order:
1. Codes in any form (`bycode`): exact (`M48.56XA`, `m4856xa`, `M4856A`), partial (`E11.2`),
   ranges (`J1100-J1200`, `E11.2-`), modifiers (`mod 25`); a code beside words comes first
   (`I10 hypertension`), a question about one is the code (`what is E11.9`).
2. What the words say of the codes wanted (`parsing`): a code set named (`sepsis drg`: that
   set's tab), laterality as charts write it (`rt knee pain`), what the code is without
   (`asthma w/o exacerbation`: not a word it must hold, a factor in the ranking).
3. Words (`parsing`, pure functions; `lexicon` asks the tables): stop words dropped, text
   synonyms added as alternatives ("heart attack" OR "myocardial infarction"), unknown words
   completed as prefixes (as you type) or corrected against the lexicon (`pnuemonia` ->
   pneumonia). Every word must match; if nothing does, any word may.
4. Ranking (`ranking`): the full-text candidates scored and explained.

The SQL that differs per database lives in one module each (`postgresql`, `sqlite`), picked by
`dialect()`. The index (`SearchEntry`, the engine's full-text index and the `SearchWord`
lexicon) is built by `index.build_index()`, which the importers trigger.
"""

from __future__ import annotations

from .batch import BatchRow, batch_lookup
from .bycode import SYSTEMS
from .dialects import dialect
from .engine import search, suggest
from .index import build_index, build_lexicon, deferred_indexing, index_after_import
from .parsing import MAX_QUERY, STOP_WORDS, parse_words, title_phrase, words_of
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
    "suggest",
    "title_phrase",
    "words_of",
]
