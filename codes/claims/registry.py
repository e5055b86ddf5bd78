"""The claim check's rules: one table of them (RULES), filled by the rule modules.

A rule is a function `(claim, data) -> (findings, checked)`: it reads only `ClaimData` (every
table row the claim needs, loaded before any rule runs) and says how many things it examined
(codes, pairs, lines), the `checked` counts of the answer. Adding a rule is one decorated
function in the module of its family; nothing else learns its name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.urls import reverse

from codes.history import release_name

SEVERITIES = ("error", "warning", "info")  # worst first


@dataclass(frozen=True)
class Source:
    title: str
    release: str = ""
    url: str = ""

    def as_json(self) -> dict:
        return {"title": self.title, "release": self.release, "url": self.url}


@dataclass(frozen=True)
class Finding:
    severity: str
    rule: str
    lines: tuple[int, ...]  # 1-based service lines; () for a finding about the diagnoses alone
    codes: tuple[str, ...]
    message: str
    source: Source
    # What the rule matched, for callers that word their own answer (CasePilot's pair answers):
    # never in the API's output.
    facts: dict = field(default_factory=dict, compare=False)

    def as_json(self) -> dict:
        return {
            "severity": self.severity,
            "rule": self.rule,
            "lines": list(self.lines),
            "codes": list(self.codes),
            "message": self.message,
            "source": self.source.as_json(),
        }

    @property
    def rank(self) -> tuple:
        return (SEVERITIES.index(self.severity), self.lines[:1] or (0,), self.rule)


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    title: str  # what it checks, in plain words (the page lists them)
    run: Callable


RULES: dict[str, Rule] = {}


def rule(rule_id: str, *, family: str, title: str):
    def register(function: Callable) -> Callable:
        RULES[rule_id] = Rule(rule_id, family, title, function)
        return function

    return register


def absolute(path: str) -> str:
    return settings.SITE_ROOT + path


def code_url(system: str, code: str) -> str:
    return absolute(_code_path(system, code))


@lru_cache(maxsize=50_000)  # a batch names the same codes claim after claim: reverse() is most of a finding's cost
def _code_path(system: str, code: str) -> str:
    return reverse("codes:code", args=[system, code])


def release_label(release) -> str:
    """ "FY2026" for an ICD-10 fiscal year, else the release's title; "" when none is loaded."""
    return release_name(release) if release is not None else ""
