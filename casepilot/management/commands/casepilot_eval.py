"""Run CasePilot's default engine over a question set and print accuracy per topic.

Two tab-separated layouts, each with a header row:

- topic, question, facts, codes (casepilot/eval/questions.tsv): facts are phrases that must all
  appear in the answer (case-insensitive), separated by " | "; codes must be among the answer's
  cited codes, space-separated, as "system:code" or "code".
- split, topic, question, codes, not, words (casepilot/eval/cases.tsv, the facts a right answer
  needs): `codes` must all appear in the answer's text, and codes joined by ">" in that order
  (reporting order); `not` codes must not appear at all (a wrong code offered); `words` must all
  appear (" | " between them, "~" between alternatives). `split` is "tune" or "holdout": pass
  --split to grade one part (the held-out part is never tuned on).

    python manage.py casepilot_eval casepilot/eval/cases.tsv [--split holdout] [--verbose]
"""

import csv
import re
import statistics
import time
from collections import defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casepilot import engine

OLD_HEADER = {"topic", "question", "facts", "codes"}
NEW_HEADER = {"split", "topic", "question", "codes", "not", "words"}


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


def _position(text: str, code: str) -> int:
    """Where `code` is first named in `text` as a code (not inside a longer one), or -1."""
    match = re.search(rf"(?<![A-Za-z0-9.]){re.escape(code)}(?![A-Za-z0-9]|\.[A-Za-z0-9])", text)
    return match.start() if match else -1


def _has_words(text: str, phrase: str) -> bool:
    pattern = re.escape(phrase.lower())
    if phrase[:1].isalnum():
        pattern = rf"(?<![a-z0-9]){pattern}"
    if phrase[-1:].isalnum():
        pattern = rf"{pattern}(?![a-z0-9])"
    return re.search(pattern, text.lower()) is not None


def _chains(codes: str) -> list[list[str]]:
    """ "I12.0 > N18.5 Z79.4" -> [["I12.0", "N18.5"], ["Z79.4"]]: codes joined by ">" go in that order."""
    chains: list[list[str]] = []
    joined = False
    for token in codes.split():
        if token == ">":
            joined = True
        elif joined and chains:
            chains[-1].append(token)
            joined = False
        else:
            chains.append([token])
    return chains


def grade(answer: engine.Answer, *, codes: str, forbidden: str, words: str) -> tuple[list[str], list[str]]:
    """(what a right and complete answer lacks, the wrong codes it offers) for a cases.tsv row."""
    text = answer.text
    missing: list[str] = []
    for ordered in _chains(codes):
        positions = [_position(text, c) for c in ordered]
        missing += [f"code {c}" for c, p in zip(ordered, positions, strict=True) if p < 0]
        found = [p for p in positions if p >= 0]
        if len(found) == len(positions) and found != sorted(found):
            missing.append(f"order {' > '.join(ordered)}")
    for phrase in (w.strip() for w in words.split(" | ")):
        if phrase and not any(_has_words(text, alt.strip()) for alt in phrase.split("~")):
            missing.append(f"words “{phrase}”")
    wrong = [c for c in forbidden.split() if _position(text, c) >= 0]
    return missing, wrong


class Command(BaseCommand):
    help = "Evaluate CasePilot on a TSV of questions with the facts a right answer needs; prints accuracy per topic."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--split", choices=["tune", "holdout"], help="Grade only this part (cases.tsv layout)")
        parser.add_argument("--verbose", action="store_true", help="Print every failed question and what it missed")

    def handle(self, *args, file: Path, split: str | None, verbose: bool, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        with file.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        header = set(rows[0]) if rows else set()
        cases = header >= NEW_HEADER
        if not cases and not header >= OLD_HEADER:
            raise CommandError(
                "The file needs a header row: topic, question, facts, codes "
                "or split, topic, question, codes, not, words (tab-separated)"
            )
        passed: dict[str, int] = defaultdict(int)
        total: dict[str, int] = defaultdict(int)
        timings: list[float] = []
        wrong_offered = 0
        for line, row in enumerate(rows, start=2):
            if split and cases and row["split"] != split:
                continue
            started = time.perf_counter()
            answer = engine.answer(row["question"])
            timings.append((time.perf_counter() - started) * 1000)
            if cases:
                missing, wrong = grade(
                    answer, codes=row["codes"] or "", forbidden=row["not"] or "", words=row["words"] or ""
                )
                if wrong:
                    wrong_offered += 1
                    missing += [f"wrong code {c}" for c in wrong]
            else:
                facts = [f.strip() for f in (row["facts"] or "").split(" | ") if f.strip()]
                missing = check(answer, facts, (row["codes"] or "").split())
            total[row["topic"]] += 1
            if not missing:
                passed[row["topic"]] += 1
            elif verbose:
                self.stdout.write(
                    f"FAIL line {line} [{row['topic']}] {row['question']}\n  missing: {'; '.join(missing)}"
                )
        if not total:
            raise CommandError("No questions to grade.")
        width = max(len(topic) for topic in total)
        self.stdout.write(f"{'topic':<{width}}  passed  total  accuracy")
        for topic in sorted(total):
            self.stdout.write(
                f"{topic:<{width}}  {passed[topic]:>6}  {total[topic]:>5}  {passed[topic] / total[topic]:>8.1%}"
            )
        all_passed, all_total = sum(passed.values()), sum(total.values())
        self.stdout.write(f"{'all':<{width}}  {all_passed:>6}  {all_total:>5}  {all_passed / all_total:>8.1%}")
        if cases:
            self.stdout.write(f"answers offering a wrong code: {wrong_offered}")
        timings.sort()
        self.stdout.write(
            f"engine time per question: p50 {statistics.median(timings):.1f} ms, "
            f"p90 {timings[int(len(timings) * 0.9) - 1]:.1f} ms, max {timings[-1]:.1f} ms"
        )
