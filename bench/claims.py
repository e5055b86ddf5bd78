"""Claim check speed: 1,000 claims of 10 service lines each (and 4 diagnoses), built from the loaded
tables with a fixed seed so that they hit real edits (PTP pairs, MUEs, add-on codes, Tabular notes).
Reports the time of the whole batch (wall clock, and this process's CPU time, which a busy machine
disturbs less) (`codes.claims.check_many`, as the CSV upload runs it), claims per
second, the findings found, and the queries per claim (min/max over every claim: bounded, not per pair).

    DATABASE_URL=postgres://.../claims_data python bench/claims.py [--claims 1000] [--lines 10]

Needs every code set loaded (manage.py load_codesets). Reads only; writes nothing.
"""

import argparse
import datetime
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "codingahead.settings")

DAY = datetime.date(2026, 5, 4)  # inside the loaded MUE quarter and fee schedule year


def build_claims(count: int, lines: int, seed: int):
    from codes import claims
    from codes.models import AddOnEdit, Code, Mue, Note, PtpEdit

    rng = random.Random(seed)
    edits = PtpEdit.objects.filter(setting="practitioner", deletion_date__isnull=True)
    top = edits.order_by("-pk").values_list("pk", flat=True).first() or 0
    picked = {rng.randint(1, top) for _ in range(count * 6)}  # ids, not ORDER BY random(): the same claims each run
    ptp = list(edits.filter(pk__in=picked).order_by("pk").values_list("column1", "column2"))
    mue = list(Mue.objects.filter(setting="practitioner").values_list("code", "units")[:2000])
    addons = list(AddOnEdit.objects.values_list("addon_code", flat=True).distinct()[:500])
    procedures = list(Code.objects.filter(system__in=["cpt", "hcpcs"], billable=True).values_list("code", flat=True))
    noted = list(
        Note.objects.filter(type__in=["excludes1", "use_additional", "code_first"], code__billable=True).values_list(
            "code__code", flat=True
        )[:3000]
    )
    diagnoses = list(Code.objects.filter(system="icd-10-cm", billable=True).values_list("code", flat=True))
    made = []
    for _ in range(count):
        codes = list(rng.choice(ptp)) + list(rng.choice(ptp))
        code, limit = rng.choice(mue)
        codes.append(code)
        codes.append(rng.choice(addons))
        while len(codes) < lines:
            codes.append(rng.choice(procedures))
        dx = [rng.choice(noted), rng.choice(noted), rng.choice(diagnoses), rng.choice(diagnoses)]
        made.append(
            claims.Claim(
                date_of_service=DAY,
                setting="practitioner",
                age=rng.randint(0, 90),
                sex=rng.choice("FM"),
                diagnoses=tuple(dx),
                lines=tuple(
                    claims.Line(
                        number=i,
                        code=c,
                        modifiers=(rng.choice(["", "59", "25", "LT", "50"]),) if rng.random() < 0.3 else (),
                        units=limit + 1 if c == code else 1,
                        pointers=(rng.randint(1, 5),),
                    )
                    for i, c in enumerate(codes[:lines], start=1)
                ),
            )
        )
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=10)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from codes import claims

    batch = build_claims(args.claims, args.lines, args.seed)
    claims.check_many(batch[:20])  # warm: connection, imports
    started, cpu = time.perf_counter(), time.process_time()
    results = claims.check_many(batch)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    # Queries: of one claim checked alone (the page and the API), and of the whole batch.
    queries = []
    releases = claims.load_releases()
    for claim in batch[:200]:
        with CaptureQueriesContext(connection) as captured:
            claims.check(claim, releases=releases)
        queries.append(len(captured))
    with CaptureQueriesContext(connection) as captured:
        claims.check_many(batch)
    batch_queries = len(captured)
    found = Counter(f.rule for result in results for f in result.findings)
    load = os.getloadavg()
    print(f"{args.claims} claims x {args.lines} lines on {connection.vendor} ({connection.settings_dict['NAME']})")
    print(
        f"time: {elapsed:.2f} s ({args.claims / elapsed:.0f} claims/s, {elapsed / args.claims * 1000:.1f} ms a claim); CPU of this process: {cpu:.2f} s"
    )
    print(f"queries of one claim checked alone: min {min(queries)}, max {max(queries)} (200 claims)")
    print(
        f"queries of the batch: {batch_queries} ({batch_queries / len(batch):.2f} a claim; tables per {claims.CHUNK} claims)"
    )
    print(f"findings: {sum(found.values())} ({', '.join(f'{rule} {n}' for rule, n in found.most_common())})")
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
