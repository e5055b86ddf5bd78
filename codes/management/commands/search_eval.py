"""Measure Case2Code's answers against a list of queries and the codes they should find."""

import re
import time
from collections import defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from codes.models import Code
from codes.search import search

_SECTION = re.compile(r"^#\s*---\s*(.+?)\s*---")


def read_eval(path: Path) -> list[tuple[int, str, list[str], str]]:
    """(line number, query, expected codes, kind) from `query<TAB>code [code...][<TAB>kind]` lines;
    `#` comments. A line without a kind takes the section it is in (`# --- lay terms ---`).
    A code may name its system (`ms-drg:470`) where the same text is a code of two systems,
    and may end in `*` for any code that starts so (`0SRB0*`: every open hip replacement)."""
    cases, section = [], "other"
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        heading = _SECTION.match(line)
        if heading:
            section = heading.group(1)
        if not line.strip() or line.startswith("#"):
            continue
        query, _, rest = line.partition("\t")
        expected, _, kind = rest.partition("\t")
        codes = expected.replace(",", " ").split()
        if not query.strip() or not codes:
            raise CommandError(f"{path.name}, line {number}: expected 'query<TAB>code [code...][<TAB>kind]'")
        cases.append((number, query.strip(), codes, kind.strip() or section))
    return cases


def _key(system: str, code: str) -> str:
    return f"{system}:{code}"


class Command(BaseCommand):
    help = (
        "Run every query of FILE (query<TAB>expected code(s)[<TAB>kind]) through the search and print "
        "hit@1, hit@5 and MRR (over the top 10), overall and per kind of query."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--misses", action="store_true", help="List the queries not answered in the top 5.")

    def handle(self, *args, file: Path, misses: bool = False, verbosity=1, **options):
        if not file.exists():
            raise CommandError(f"{file}: no such file")
        cases = read_eval(file)
        known: dict[str, list[str]] = {}
        for system, code in Code.objects.values_list("system", "code").iterator(chunk_size=20000):
            known.setdefault(code, []).append(system)
        totals: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0.0, 0])  # hit1, hit5, rr, n
        missed, unknown = [], []
        started = time.monotonic()
        for number, query, expected, kind in cases:
            wanted, prefixes = set(), []
            for item in expected:
                system, _, code = item.rpartition(":") if ":" in item else ("", "", item)
                if code.endswith("*"):
                    prefixes.append(code[:-1])
                    if not any(c.startswith(code[:-1]) for c in known):
                        unknown.append(f"line {number}: {item}")
                    continue
                systems = [system] if system else known.get(code, [])
                if not systems or code not in known:
                    unknown.append(f"line {number}: {item}")
                wanted.update(_key(s, code) for s in systems)
            results = search(query, limit=10).results
            rank = next(
                (
                    i + 1
                    for i, r in enumerate(results)
                    if _key(r.system, r.code_str) in wanted or any(r.code_str.startswith(p) for p in prefixes)
                ),
                None,
            )
            for bucket in ("all", kind):
                t = totals[bucket]
                t[0] += rank == 1
                t[1] += bool(rank and rank <= 5)
                t[2] += 1 / rank if rank else 0.0
                t[3] += 1
            if not rank or rank > 5:
                got = " ".join(r.code_str for r in results[:5])
                missed.append(f"{query!r} (line {number}, {kind}): expected {' '.join(expected)}, got {got}")
        elapsed = time.monotonic() - started
        self.stdout.write(f"{'':<24} {'queries':>7} {'hit@1':>6} {'hit@5':>6} {'MRR':>6}")
        for bucket in ["all", *sorted(k for k in totals if k != "all")]:
            hit1, hit5, rr, n = totals[bucket]
            self.stdout.write(f"{bucket:<24} {n:>7} {hit1 / n:>6.3f} {hit5 / n:>6.3f} {rr / n:>6.3f}")
        self.stdout.write(f"{len(cases)} queries in {elapsed:.1f} s")
        if unknown:
            self.stderr.write("Expected codes not in the database: " + ", ".join(unknown))
        if misses and missed:
            self.stdout.write("Not in the top 5:")
            for line in missed:
                self.stdout.write(f"  {line}")
