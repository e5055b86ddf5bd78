"""Import speed: the COPY path for codes on PostgreSQL against what it replaced, and a full
load_codesets with the time and row count of every set.

    DATABASE_URL=postgres://... python bench/imports.py ab [--codes 20000] [--ptp 300000]
    DATABASE_URL=postgres://... python bench/imports.py load     # a fresh database: loads everything

`ab` runs each variant three times, each in a transaction that is rolled back, on the first
rows of the bundled files, and prints the best time of each (the machine is shared: the best
of three is the least disturbed):
- codes: sync_codes writing ICD-10-CM codes through COPY + INSERT ... ON CONFLICT (use_copy)
  against the path SQLite takes (one executemany of the same INSERT ... ON CONFLICT over tuples);
- PTP edits: import_ptp on the first --ptp rows of the practitioner file with the table's
  indexes and foreign key set aside during the COPY (base.indexes_built_after) against kept
  (what it costs depends on the rows already in the table: the indexes are rebuilt over all);
- search index: build_index with the same, against kept (dropped: 4% more on 74,000 codes;
  the time is in building the documents and to_tsvector, not in the GIN index).
(Tried and dropped, under 10% here: PTP edits written as COPY text blocks instead of one
write_row per row, 8-10% less; the PTP indexes alone dropped for the load and built after, 1%:
it is the foreign key's check queued per row that the index-only attempt left in place.)
`load` runs load_codesets (--force) and prints each step's seconds and each release's rows.
"""

import argparse
import contextlib
import gzip
import itertools
import os
import re
import sys
import time
from io import StringIO
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "codingahead.settings")
    django.setup()


class Rollback(Exception):
    pass


def best_of(n: int, run) -> float:
    from django.db import connection, transaction

    times = []
    for _ in range(n):
        started = time.perf_counter()
        try:
            with transaction.atomic():
                run()
                # The foreign-key checks a commit would run (a rollback skips them).
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                raise Rollback
        except Rollback:
            pass
        times.append(time.perf_counter() - started)
    return min(times)


def ab(codes: int, ptp: int) -> None:
    from django.db import connection

    from codes.importers import base, icd10cm, ncci
    from codes.models import Release
    from codes.search import deferred_indexing

    if connection.vendor != "postgresql":
        raise SystemExit("the COPY paths are PostgreSQL's: set DATABASE_URL=postgres://...")
    fixtures = ROOT / "fixtures"
    sample = Path("/tmp/bench-icd10cm-codes.txt")
    with gzip.open(fixtures / "icd10cm/icd10cm-codes-2024.txt.gz", "rt") as f:
        sample.write_text("".join(itertools.islice(f, codes)))
    rows = icd10cm.parse_codes_file(path=sample)

    def sync():
        release = Release.objects.create(dataset="bench", version="1")
        with deferred_indexing():
            base.sync_codes(system="icd-10-cm", release=release, rows=[r.__class__(**vars(r)) for r in rows])

    copy = best_of(3, sync)
    with mock.patch.object(base, "use_copy", return_value=False):
        many = best_of(3, sync)
    print(f"sync_codes, {len(rows):,} codes: COPY {copy:.2f} s, executemany {many:.2f} s ({1 - copy / many:.0%} less)")

    ptp_sample = Path("/tmp/bench-ptp.tsv")
    with gzip.open(fixtures / "ncci/ptp_practitioner_2024-07-01.tsv.gz", "rt") as f:
        ptp_sample.write_text("".join(itertools.islice(f, ptp + 1)))
    import_sample = lambda: ncci.import_ptp(path=ptp_sample, setting="practitioner")  # noqa: E731
    aside_vs_kept(f"PTP edits, {ptp:,} rows", ncci, import_sample)


def aside_vs_kept(label: str, module, run) -> None:
    """The best of three of `run` with indexes_built_after as it is, then as a no-op."""
    aside = best_of(3, run)
    with mock.patch.object(module, "indexes_built_after", return_value=contextlib.nullcontext()):
        kept = best_of(3, run)
    print(f"{label}: indexes and keys set aside {aside:.2f} s, kept {kept:.2f} s ({1 - aside / kept:.0%} less)")


def _backend_cpu() -> float | None:
    """CPU seconds the PostgreSQL backend of this connection has used (it runs on this machine)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def load() -> None:
    from django.core.management import call_command

    from codes.models import Release

    out = StringIO()
    backend = _backend_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    call_command("load_codesets", "--force", stdout=out)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    for line in out.getvalue().splitlines():
        if re.match(r"^  .*: [\d.]+ s$", line) or line.startswith(("Search index", "Code sets loaded")):
            print(line)
    print(f"load_codesets --force: {total:.1f} s")
    # On a shared machine the wall time depends on the neighbours; the CPU spent does less.
    if backend is not None:
        print(f"  CPU: Python {cpu:.1f} s, its PostgreSQL backend {_backend_cpu() - backend:.1f} s")
    for release in Release.objects.order_by("dataset", "effective_date"):
        print(f"  {release.dataset:28} {release.version:10} {release.row_count:>10,}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["ab", "load"])
    parser.add_argument("--codes", type=int, default=20000)
    parser.add_argument("--ptp", type=int, default=300000)
    args = parser.parse_args()
    setup()
    if args.what == "ab":
        ab(args.codes, args.ptp)
    else:
        load()
