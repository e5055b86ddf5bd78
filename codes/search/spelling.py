"""Misspelling candidates both dialects use: lexicon words that start like the typed one."""

from codes.models import SearchWord

from .parsing import closest_word


def closest_by_start(word: str) -> str | None:
    """Words sharing the first two letters (else the first one); the edit distance decides.
    Misspellings rarely touch the start of a word."""
    for start in (word[:2], word[:1]):
        rows = SearchWord.objects.filter(word__gte=start, word__lt=start + "~").values_list("word", "count")
        found = closest_word(word, rows)
        if found:
            return found
    return None
