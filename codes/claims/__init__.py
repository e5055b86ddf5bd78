"""The claim check: every NCCI, MUE, add-on, Tabular List note, validity, demographic, fee schedule
and pointer rule on a claim, before it is sent. The one implementation of these rules: the page and
API (codes/claim_views.py), the CSV batch (batch.py) and CasePilot's pair answers all call `check()`.

- `claim.py`: the claim and its validation (`parse`), one message per field;
- `data.py`: every row the rules read, loaded in a fixed number of queries per claim;
- one module per family of rules (`validity`, `ncci`, `notes`, `demographics`, `fees`, `pointers`),
  each rule registered in `registry.RULES` by its id;
- `saved.py`: claims a signed-in user saved.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import demographics, fees, ncci, notes, pointers, validity  # noqa: F401  (they fill RULES)
from .claim import Claim, ClaimError, Line, parse
from .data import CHUNK, ClaimData, Tables, load_releases
from .registry import RULES, SEVERITIES, Finding, Source

__all__ = ["RULES", "SEVERITIES", "Claim", "ClaimError", "Finding", "Line", "Result", "Source", "check", "parse"]


@dataclass
class Result:
    claim: Claim
    findings: list[Finding]
    checked: dict[str, int]

    def as_json(self) -> dict:
        return {"findings": [f.as_json() for f in self.findings], "checked": self.checked}

    def counts(self) -> dict[str, int]:
        return {severity: sum(f.severity == severity for f in self.findings) for severity in SEVERITIES}

    def by_line(self) -> list[dict]:
        """The findings grouped for the page: the diagnoses' own first, then each line, worst group first
        within each severity order; a finding on several lines is shown with each of them."""
        groups = [{"line": None, "findings": [f for f in self.findings if not f.lines]}]
        for line in self.claim.lines:
            groups.append({"line": line, "findings": [f for f in self.findings if line.number in f.lines]})
        groups = [g for g in groups if g["findings"]]
        return sorted(
            groups, key=lambda g: (min(f.rank[0] for f in g["findings"]), g["line"].number if g["line"] else 0)
        )


def check(claim: Claim, *, rules: tuple[str, ...] | None = None, releases=None, tables: Tables | None = None) -> Result:
    """Run every rule (or the `rules` named) on `claim`: the data in a few queries (or from `tables`
    loaded for a batch holding it), then Python only."""
    data = ClaimData(claim, tables) if tables is not None else ClaimData.load(claim, releases=releases)
    findings, checked = [], {}
    for rule_id, rule in RULES.items():
        if rules is not None and rule_id not in rules:
            continue
        found, count = rule.run(claim, data)
        findings.extend(found)
        checked[rule_id] = count
    findings.sort(key=lambda f: f.rank)
    return Result(claim=claim, findings=findings, checked=checked)


def check_many(claims: list[Claim]) -> list[Result]:
    """A batch: the releases read once, the tables once per CHUNK claims."""
    releases = load_releases()
    results = []
    for start in range(0, len(claims), CHUNK):
        chunk = claims[start : start + CHUNK]
        tables = Tables.load(chunk, releases=releases)
        results += [check(claim, tables=tables) for claim in chunk]
    return results
