"""Run CasePilot's default engine over a question set and print accuracy per topic.

The file is tab-separated with a header row: topic, question, facts, codes.
- facts: phrases that must all appear in the answer (case-insensitive), separated by " | ";
- codes: codes the answer must cite among its codes, space-separated, as "system:code" or "code".

    python manage.py casepilot_eval casepilot/eval/questions.tsv [--verbose]
"""

import csv
import statistics
import time
from collections import defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casepilot import engine


def check(answer: engine.Answer, facts: list[str], codes: list[str]) -> list[str]:
    """What an answer misses: the expected phrases not in its text, the codes not among its codes."""
    text = answer.text.lower()
    missing = [f"fact “{fact}”" for fact in facts if fact.lower() not in text]
    cited = {(c.system, c.code) for c in answer.codes}
    cited_codes = {c for _, c in cited}
    for expected in codes:
        system, _, code = expected.rpartition(":")
        if (system and (system, code) not in cited) or (not system and code not in cited_codes):
            missing.append(f"code {expected}")
    return missing


class Command(BaseCommand):
    help = "Evaluate CasePilot on a TSV of questions with expected facts and codes; prints accuracy per topic."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--verbose", action="store_true", help="Print every failed question and what it missed")

    def handle(self, *args, file: Path, verbose: bool, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        with file.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        if not rows or not {"topic", "question", "facts", "codes"} <= set(rows[0]):
            raise CommandError("The file needs a header row: topic, question, facts, codes (tab-separated)")
        passed: dict[str, int] = defaultdict(int)
        total: dict[str, int] = defaultdict(int)
        timings: list[float] = []
        for line, row in enumerate(rows, start=2):
            facts = [f.strip() for f in (row["facts"] or "").split(" | ") if f.strip()]
            codes = (row["codes"] or "").split()
            started = time.perf_counter()
            answer = engine.answer(row["question"])
            timings.append((time.perf_counter() - started) * 1000)
            missing = check(answer, facts, codes)
            total[row["topic"]] += 1
            if not missing:
                passed[row["topic"]] += 1
            elif verbose:
                self.stdout.write(
                    f"FAIL line {line} [{row['topic']}] {row['question']}\n  missing: {'; '.join(missing)}"
                )
        width = max(len(topic) for topic in total)
        self.stdout.write(f"{'topic':<{width}}  passed  total  accuracy")
        for topic in sorted(total):
            self.stdout.write(
                f"{topic:<{width}}  {passed[topic]:>6}  {total[topic]:>5}  {passed[topic] / total[topic]:>8.1%}"
            )
        all_passed, all_total = sum(passed.values()), sum(total.values())
        self.stdout.write(f"{'all':<{width}}  {all_passed:>6}  {all_total:>5}  {all_passed / all_total:>8.1%}")
        timings.sort()
        self.stdout.write(
            f"engine time per question: p50 {statistics.median(timings):.1f} ms, "
            f"p90 {timings[int(len(timings) * 0.9) - 1]:.1f} ms, max {timings[-1]:.1f} ms"
        )
