"""Case to codes, step 5: what is reported and in which order. Codes whose "code first" note names
another code found follow it, additional codes follow the code that asked for them, the systemic
infection and the therapy encounter come first; the Table of Drugs' codes take their place; an
unspecified code gives way to the specific one; an injury takes the external cause its words give."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from codes.models import Code, Note, compact_code

from . import drugs
from .case_index import INJURY, external_cause
from .case_notes import in_ranges, notes_of, ranges_of
from .case_text import Condition, words_of

SEPSIS = re.compile(r"\bsepsis\b", re.I)


@dataclass
class Coded:
    code: Code
    why: str
    after: Code | None = None  # an additional code follows the code whose note asked for it
    words: set[str] = field(default_factory=set)


def order(coded: list[Coded]) -> list[Coded]:
    """Reporting order: a code whose "code first" note names another code found goes after it;
    an additional code goes right after the code that asked for it."""
    codes = [c.code for c in coded]
    firsts: dict[int, list[Code]] = {}
    for item in coded:
        for note in notes_of(item.code):
            if note.type == Note.Type.CODE_FIRST:
                ranges = ranges_of(note.text)
                named = [c for c in codes if c.pk != item.code.pk and in_ranges(c, ranges)]
                if named:
                    firsts.setdefault(item.code.pk, []).extend(named)
                    item.why += f"; its note says code first {note.text.strip(' ,')} (so it follows {named[0].code})"
    ordered: list[Coded] = []
    placed: set[int] = set()

    def place(item: Coded) -> None:
        if item.code.pk in placed:
            return
        for first in firsts.get(item.code.pk, []):
            place(next(c for c in coded if c.code.pk == first.pk))
        placed.add(item.code.pk)
        ordered.append(item)
        for extra in coded:
            if extra.after is not None and extra.after.pk == item.code.pk:
                place(extra)

    # An encounter solely for chemotherapy, immunotherapy or radiation therapy lists its Z51 code
    # first, then the malignancy (guideline I.C.2.e.2).
    for item in coded:
        if item.after is None and compact_code(item.code.code)[:3] == "Z51":
            item.why += "; listed first: the encounter is for the therapy (guideline I.C.2.e.2)"
            place(item)
    # Sepsis with a localized infection: the systemic infection first (guideline I.C.1.d.4); severe
    # sepsis (R65.2-) is never first, its note says code first the underlying infection.
    for item in coded:
        if item.after is None and SEPSIS.search(item.code.title) and not item.code.code.startswith("R65"):
            item.why += "; listed first: the systemic infection before the localized one (guideline I.C.1.d.4)"
            place(item)
    for item in coded:
        if item.after is None:
            place(item)
    for item in coded:
        place(item)
    return ordered


def with_drug_events(coded: list[Coded], events: list[drugs.DrugEvent], text: str) -> tuple[list[Coded], list[str]]:
    """The Table's codes put in their place (guideline I.C.19.e.5): a poisoning before its
    manifestations; an adverse effect after them; an underdosing after the condition, with the
    noncompliance code after it. Also what the Table could not give."""
    facts: list[str] = []
    found = [e for e in events if e.code is not None]
    for event in events:
        facts += [f"{event.term.title}: {missing}." for missing in event.missing]
    if not found:
        if drugs.event_of(text) and not events:
            facts.append(
                "The case describes a drug event, but names no substance of the Table of Drugs and Chemicals: "
                "name the drug or chemical to get its T code (guideline I.C.19.e)."
            )
        return coded, facts
    items = [Coded(e.code, e.why, words=set()) for e in found]
    event = found[0].event
    if event == drugs.POISONING:
        facts.append(
            "Sequencing (guideline I.C.19.e.5.b): the poisoning code is listed first, then the code(s) of its "
            "manifestations."
        )
        return items + coded, facts
    if event == drugs.ADVERSE:
        facts.append(
            "Sequencing (guideline I.C.19.e.5.a): for an adverse effect of a drug correctly prescribed and properly "
            "administered, the nature of the adverse effect is coded first, then the T code of the drug (5th or 6th "
            "character 5)."
        )
        if not coded:
            facts.append("The case does not say what the adverse effect was (rash, nausea...): code that first.")
        return coded + items, facts
    facts.append(
        "Sequencing (guideline I.C.19.e.5.c): an underdosing code is never principal or first-listed; the relapse or "
        "exacerbation of the condition the drug treats is coded first, and a noncompliance (Z91.12-, Z91.13-) or "
        "complication of care (Y63.6-Y63.9) code says why."
    )
    z91, path = drugs.noncompliance(text)
    if z91 is not None and all(c.code.pk != z91.pk for c in coded):
        items.append(Coded(z91, f"the Alphabetic Index: {path}", words=set()))
    elif z91 is None:
        facts.append(
            "The case does not say why less was taken (intentional, financial hardship, age): add the Z91.1- code that says so."
        )
    if not coded:
        facts.append("The case does not name the condition that relapsed: code it first.")
    return coded + items, facts


def without_superseded(coded: list[Coded]) -> list[Coded]:
    """An unspecified code is not reported beside a code of the same set of categories that says all
    it says and more: the case documented the detail (guideline I.B.18: unspecified codes only when
    the record supports nothing more specific). "a fall from a ladder" is W11.XXXA, not W19.XXXA too."""

    def superseded(item: Coded) -> bool:
        if "unspecified" not in item.code.title.lower():
            return False
        return any(
            other is not item
            and other.code.code[0] == item.code.code[0]
            and "unspecified" not in other.code.title.lower()
            and words_of(item.code.title) < words_of(other.code.title)  # words_of drops 'unspecified'
            for other in coded
        )

    return [item for item in coded if not superseded(item)]


def with_external_causes(coded: list[Coded], conditions: list[Condition]) -> list[Coded]:
    """An injury whose words give its cause ("dog bite of left hand") with the External Cause
    Index's code for it after the injury codes, unless the case already has one (a "fall from a
    ladder" coded as a condition of its own)."""
    if any(c.code.code[:1] in "VWXY" for c in coded):
        return coded
    injuries = [c for c in coded if INJURY.match(c.code.code)]
    for condition in conditions:
        if condition.negated or not injuries:
            continue
        if not any(c.words & words_of(condition.text) for c in injuries):
            continue
        found = external_cause(condition.text)
        if found and all(c.code.pk != found[0].pk for c in coded):
            code, path = found
            why = f"the external cause of the injury (guideline I.C.20); Index to External Causes: {path}"
            return [*coded, Coded(code, why, words=set())]
    return coded
