"""PostgreSQL: full text search (`to_tsquery`, a GIN index on a weighted tsvector) and
pg_trgm for misspellings. The same interface as `sqlite.py`; `codes.search.dialect()` picks one."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from .parsing import Slot, Term, boolean, closest_word
from .spelling import closest_by_start

# Filters on the search entry's columns need no planner hint here (see sqlite.COLUMN).
COLUMN = "e."


def starts_with(field: str, prefix: str) -> Q:
    """LIKE 'x%' (a text_pattern_ops index serves it whatever the collation)."""
    return Q(**{f"{field}__startswith": prefix})


def _term(t: Term) -> str:
    return f"{t.word}:*" if t.prefix else t.word


def match_expression(slots: list[Slot], *, every: bool) -> str:
    return boolean(slots, every=every, fmt=_term, and_="&", or_="|")


def whole_title(slots: list[Slot]) -> tuple[str, list]:
    """A column (SQL, its parameters): does the title hold every slot of the query, its own words
    or a synonym's? The query's expression restricted to the title's weight (A)."""
    expression = boolean(
        slots, every=True, fmt=lambda t: f"{t.word}:*A" if t.prefix else f"{t.word}:A", and_="&", or_="|"
    )
    return "e.vector @@ to_tsquery('english', %s)", [expression]


def matches_pattern(column: str) -> str:
    """SQL: does the column match a regular expression (a parameter)?"""
    return f"{column} ~ %s"


def first_part(text: str) -> str:
    """SQL: the text up to its first comma (or semicolon), lower case."""
    cut = f"replace(lower({text}), ';', ',') || ','"
    return f"substr({cut}, 1, strpos({cut}, ',') - 1)"


def matching(columns: str, where: str) -> str:
    """Rows matching the expression (first parameter) under `where`, then a LIMIT parameter."""
    # No length normalisation: a long plain-language text must not sink its code; the
    # title's length is weighed in ranking.SCORE_FACTORS instead (the same on both databases).
    return (
        f"SELECT {columns}, ts_rank('{{0.1, 0.2, 0.3, 1.0}}', e.vector, q.query, 0) AS relevance, "
        "ts_rank('{0, 0, 0, 1.0}', e.vector, q.query, 0) AS in_title "
        "FROM codes_searchentry e, to_tsquery('english', %s) q(query) "
        f"WHERE e.vector @@ q.query AND {where} LIMIT %s"
    )


def run(statements: list[tuple[str, list]]) -> list[list[tuple]]:
    """Rows of each statement, in one round trip after `SET LOCAL enable_seqscan = off`: a
    common word is in 20,000 documents, so with a LIMIT the planner expects a sequential scan
    to find the first rows at once; but the table is in rank order, not word order, and such a
    scan reads most of it. The GIN index stops after the first rows instead. (Several
    statements in one simple query form one transaction, so SET LOCAL holds for them.)"""
    composed = [connection.ops.compose_sql(sql, params) for sql, params in statements]
    with connection.cursor() as cursor:
        cursor.execute("; ".join(["SET LOCAL enable_seqscan = off", *composed]))
        out = []
        for _ in composed:
            cursor.nextset()
            out.append(cursor.fetchall())
        return out


def correct(word: str) -> str | None:
    """Trigram candidates over the lexicon's short words (fast with the GIN index; see
    PERFORMANCE.md), the closest by edit distance."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, count FROM codes_searchword WHERE word %% %s ORDER BY similarity(word, %s) DESC LIMIT 30",
            [word, word],
        )
        found = closest_word(word, cursor.fetchall())
    # Trigrams miss transpositions in short words ("ashtma" shares one trigram with "asthma").
    return found or closest_by_start(word)


def write_index(cursor, columns: tuple[str, ...], rows) -> None:
    """Replace the search entries with `rows` (values of `columns`), in their order.

    The rows go through COPY into a scratch table, then into the index in one INSERT ...
    SELECT that computes their vectors: one statement for the whole index instead of one
    INSERT per entry, which spent most of its time binding parameters."""
    names = ", ".join(columns)
    # TRUNCATE gives a fresh table, so rows lie in the order they are written.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending deferred FK checks
    cursor.execute("TRUNCATE codes_searchentry RESTART IDENTITY")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default
    cursor.execute("DROP TABLE IF EXISTS search_load")
    cursor.execute(
        f"CREATE TEMPORARY TABLE search_load ON COMMIT DROP AS SELECT {names} FROM codes_searchentry WITH NO DATA"
    )
    cursor.execute("ALTER TABLE search_load ADD COLUMN position serial")
    with cursor.copy(f"COPY search_load ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    # to_tsvector's parser takes "bath/shower" and "brief/diaper", HCPCS's usual wording, for one
    # file-path token, so neither word would be found: it reads them with the slash spaced out.
    cursor.execute(
        f"INSERT INTO codes_searchentry ({names}, vector) SELECT {names}, "
        "setweight(to_tsvector('english', unaccent(replace(title, '/', ' / '))), 'A') "
        "|| setweight(to_tsvector('english', unaccent(replace(extra, '/', ' / '))), 'B') "
        "FROM search_load ORDER BY position"
    )
