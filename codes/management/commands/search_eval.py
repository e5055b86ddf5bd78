"""Measure Case2Code's answers against a list of queries and the codes they should find."""

import time
from collections import defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from codes.models import Code, System
from codes.search import search


def read_eval(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line number, query, expected codes) from `query<TAB>code [code...]` lines; `#` comments.
    A code may name its system (`ms-drg:470`) where the same text is a code of two systems."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        query, _, expected = line.partition("\t")
        codes = expected.replace(",", " ").split()
        if not query.strip() or not codes:
            raise CommandError(f"{path.name}, line {number}: expected 'query<TAB>code [code...]'")
        cases.append((number, query.strip(), codes))
    return cases


def _key(system: str, code: str) -> str:
    return f"{system}:{code}"


class Command(BaseCommand):
    help = (
        "Run every query of FILE (query<TAB>expected code(s)) through the search and print hit@1, "
        "hit@5 and MRR (over the top 10), overall and per code system of the expected code."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--misses", action="store_true", help="List the queries not answered in the top 5.")

    def handle(self, *args, file: Path, misses: bool = False, verbosity=1, **options):
        if not file.exists():
            raise CommandError(f"{file}: no such file")
        cases = read_eval(file)
        known = {}
        for system, code in Code.objects.values_list("system", "code").iterator(chunk_size=20000):
            known.setdefault(code, []).append(system)
        totals: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0])  # hit1, hit5, rr, n
        missed, unknown = [], []
        started = time.monotonic()
        for number, query, expected in cases:
            wanted = set()
            for item in expected:
                system, _, code = item.rpartition(":") if ":" in item else ("", "", item)
                systems = [system] if system else known.get(code, [])
                if not systems or code not in known:
                    unknown.append(f"line {number}: {item}")
                wanted.update(_key(s, code) for s in systems)
            first = next(iter(sorted(wanted)), ":").split(":")[0]
            found = [_key(r.system, r.code_str) for r in search(query, limit=10).results]
            rank = next((i + 1 for i, key in enumerate(found) if key in wanted), None)
            for bucket in ("all", first):
                t = totals[bucket]
                t[0] += rank == 1
                t[1] += bool(rank and rank <= 5)
                t[2] += 1 / rank if rank else 0.0
                t[3] += 1
            if not rank or rank > 5:
                missed.append(f"{query!r} (line {number}): expected {' '.join(expected)}, got {' '.join(found[:5])}")
        elapsed = time.monotonic() - started
        self.stdout.write(f"{'':<12} {'queries':>7} {'hit@1':>6} {'hit@5':>6} {'MRR':>6}")
        for bucket in ["all", *System.values]:
            if bucket not in totals:
                continue
            hit1, hit5, rr, n = totals[bucket]
            self.stdout.write(f"{bucket:<12} {n:>7} {hit1 / n:>6.3f} {hit5 / n:>6.3f} {rr / n:>6.3f}")
        self.stdout.write(f"{len(cases)} queries in {elapsed:.1f} s")
        if unknown:
            self.stderr.write("Expected codes not in the database: " + ", ".join(unknown))
        if misses and missed:
            self.stdout.write("Not in the top 5:")
            for line in missed:
                self.stdout.write(f"  {line}")
