"""What leads the suggestions: Alphabetic Index main terms and ICD-10-CM category titles.

Both are small (about 2,000 categories, the main terms with a code) and asked on every keystroke,
so they are matched in this process's memory, loaded once per data version: a full-text query
restricted to categories reads every matching billable row before it reaches them (26 ms a
keystroke on the loaded database against under 1 ms here; bench/search.py).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass

from codes import pagecache
from codes.models import IndexTerm, Kind, SearchEntry, System, normalize_term

from .index import MAIN_INDEX
from .parsing import Slot, Term, same_word, words_of


@dataclass
class _Tables:
    version: str
    main_keys: list[str]  # normalised main terms, sorted
    main_rows: list[tuple[str, str, int]]  # (title, code, entries under it) in the same order
    categories: list[tuple[int, float, int, str]]  # (code id, prior, title length, first word)
    words: list[str]  # every word of the category titles, sorted
    postings: dict[str, set[int]]  # word -> positions in `categories`


_tables: _Tables | None = None


def _load() -> _Tables:
    global _tables
    version = pagecache.data_version()
    if _tables is None or _tables.version != version:
        # Main terms ranked by how much of the index lies under them: "hypert" means Hypertension
        # (hundreds of subterms), not Hypertropia (none). Their codes' priors say less: catch-all
        # codes (F45.8, "psychogenic ...") are reached by hundreds of paths.
        parents = dict(
            IndexTerm.objects.filter(index=MAIN_INDEX).values_list("pk", "parent_id").iterator(chunk_size=20000)
        )
        under: Counter[int] = Counter()
        for pk in parents:
            root = pk
            while parents.get(root):
                root = parents[root]
            under[root] += 1
        main = sorted(
            (normalize_term(title), title, code, under[pk])
            for pk, title, code in IndexTerm.objects.filter(index=MAIN_INDEX, level=0)
            .exclude(code="")
            .values_list("pk", "title", "code")
        )
        rows = SearchEntry.objects.filter(system=System.ICD10CM, kind=Kind.CATEGORY, deleted=False).values_list(
            "code_id", "title", "prior"
        )
        categories, postings = [], {}
        # The titles' own words only: a category's other names (inclusion terms, index paths)
        # make it match fragments it is not known by.
        for position, (code_id, title, prior) in enumerate(rows):
            words = words_of(title)
            categories.append((code_id, prior, len(title), words[0] if words else ""))
            for word in set(words):
                postings.setdefault(word, set()).add(position)
        _tables = _Tables(
            version, [m[0] for m in main], [(m[1], m[2], m[3]) for m in main], categories, sorted(postings), postings
        )
    return _tables


def main_terms(typed: str, *, limit: int) -> list[tuple[str, str]]:
    """(title, code) of the main terms that start with what is typed, the largest first."""
    key = normalize_term(typed)
    if len(key) < 3:
        return []
    tables = _load()
    found = []
    for i in range(bisect_left(tables.main_keys, key), len(tables.main_keys)):
        if not tables.main_keys[i].startswith(key):
            break
        found.append(tables.main_rows[i])
    return [(title, code) for title, code, _ in sorted(found, key=lambda row: (-row[2], len(row[0])))[:limit]]


def _matching(tables: _Tables, term: Term) -> set[int]:
    # Words of the vocabulary that could be the term: its prefix range, checked like the highlighting.
    start = term.word if term.prefix else term.word[: max(3, len(term.word) - 3)]
    found: set[int] = set()
    for i in range(bisect_left(tables.words, start), len(tables.words)):
        word = tables.words[i]
        if not word.startswith(start):
            break
        if same_word(word, term):
            found |= tables.postings[word]
    return found


def categories(slots: list[Slot], *, limit: int) -> list[int]:
    """Code ids of the categories holding every slot of the query, best prior and shortest title first."""
    tables = _load()
    matched: set[int] | None = None
    for slot in slots:
        options = [slot.terms, *slot.alternatives]
        in_slot: set[int] = set()
        for option in options:
            sets = [_matching(tables, t) for t in option]
            in_slot |= set.intersection(*sets) if sets else set()
        matched = in_slot if matched is None else matched & in_slot
        if not matched:
            return []
    first = {t.word for slot in slots for t in slot.terms}

    def rank(p: int) -> tuple:
        _code_id, prior, length, word = tables.categories[p]
        # A title that starts with what is typed ("Pneumonia, ...") before one that only holds it.
        return (not any(same_word(word, Term(w, prefix=True)) for w in first), -prior, length)

    ranked = sorted(matched or [], key=rank)
    return [tables.categories[p][0] for p in ranked[:limit]]
