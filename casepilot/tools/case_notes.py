"""Case to codes, step 4: the tabular notes of each code found. A "use additional code" item the
case documents (organism, stage, long-term drug use, type of heart failure, BMI...) is added after
the code; a "code first" item puts the named code (the etiology, the underlying infection) before
it (casepilot/tools/case.py has the method, casepilot/tools/case_order.py the order)."""

from __future__ import annotations

import re

from django.db.models import Q

from codes.models import Code, Note, System, compact_code

from .case_text import QUALIFIER_WORDS, stem, title_score, words_of


def ranges_of(text: str) -> list[tuple[str, str]]:
    """Code ranges named in a note ("(N18.1-N18.6)", "(I50.-)", "(B95-B97)", "(Z79.4)") as compact bounds."""
    found = []
    for group in re.findall(r"\(([^()]*\d[^()]*)\)", text):
        for item in re.split(r",\s*", group):
            item = item.strip().replace(".-", "").rstrip("-").replace(".", "")
            if "-" in item:
                low, high = item.split("-", 1)
                found.append((low, high + "ZZZZ"))
            elif re.fullmatch(r"[A-Z]\d[0-9A-Z]{0,5}", item):
                found.append((item, item + "ZZZZ"))
    return found


def in_ranges(code: Code, ranges: list[tuple[str, str]]) -> bool:
    return any(low <= compact_code(code.code) <= high for low, high in ranges)


def notes_of(code: Code) -> list[Note]:
    return list(
        Note.objects.filter(
            code_id__in=[*code.lineage, code.pk],
            type__in=[Note.Type.USE_ADDITIONAL, Note.Type.CODE_FIRST],
        ).select_related("code")
    )


def named(title: str) -> set[str]:
    """The words of a title's condition, before its details ("Acute kidney failure, unspecified":
    acute, kidney, failure; "Escherichia coli [E. coli] as the cause of diseases...": the organism).
    Words in parentheses are nonessential ("Unspecified systolic (congestive) heart failure")."""
    essential = re.sub(r"\([^)]*\)", " ", title)
    lead = re.split(r",|\[|\bwith\b|\bwithout\b|\bdue to\b|\bas the cause\b|\bin diseases\b", essential, maxsplit=1)[0]
    return (
        {w for w in words_of(lead) if not w[:1].isdigit()} - {stem(w) for w in QUALIFIER_WORDS} - {"unspecif", "body"}
    )


# What a note's item says of the code it asks for, not the condition ("type of heart failure").
ITEM_DETAILS = words_of("type stage identify any associated specific manifestation condition use")


def additional(note: Note, case_words: set[str], used: set[str], others: set[str]) -> Code | None:
    """The code a "use additional code" or "code first" item asks for, when the case documents what
    it names. `others`: the title words of the other codes found."""
    ranges = ranges_of(note.text)
    if not ranges:
        return None
    item_words = words_of(re.sub(r"\(.*?\)", " ", note.text)) - {"code", "identify", "applicable", "if", "known"}
    query = Q()
    for low, high in ranges:
        query |= Q(compact__gte=low, compact__lte=high)
    candidates = list(Code.objects.filter(query, system=System.ICD10CM, billable=True, deleted=False)[:400])
    best, best_score = None, 0.0
    fresh = case_words - used
    # A "code first" item the case names and no other code found says ("sepsis NOS (A41.9)" of
    # R65.2- when no sepsis code is coded) is the etiology the note asks for, in the code's own words.
    # Only an item that names one code ("sepsis NOS (A41.9)"), not a range ("neoplasm (C00-D49)").
    one_code = len(ranges) == 1 and ranges[0][1] == ranges[0][0] + "ZZZZ"
    etiology = note.type == Note.Type.CODE_FIRST and one_code and item_words and item_words <= case_words - others
    numbers = {w for w in case_words if w[:1].isdigit()}
    # An item that names a condition the case documents asks for its code even when the code with the
    # note already says the condition: I13.0's "type of heart failure (I50.-)" is I50.9 when the
    # record says heart failure and no type (guideline I.C.9.a.3).
    # Only for "use additional code" and one category: a range ("neoplasm (C00-D49)") is not guessed.
    condition = item_words - ITEM_DETAILS
    one_category = len(ranges) == 1 and len(ranges[0][0]) == 3 and ranges[0][1] == ranges[0][0] + "ZZZZ"
    documented = note.type == Note.Type.USE_ADDITIONAL and one_category and bool(condition) and condition <= case_words
    for candidate in candidates:
        title_words = words_of(candidate.title) - {"cause", "classifi", "elsewher", "diseas"}
        # The case must document what the item names beyond what the code itself says (a stage
        # number counts: "stage 5" is in I12.0's title and still asks for N18.5).
        said_beyond = fresh & (title_words | item_words) or numbers & title_words
        if not (etiology or documented or said_beyond):
            continue
        # Nor a code for a condition the item and the code name and the case does not: acute
        # kidney failure (N17.-) of severe sepsis's note is for a case that documents it.
        if (named(candidate.title) - case_words) & item_words:
            continue
        # A code asked for only because the case names the item's condition is weighed by that condition
        # alone: the "stage" of I13.0's CKD is not end-stage heart failure.
        weighed = case_words if said_beyond or etiology else condition
        score = title_score(weighed, candidate.title, numbers) + 0.5 * len(fresh & item_words)
        if best is None or score > best_score:
            best, best_score = candidate, score
    return best if best is not None and best_score > 0.5 else None
