"""SQLite: an FTS5 table `codes_search_fts` (rowid = codes_searchentry.id, porter stemming,
bm25) and prefix ranges over binary indexes. The same interface as `postgresql.py`."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

from codes.importers.base import write_rows
from codes.models import SearchEntry

from .parsing import Slot, Term, boolean
from .spelling import closest_by_start

# "+e.system" keeps the planner from starting at the system index and running the FTS MATCH
# once per row of that system (seconds instead of milliseconds).
COLUMN = "+e."


def starts_with(field: str, prefix: str) -> Q:
    """A range uses SQLite's binary index on the column; LIKE would not (it is case-insensitive)."""
    return Q(**{f"{field}__gt": prefix, f"{field}__lt": prefix + "~"})


def _term(t: Term) -> str:
    return f'"{t.word}"*' if t.prefix else f'"{t.word}"'


def match_expression(slots: list[Slot], *, every: bool) -> str:
    return boolean(slots, every=every, fmt=_term, and_="AND", or_="OR")


def whole_title(slots: list[Slot]) -> tuple[str, list]:
    """A column (SQL, its parameters): does the title hold every slot of the query, its own words
    or a synonym's? The query's expression under FTS5's column filter."""
    title_only = f"title : ({match_expression(slots, every=True)})"
    return "e.id IN (SELECT rowid FROM codes_search_fts WHERE codes_search_fts MATCH %s)", [title_only]


def matches_pattern(column: str) -> str:
    """SQL: does the column match a regular expression (a parameter)? Django's SQLite backend
    gives REGEXP (Python's re)."""
    return f"{column} REGEXP %s"


def first_part(text: str) -> str:
    """SQL: the text up to its first comma (or semicolon), lower case."""
    cut = f"replace(lower({text}), ';', ',') || ','"
    return f"substr({cut}, 1, instr({cut}, ',') - 1)"


def matching(columns: str, where: str) -> str:
    """Rows matching the expression (first parameter) under `where`, then a LIMIT parameter."""
    return (
        f"SELECT {columns}, -bm25(codes_search_fts, 10.0, 3.0) AS relevance, "
        "-bm25(codes_search_fts, 1.0, 0.0) AS in_title "
        "FROM codes_search_fts JOIN codes_searchentry e ON e.id = codes_search_fts.rowid "
        f"WHERE codes_search_fts MATCH %s AND {where} LIMIT %s"
    )


def run(statements: list[tuple[str, list]]) -> list[list[tuple]]:
    out = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            out.append(cursor.fetchall())
    return out


def correct(word: str) -> str | None:
    return closest_by_start(word)


def write_index(cursor, columns: tuple[str, ...], rows) -> None:
    """Replace the search entries with `rows` (values of `columns`), in their order."""
    cursor.execute("DELETE FROM codes_search_fts")
    cursor.execute("DELETE FROM codes_searchentry")
    write_rows(SearchEntry, list(columns), rows)  # ids ascending: FTS5 returns rowid order
    cursor.execute("INSERT INTO codes_search_fts (rowid, title, extra) SELECT id, title, extra FROM codes_searchentry")
