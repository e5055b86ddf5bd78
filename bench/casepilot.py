"""CasePilot default-engine speed: server time per question on the configured database.

Runs every question of the evaluation set (or --file) through, in-process:
- the engine alone (understanding, tool calls, composing the answer), and
- the whole API request (POST /api/v1/casepilot/ask through Django's test client: middleware,
  quota and rate-limit counters, PHI redaction, the engine, saving the question),
after one warm-up pass, and prints p50/p90/p99/max in milliseconds. The questions the API pass
saves are deleted afterwards (the guest's daily counters stay raised).

    DATABASE_URL=postgres://... python bench/casepilot.py [--repeat 3] [--file casepilot/eval/questions.tsv]

Target: p50 <= 150 ms.
"""

import argparse
import csv
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def percentiles(values: list[float]) -> str:
    values = sorted(values)

    def at(p: float) -> float:
        return values[min(len(values) - 1, round(p * (len(values) - 1)))]

    return (
        f"p50 {statistics.median(values):6.1f} ms  p90 {at(0.9):6.1f} ms  p99 {at(0.99):6.1f} ms  "
        f"max {values[-1]:6.1f} ms  (n={len(values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=ROOT / "casepilot" / "eval" / "questions.tsv")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-api", action="store_true", help="Time the engine only")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "codingahead.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from accounts.models import QuotaCounter
    from casepilot import engine
    from casepilot.models import Question

    with args.file.open(encoding="utf-8", newline="") as handle:
        questions = [row["question"] for row in csv.DictReader(handle, delimiter="\t")]
    print(
        f"{len(questions)} questions x {args.repeat} on {connection.vendor} ({settings.DATABASES['default']['NAME']})"
    )

    for question in questions:  # warm-up: connections, caches, the guide index
        engine.answer(question)

    timings, cpu = [], []
    for _ in range(args.repeat):
        for question in questions:
            started, started_cpu = time.perf_counter(), time.process_time()
            engine.answer(question)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    # Wall time includes waiting for the database and for the CPU (the machine is shared); CPU is this process's own.
    print(f"engine      {percentiles(timings)}")
    print(f"engine CPU  {percentiles(cpu)}")

    if args.no_api:
        return
    settings.PLANS = {plan: {**a, "casepilot_questions_per_day": 10**9} for plan, a in settings.PLANS.items()}
    settings.CASEPILOT_RATE = "1000000/m"
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    timings = []
    # Not one long transaction (its row versions would slow every later request): the rows the
    # pass writes are deleted afterwards instead.
    last_question = Question.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    last_count = QuotaCounter.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        for _ in range(args.repeat):
            for question in questions:
                started = time.perf_counter()
                response = client.post(
                    "/api/v1/casepilot/ask", json.dumps({"question": question}), content_type="application/json"
                )
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{response.status_code} for {question!r}: {response.content[:200]!r}")
    finally:
        Question.objects.filter(pk__gt=last_question).delete()
        QuotaCounter.objects.filter(pk__gt=last_count, meter="casepilot_questions").delete()
    print(f"API request {percentiles(timings)}")


if __name__ == "__main__":
    main()
