"""What every importer shares: reading release files, reporting errors with their line,
progress, and writing codes so that a newer release marks what changed.

Each importer parses an official file into plain rows and hands them to `sync_codes`
(or bulk-writes its own table). The management command wraps the whole import in one
transaction, so a file that fails half-way leaves the previous data as it was.
"""

from __future__ import annotations

import contextlib
import datetime
import gzip
import hashlib
import io
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from django.db import connection, transaction
from psycopg.types.json import Jsonb

from codes.models import Code, CodeChange, Release, compact_code

BATCH_SIZE = 2000


class ImportFileError(Exception):
    """A release file that cannot be read; the message names the file and line."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path, self.line = str(path), line
        where = f"{Path(path).name}, line {line}" if line else Path(path).name
        super().__init__(f"{where}: {message}")


def open_text(path: Path | str, encoding: str = "utf-8") -> TextIO:
    """Open a release file as text, gunzipping `.gz` files."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(path, None, "file not found")
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding=encoding, newline="")
    return open(path, encoding=encoding, newline="")


def open_binary(path: Path | str):
    path = Path(path)
    if not path.exists():
        raise ImportFileError(path, None, "file not found")
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def sha256_of(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parse_date(value: str, *, path: Path | str, line: int | None, formats=("%Y%m%d", "%Y-%m-%d")):
    """Parse a date in one of the CMS formats; blank gives None."""
    value = (value or "").strip()
    if not value:
        return None
    for fmt in formats:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ImportFileError(path, line, f"{value!r} is not a date")


class Progress:
    """Prints `label: done/total` at most every `every` rows (and at the end)."""

    def __init__(self, label: str, total: int | None = None, *, stdout=None, verbosity: int = 1, every: int = 20000):
        self.label, self.total, self.every = label, total, every
        self.stdout = stdout or sys.stdout
        self.verbosity = verbosity
        self.done = 0
        self._last = 0

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.verbosity >= 1 and self.done - self._last >= self.every:
            self._last = self.done
            self._print()

    def finish(self) -> None:
        if self.verbosity >= 1:
            self._print()

    def _print(self) -> None:
        of = f"/{self.total:,}" if self.total else ""
        self.stdout.write(f"  {self.label}: {self.done:,}{of}\n")
        if hasattr(self.stdout, "flush"):
            self.stdout.flush()


def register_release(
    *,
    dataset: str,
    version: str,
    title: str,
    path: Path | str | None = None,
    source: str = "",
    licence: str = "Public domain (US government work)",
    effective_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
) -> Release:
    """Create or refresh the Release row for this file (same dataset and version = same row)."""
    defaults = {
        "title": title,
        "source": source,
        "licence": licence,
        "effective_date": effective_date,
        "end_date": end_date,
    }
    if path is not None:
        defaults["file_name"] = Path(path).name
        defaults["file_sha256"] = sha256_of(path)
    release, _ = Release.objects.update_or_create(dataset=dataset, version=version, defaults=defaults)
    # Every importer registers its release: cached pages and suggestions start over (now and at commit).
    from codes import pagecache

    pagecache.bump()
    return release


@dataclass
class CodeRow:
    """One code as a release file describes it; `parent` is the parent's canonical code."""

    code: str
    title: str
    kind: str = "code"
    compact: str = ""
    short_title: str = ""
    billable: bool = False
    parent: str | None = None
    sort_key: str = ""
    data: dict = field(default_factory=dict)
    effective_date: datetime.date | None = None
    termination_date: datetime.date | None = None
    # A row can say it is deleted (HCPCS termination dates); otherwise absent = deleted.
    deleted: bool = False


@dataclass
class SyncResult:
    added: int = 0
    revised: int = 0
    deleted: int = 0
    restored: int = 0
    total: int = 0

    def __str__(self) -> str:
        return (
            f"{self.total:,} codes: {self.added:,} added, {self.revised:,} revised, "
            f"{self.deleted:,} deleted, {self.restored:,} reinstated"
        )


def _depths(rows: dict[str, CodeRow]) -> dict[str, int]:
    depth: dict[str, int] = {}

    def depth_of(code: str) -> int:
        if code in depth:
            return depth[code]
        parent = rows[code].parent
        depth[code] = 0 if parent is None or parent not in rows else depth_of(parent) + 1
        return depth[code]

    for code in rows:
        depth_of(code)
    return depth


def sync_codes(
    *,
    system: str,
    release: Release,
    rows: Iterable[CodeRow],
    scope=None,
    progress: Progress | None = None,
) -> SyncResult:
    """Write a release's codes for one system.

    Upserts every row (parents before children, so each row gets its parent's id and
    lineage), records a CodeChange for each added, revised, reinstated or deleted code,
    and marks codes of `scope` (a Code queryset; default: the whole system) that the release no longer
    has as deleted. Rows are never removed. Running it twice with the same rows changes
    nothing the second time. Call it inside a transaction.
    """
    assert transaction.get_connection().in_atomic_block, "sync_codes must run in a transaction"
    by_code: dict[str, CodeRow] = {}
    for row in rows:
        row.compact = row.compact or compact_code(row.code)
        by_code[row.code] = row
    result = SyncResult(total=len(by_code))

    existing = {
        code: (pk, title, deleted)
        for code, pk, title, deleted in Code.objects.filter(system=system).values_list("code", "pk", "title", "deleted")
    }
    changes: list[tuple] = []  # (code id, release id, change, old title, new title)
    ids: dict[str, int] = {code: values[0] for code, values in existing.items()}
    lineages: dict[str, list[int]] = {}

    depth = _depths(by_code)
    levels: dict[int, list[CodeRow]] = {}
    for code, row in by_code.items():
        levels.setdefault(depth[code], []).append(row)

    update_fields = [
        "compact",
        "kind",
        "title",
        "short_title",
        "billable",
        "parent",
        "lineage",
        "sort_key",
        "data",
        "release",
        "effective_date",
        "termination_date",
        "deleted",
    ]
    upsert = _CopyUpsert() if use_copy() else None
    for level in sorted(levels):
        values = []
        for row in levels[level]:
            parent_id = ids.get(row.parent) if row.parent else None
            lineage = [*lineages.get(row.parent, []), parent_id] if parent_id else []
            lineages[row.code] = lineage
            values.append(
                {
                    "system": system,
                    "code": row.code,
                    "compact": row.compact,
                    "kind": row.kind,
                    "title": row.title,
                    "short_title": row.short_title[:120],
                    # Billable only while valid: a deleted code is never reported, whatever it was.
                    "billable": row.billable and not row.deleted,
                    "parent_id": parent_id,
                    "lineage": lineage,
                    "sort_key": row.sort_key,
                    "data": row.data,
                    "release_id": release.pk,
                    "first_release_id": release.pk,
                    "effective_date": row.effective_date,
                    "termination_date": row.termination_date,
                    "deleted": row.deleted,
                    "replaced_by": "",
                }
            )
        if upsert is not None:
            ids.update(upsert.write(values, update_fields=update_fields))
            if progress:
                progress.advance(len(values))
            continue
        _upsert_many(values, update_fields=update_fields)
        if progress:
            progress.advance(len(values))
        new_codes = [row.code for row in levels[level] if row.code not in ids]
        for start in range(0, len(new_codes), BATCH_SIZE):
            ids.update(
                Code.objects.filter(system=system, code__in=new_codes[start : start + BATCH_SIZE]).values_list(
                    "code", "pk"
                )
            )

    for code, row in by_code.items():
        before = existing.get(code)
        if before is None:
            result.added += 1
            changes.append((ids[code], release.pk, CodeChange.Change.ADDED, "", row.title))
            continue
        _, old_title, was_deleted = before
        if was_deleted and not row.deleted:
            result.restored += 1
            changes.append((ids[code], release.pk, CodeChange.Change.RESTORED, "", row.title))
        elif row.deleted and not was_deleted:
            result.deleted += 1
            changes.append((ids[code], release.pk, CodeChange.Change.DELETED, old_title, ""))
        if old_title and old_title != row.title:
            result.revised += 1
            changes.append((ids[code], release.pk, CodeChange.Change.REVISED, old_title, row.title))

    # Codes this release no longer has: deleted as of the day before it took effect.
    gone_ids = [pk for code, (pk, _, deleted) in existing.items() if code not in by_code and not deleted]
    if gone_ids and scope is not None:
        in_scope = set(scope.values_list("pk", flat=True))
        gone_ids = [pk for pk in gone_ids if pk in in_scope]
    if gone_ids:
        ended = release.effective_date - datetime.timedelta(days=1) if release.effective_date else None
        for start in range(0, len(gone_ids), BATCH_SIZE):
            batch = gone_ids[start : start + BATCH_SIZE]
            Code.objects.filter(pk__in=batch).update(deleted=True, billable=False)
            if ended:
                Code.objects.filter(pk__in=batch, termination_date__isnull=True).update(termination_date=ended)
        changes.extend((pk, release.pk, CodeChange.Change.DELETED, "", "") for pk in gone_ids)
        result.deleted += len(gone_ids)

    write_rows(CodeChange, ["code_id", "release_id", "change", "old_title", "new_title"], changes)
    if progress:
        progress.finish()
    from codes.search import index_after_import  # the search index follows every code import

    index_after_import(system)
    from codes import pagecache

    pagecache.bump()
    return result


def use_copy() -> bool:
    """Whether code rows go through COPY (PostgreSQL) or executemany (SQLite)."""
    return connection.vendor == "postgresql"


# The columns sync_codes writes, as its values name them.
CODE_COLUMNS = [
    "system", "code", "compact", "kind", "title", "short_title", "billable", "parent_id", "lineage",
    "sort_key", "data", "release_id", "first_release_id", "effective_date", "termination_date", "deleted",
    "replaced_by",
]  # fmt: skip
CODE_JSON = {"lineage", "data"}


def _upsert_sql(rows: str, *, update_fields: list[str]) -> str:
    """INSERT of CODE_COLUMNS from `rows` (VALUES or a SELECT) ... ON CONFLICT (system, code) DO UPDATE."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in CODE_COLUMNS)
    sets = ", ".join(
        f"{quote(column)} = EXCLUDED.{quote(column)}"
        for column in (Code._meta.get_field(name).column for name in update_fields)
    )
    return f"INSERT INTO {Code._meta.db_table} ({columns}) {rows} ON CONFLICT (system, code) DO UPDATE SET {sets}"


def _upsert_many(values: list[dict], *, update_fields: list[str]) -> None:
    """SQLite: a level of codes as one INSERT ... ON CONFLICT DO UPDATE run by executemany over
    plain tuples. bulk_create built a model instance and prepared 17 values per code through the
    ORM, 58 codes a statement: four times the time of the writes themselves on a first load."""
    adapt_json = connection.ops.adapt_json_value
    encoders = {name: Code._meta.get_field(name).encoder for name in CODE_JSON}
    sql = _upsert_sql(f"VALUES ({', '.join(['%s'] * len(CODE_COLUMNS))})", update_fields=update_fields)
    rows = [tuple(adapt_json(v[c], encoders[c]) if c in CODE_JSON else v[c] for c in CODE_COLUMNS) for v in values]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


class _CopyUpsert:
    """PostgreSQL: a level of codes COPYed into a temporary table, then one
    INSERT ... ON CONFLICT DO UPDATE ... RETURNING from it. Against executemany
    this skips binding 17 parameters per code and the extra SELECT for new codes' ids:
    see bench/imports.py."""

    def __init__(self):
        table = Code._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS code_load")
            cursor.execute(
                f"CREATE TEMPORARY TABLE code_load ON COMMIT DROP AS SELECT {', '.join(CODE_COLUMNS)} FROM {table} WITH NO DATA"
            )

    def write(self, values: list[dict], *, update_fields: list[str]) -> dict[str, int]:
        columns = ", ".join(CODE_COLUMNS)
        upsert = _upsert_sql(f"SELECT {columns} FROM code_load", update_fields=update_fields)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE code_load")
            with cursor.copy(f"COPY code_load ({columns}) FROM STDIN") as copy:
                for v in values:
                    copy.write_row([Jsonb(v[c]) if c in CODE_JSON else v[c] for c in CODE_COLUMNS])
            cursor.execute(f"{upsert} RETURNING code, id")
            return dict(cursor.fetchall())


def write_rows(model, columns: list[str], rows: Iterable[tuple]) -> int:
    """Insert plain rows into a model's table: COPY on PostgreSQL (the big tables: code
    changes, notes, CC exclusions, mappings, index terms, synonyms), executemany elsewhere.
    No model instances. JSON columns take Python values (lists, dicts), as the model's do."""
    table = model._meta.db_table
    names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    json_encoders = {
        i: field.encoder
        for i, field in enumerate(model._meta.get_field(c) for c in columns)
        if field.get_internal_type() == "JSONField"
    }
    if json_encoders:
        adapt = connection.ops.adapt_json_value
        rows = (
            tuple(adapt(v, json_encoders[i]) if i in json_encoders else v for i, v in enumerate(row)) for row in rows
        )
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        for batch in batched(rows, 20000):
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def reserve_ids(model, count: int) -> list[int]:
    """`count` new primary keys of `model`'s table, ascending: rows that point at each other
    (parents, cross-references) can then be written with write_rows in one pass, instead of
    inserted for their ids and updated with the links after."""
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s) ORDER BY 1",
                [table, pk, count],
            )
            return [value for (value,) in cursor.fetchall()]
        # SQLite: above every id in use (its AUTOINCREMENT counter follows explicit ids).
        cursor.execute(f"SELECT COALESCE(MAX({pk}), 0) FROM {table}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


@contextlib.contextmanager
def indexes_built_after(model) -> Iterator[None]:
    """Bulk-load a table with its secondary indexes and (PostgreSQL) foreign keys set aside,
    then build each index once and check each key once: one sort per index and one join per
    key instead of maintaining every index and queueing a key check for every row written.
    For the biggest loads (bench/imports.py measures them): the PTP edits, and on a first
    load_codesets the PTP edits and index terms of the whole run.
    The primary key and unique indexes stay (upserts rely on them).

    The definitions come from the database's catalogue, so the migrations stay the one place
    that defines them. Use it inside the import's transaction: the DDL commits or rolls back
    with the rows, and until then readers of this one table wait for the import on PostgreSQL. So
    there only a table that starts empty (the first load, before the site serves it) is loaded this
    way: on a live site's re-import, its pages go on reading the old rows while the new ones are
    written. SQLite's readers never wait (WAL: they read the last committed rows, indexes and all),
    so there a table is always loaded this way: the outpatient PTP file, written with its indexes
    kept over the practitioner rows already loaded, spent as much time waiting on the disk as
    computing (21-27 s for 15 s of CPU, against 16 s with the indexes built after)."""
    assert transaction.get_connection().in_atomic_block, "indexes_built_after must run in a transaction"
    if connection.vendor == "postgresql" and model.objects.exists():
        yield
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                "WHERE indrelid = %s::regclass AND NOT indisprimary AND NOT indisunique",
                [table],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            keys = cursor.fetchall()
            # Key checks already queued for this table must run before its keys can be dropped.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for name, _ in keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's default
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL "
                "AND sql NOT LIKE 'CREATE UNIQUE%%'",
                [table],
            )
            indexes, keys = cursor.fetchall(), []
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)
        if keys:
            # A key's triggers go on the table it names too, which must have no checks queued.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


def batched(iterable: Iterable, size: int = BATCH_SIZE) -> Iterator[list]:
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
