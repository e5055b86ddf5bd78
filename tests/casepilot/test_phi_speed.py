"""The redactor is linear in its input: 1 MB written against each kind of pattern takes under a
second, where the old email pattern took 3.6 s on 25 KB (n^2)."""

import time

import pytest

from casepilot import phi

MB = 1_000_000


def _repeat(piece: str) -> str:
    return (piece * (MB // len(piece) + 1))[:MB]


# For each kind, text that nearly matches everywhere: what makes a backtracking pattern slow.
ADVERSARIAL = {
    "email": ["a" * MB, _repeat("a@a.")],
    "dob": [_repeat("DOB ")],
    "ssn": [_repeat("SSN ")],
    "mrn": [_repeat("MRN A")],
    "account": [_repeat("account ")],
    "phone": [_repeat("phone ")],
    "address": [_repeat("1 "), _repeat("P.O. Box 1, ")],
    "name": [_repeat("Mr. "), _repeat("pt: ")],
}


def _seconds(rules, text: str) -> float:
    lowered = text.translate(phi._ASCII_LOWER)
    best = float("inf")
    for _ in range(2):  # the better of two runs: a shared machine's pauses are not the pattern's
        started = time.perf_counter()
        for rule in rules:
            for _match in rule.finditer(text, lowered):
                pass
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("kind", sorted(ADVERSARIAL))
def test_each_pattern_reads_a_megabyte_of_adversarial_text_in_under_a_second(kind):
    rules = [rule for rule in [*phi._RULES, phi._NAME_CUES] if rule.kind == kind]
    assert rules
    spent = sum(_seconds(rules, text) for text in ADVERSARIAL[kind])
    assert spent < 1.0, f"{kind}: {spent:.2f} s"


def test_every_kind_has_adversarial_text():
    assert {rule.kind for rule in phi._RULES} | {"name"} == set(ADVERSARIAL)
