"""The database's side of parsing: text synonyms, the lexicon of indexed words, prefixes
and misspellings (a `parsing.Lexicon` backed by the `Synonym` and `SearchWord` tables)."""

from __future__ import annotations

from django.db.models import Q

from codes.models import SearchWord, Synonym

from .dialects import dialect
from .parsing import Spans, grams, words_of

# Only the curated and editors' terms complete as you type: they are what people abbreviate.
TYPED_SOURCES = [Synonym.Source.CURATED, Synonym.Source.SHORTHAND, Synonym.Source.EDITOR]
# A known word is read as the start of a longer one where that is this many times as common.
FRAGMENT_RARITY = 10


class DatabaseLexicon:
    def synonyms(self, tokens: list[str], *, as_you_type: bool = False, extra: dict | None = None) -> Spans:
        """Text synonyms for every run of 1-4 query words: {(start, end): [(term, replacement), ...]},
        and for the `extra` runs ({words with stop words: the span of tokens they cover}).
        As you type, the words that end the query may also be the start of a term ("heart att")."""
        runs = {**(extra or {}), **grams(tokens)}
        wanted = Q(term__in=list(runs))
        ending = [g for g, span in runs.items() if span[1] == len(tokens)]
        if as_you_type and len(tokens[-1]) >= 2:
            for gram in ending:
                wanted |= dialect().starts_with("term", gram) & Q(source__in=TYPED_SOURCES)
        found: Spans = {}
        completions = 0
        rows = Synonym.objects.filter(wanted, replacement__gt="").order_by("term").values_list("term", "replacement")
        for term, replacement in rows[:50]:
            if term in runs:
                span = runs[term]
            elif completions < 6:
                completions += 1
                span = max((runs[g] for g in ending if term.startswith(g)), key=lambda s: s[1] - s[0])
            else:
                continue
            found.setdefault(span, []).append((term, replacement))
        return found

    def known(self, words: set[str]) -> set[str]:
        if not words:
            return set()
        return set(SearchWord.objects.filter(word__in=words).values_list("word", flat=True))

    def is_prefix(self, fragment: str) -> bool:
        return SearchWord.objects.filter(dialect().starts_with("word", fragment)).exists()

    def fragments(self, words: set[str]) -> set[str]:
        """The words (of 3 letters or more) far rarer than the commonest longer word each starts:
        "diab" (in 8 texts, HCPCS short descriptors) starts "diabetes" (in 1,418)."""
        found = set()
        for word in words:
            if len(word) < 3:
                continue
            counts = dict(
                SearchWord.objects.filter(dialect().starts_with("word", word))
                .order_by("-count")
                .values_list("word", "count")[:2]
            )
            own = counts.pop(word, None)
            if own is None:
                own = SearchWord.objects.filter(word=word).values_list("count", flat=True).first() or 0
            if counts and max(counts.values()) >= FRAGMENT_RARITY * max(own, 1):
                found.add(word)
        return found

    def correct(self, word: str) -> str | None:
        return dialect().correct(word)


def is_abbreviation(query: str) -> bool:
    """Is the whole query a curated or editor's text synonym (an abbreviation like DM2)?"""
    term = " ".join(words_of(query))
    return Synonym.objects.filter(term=term, replacement__gt="", source__in=TYPED_SOURCES).exists()
