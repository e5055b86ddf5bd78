"""Building the search index: one `SearchEntry` per code that has words (its title, and its
other names as a second weight), the engine's full-text index and the lexicon of words.

Importers call `index_after_import()`; nothing is indexed at query time.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator

from django.db import connection, transaction

from codes import pagecache, synonyms
from codes.models import BROWSE_KINDS, Code, PlainDescription, SearchEntry, SearchWord, Synonym, System

from .dialects import dialect
from .parsing import title_phrase, words_of


def _documents():
    """A SearchEntry (unsaved) for every code that has words, best first: current billable
    codes, then headers, then browse nodes, deleted codes last; shorter titles first."""
    plain = {
        (system, code): (short_title, text)
        for system, code, short_title, text in PlainDescription.objects.filter(
            status=PlainDescription.Status.PUBLISHED
        ).values_list("system", "code", "short_title", "text")
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
            plain_title, text = plain[system, code]
            if title:
                extra += [plain_title, text] if plain_title else [text]
            elif plain_title:
                title = plain_title  # CPT without licensed descriptors: our short title leads
                extra.append(text)
            else:
                title = text  # our own words lead
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


def build_index(*, stdout=None) -> dict[str, int]:
    """Rebuild the whole search index (documents in best-first table order) and the lexicon.

    Always all systems: the order of the table is part of the ranking (see SearchEntry)."""
    pagecache.bump()  # cached suggestions and results came from the old index
    entries = _documents()
    with transaction.atomic(), connection.cursor() as cursor:
        dialect().write_index(cursor, entries)
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
