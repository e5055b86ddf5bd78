"""Diagnosis pointers: each line points to diagnoses the claim has."""

from __future__ import annotations

from .registry import Finding, Source, rule

SOURCE = Source(title="CMS-1500 claim form instructions, item 24E (diagnosis pointer)")


@rule("pointer", family="claim", title="Diagnosis pointers point to a diagnosis on the claim")
def pointer(claim, data):
    findings, checked = [], 0
    count = len(claim.diagnoses)
    for line in claim.lines:
        checked += 1
        if not line.pointers:
            findings.append(
                Finding(
                    "warning" if count else "error",
                    "pointer",
                    (line.number,),
                    (line.code,),
                    f"Line {line.number} ({line.code}) points to no diagnosis: every service line names the "
                    "diagnosis that supports it.",
                    SOURCE,
                )
            )
        for position in line.pointers:
            if position > count:
                findings.append(
                    Finding(
                        "error",
                        "pointer",
                        (line.number,),
                        (line.code,),
                        f"Line {line.number} ({line.code}) points to diagnosis {position}, but the claim has "
                        f"{count} diagnos{'is' if count == 1 else 'es'}.",
                        SOURCE,
                    )
                )
    return findings, checked
