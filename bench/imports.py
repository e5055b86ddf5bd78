"""Import speed: the COPY path for codes on PostgreSQL against what it replaced, and a full
load_codesets with the time and row count of every set.

    DATABASE_URL=postgres://... python bench/imports.py ab [--codes 20000]
    DATABASE_URL=postgres://... python bench/imports.py load     # a fresh database: loads everything

`ab` runs each variant three times, each in a transaction that is rolled back, on the first
rows of the bundled files, and prints the best time of each (the machine is shared: the best
of three is the least disturbed):
- codes: sync_codes writing ICD-10-CM codes through COPY + INSERT ... ON CONFLICT (use_copy)
  against Django's bulk_create(update_conflicts=True) in 2,000-row batches;
(Tried and dropped, under 10% here: PTP edits written as COPY text blocks instead of one
write_row per row, 8-10% less; the PTP indexes dropped for the load and built after, 1%.)
`load` runs load_codesets (--force) and prints each step's seconds and each release's rows.
"""

import argparse
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
    from django.db import transaction

    times = []
    for _ in range(n):
        started = time.perf_counter()
        try:
            with transaction.atomic():
                run()
                raise Rollback
        except Rollback:
            pass
        times.append(time.perf_counter() - started)
    return min(times)


def ab(codes: int) -> None:
    from django.db import connection

    from codes.importers import base, icd10cm
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
        bulk = best_of(3, sync)
    print(f"sync_codes, {len(rows):,} codes: COPY {copy:.2f} s, bulk_create {bulk:.2f} s ({1 - copy / bulk:.0%} less)")


def load() -> None:
    from django.core.management import call_command

    from codes.models import Release

    out = StringIO()
    started = time.perf_counter()
    call_command("load_codesets", "--force", stdout=out)
    total = time.perf_counter() - started
    for line in out.getvalue().splitlines():
        if re.match(r"^  .*: [\d.]+ s$", line) or line.startswith(("Search index", "Code sets loaded")):
            print(line)
    print(f"load_codesets --force: {total:.1f} s")
    for release in Release.objects.order_by("dataset", "effective_date"):
        print(f"  {release.dataset:28} {release.version:10} {release.row_count:>10,}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["ab", "load"])
    parser.add_argument("--codes", type=int, default=20000)
    args = parser.parse_args()
    setup()
    if args.what == "ab":
        ab(args.codes)
    else:
        load()
