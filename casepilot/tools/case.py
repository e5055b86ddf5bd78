"""Case to codes: the coder's method on a described case, for ICD-10-CM diagnoses.

1. Read the case: split it into conditions; drop the negated ones ("no", "denies", "without",
   "ruled out"); hold the uncertain ones ("probable", "suspected", "rule out"): coded as if
   established for an inpatient (guideline II.H), not coded for an outpatient (IV.H), whose
   documented signs and symptoms are coded instead.
2. Apply the "with" presumption (I.A.15): diabetes with a complication the classification links to
   it, hypertension with heart disease or chronic kidney disease (I.C.9.a), as one combination code.
3. Look each condition up (the code titles, inclusion and index terms through the site's search) and
   keep the code whose title the documentation covers best, without details it does not document.
4. Follow the tabular notes of each code found: "use additional code" items the case documents
   (organism, stage, long-term drug use, type of heart failure, BMI...) are added after it; "code
   first" notes put the named code (the etiology, the underlying infection) before it.

Every code named is a billable ICD-10-CM code of the current release; each comes with why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q

from codes.models import Code, Note, Synonym, System, compact_code
from codes.search import search

from . import drugs
from .base import Citation, ToolResult, code_citation, code_ref
from .case_index import INJURY, external_cause, index_entries
from .case_text import (
    INPATIENT,
    QUALIFIER_WORDS,
    Condition,
    combine,
    expand,
    read_case,
    stem,
    title_ranges,
    title_score,
    words_of,
)

GUIDELINES = "https://www.cms.gov/medicare/coding-billing/icd-10-codes"


@dataclass
class Coded:
    code: Code
    why: str
    after: Code | None = None  # an additional code follows the code whose note asked for it
    words: set[str] = field(default_factory=set)


# What a code says that the case must document, else the default applies (guideline I.C.19.c.1: a
# fracture not documented as open or displaced is closed and displaced; the 7th character is A,
# initial encounter, while the patient receives active treatment, I.C.19.a).
UNLESS_DOCUMENTED = [
    (r"\bopen fracture\b", r"\bopen\b"),
    (r"\bnondisplaced\b", r"\bnon-?displaced\b|\bundisplaced\b"),
    (r"\bsequela\b", r"\bsequela|\blate effect"),
    # A history is the patient's own unless the record names the family (Index: History > family).
    (r"\bfamily history\b", r"\bfamily\b|\b(?:mother|father|sister|brother|parent|sibling)s?\b"),
    # A subsequent encounter (7th character D), and a subsequent infarction within four weeks of the
    # first (I22.-, guideline I.C.9.e.2), only when the record says so.
    (r"\bsubsequent\b", r"\bsubsequent\b|\bfollow[- ]up\b|\bhealing\b"),
    # The episode of a pregnancy code (in pregnancy, in childbirth, in the puerperium) as documented.
    (r"\bpuerperium\b", r"\bpuerper|\bpostpartum\b|\bafter (?:the )?delivery\b"),
    (r"\bin childbirth\b", r"\bchildbirth\b|\bdeliver|\blabou?r\b"),
]
SEPSIS = re.compile(r"\bsepsis\b", re.I)


def _candidates(text: str) -> tuple[list[Code], dict[int, str], dict[int, str], set[int]]:
    """Codes to weigh for a condition: the Alphabetic Index's first (with the path of those whose
    entry is the condition itself), the search's for its words and for its head (before "due to",
    "with", "from")."""
    found: dict[int, Code] = {}
    paths: dict[int, str] = {}
    every_path: dict[int, str] = {}
    by_words: set[int] = set()
    # The Alphabetic Index first (main term, subterms, nonessential modifiers), as a coder looks up a
    # condition; the Tabular then verifies the code (billable, current) and its notes.
    entries = index_entries(text)
    if entries:
        compacts = [c for c, *_ in entries]
        rows = {
            c.compact: c
            for c in Code.objects.filter(system=System.ICD10CM, compact__in=compacts, billable=True, deleted=False)
        }
        for compact, path, strong in entries:
            if compact in rows:
                found.setdefault(rows[compact].pk, rows[compact])
                every_path.setdefault(rows[compact].pk, path)
                if strong:
                    paths.setdefault(rows[compact].pk, path)
    queries = [text]
    head = re.split(r"\s+(?:due to|with|from|secondary to)\s+", text, maxsplit=1)[0]
    if head != text:
        queries.append(head)
    for query in queries:
        results = search(query, system=System.ICD10CM, billable=True, limit=25, counts=False)
        for hit in results.results:
            found.setdefault(hit.code.pk, hit.code)
            # Found by its title's words alone, not by a synonym, an Index path or an inclusion term.
            if hit.matched.startswith(("words", "related")) and hit.code.pk not in every_path:
                by_words.add(hit.code.pk)
        if results.kind == "words" and len(found) >= 5:
            break
    return list(found.values()), paths, every_path, by_words


def _condition_of(title: str) -> set[str]:
    """The words of the condition a title names, before its site too ("Malignant neoplasm of lower
    lobe, left bronchus or lung": malignant neoplasm; "Pain in right lower leg": pain)."""
    return _named(re.split(r"\b(?:of|in|affecting|involving)\b", title, maxsplit=1)[0])


def _after_with(title: str) -> str:
    """What a combination title says after its "with" ("Type 2 diabetes mellitus with diabetic
    neuropathy": diabetic neuropathy), or ""."""
    return title.split(" with ", 1)[1] if " with " in title else ""


def _weigh(
    text: str,
    candidates: list[Code],
    negated: list[set[str]] = (),
    indexed: dict[int, str] | None = None,
    taken: set[int] = frozenset(),
    by_words: set[int] = frozenset(),
) -> tuple[Code | None, float]:
    case_words = words_of(text)
    # The first code the Index gives for the condition's words is the coder's answer unless the
    # Tabular titles say more of the case: it counts as if its title held every documented word.
    first_indexed = next(iter(indexed), None) if indexed else None
    # The main term is what comes before "with", "due to": the code must be a code of it.
    # Its words, not its numbers: the "2" of "Type 2 diabetes" does not make N18.2 a code of it.
    head = {
        w
        for w in words_of(re.split(r"\s+(?:due to|with|from|secondary to|in)\s+", text, maxsplit=1)[0])
        if not w.isdigit()
    }
    numbers = set(re.findall(r"\b\d+[ab]?\b", text.lower()))
    special = re.search(r"pregnan|deliver|newborn|gestation|weeks|puerper|birth", text, re.I)
    best, best_score = None, 0.0
    for position, code in enumerate(candidates):
        if code.deleted or not code.billable or code.pk in taken:
            continue
        score = title_score(case_words, code.title, numbers) - 0.01 * position
        if code.pk == first_indexed:
            # (a hair less: a title that does hold every word, the Index's neighbour, is the code)
            score = max(score, len(case_words) - 0.05)
        elif head and len(head & words_of(code.title)) * 2 < len(head):
            score -= 2
        # Nor, found by its title's words alone, one whose condition (its title before "of", "in", a
        # comma) the case does not name: "left lower lobe" is no malignant neoplasm of the lower lobe.
        named = _condition_of(code.title)  # empty for a title that leads with stop words ("Long term ... use")
        if code.pk in by_words and named and not named & case_words:
            continue
        # Never a code that says a condition the case negates ("without septic shock": not R65.21).
        said = words_of(re.split(r"\bwithout\b|\bnot\b", code.title, maxsplit=1)[0])
        if any(words and words <= said for words in negated):
            continue
        # Nor one whose title is "without" what the case documents it "with".
        absent = re.search(r"\bwithout (.+)", code.title, re.I)
        documents_with = re.search(r"\bwith\b", text, re.I) and not re.search(r"\bwithout\b|\bno\b", text, re.I)
        if absent and documents_with and words_of(absent.group(1)) <= case_words:
            score -= 3
        # And the other way: "without foreign body" in the case, "with foreign body" in the title.
        # (a word of what the case lacks anywhere after the title's "with": "with unspecified complications")
        after_with = _after_with(code.title)
        for lacking in re.findall(r"\bwithout ([a-z' ]+)", text, re.I):
            if words_of(lacking) & words_of(after_with) and not re.search(r"\bwithout\b", code.title, re.I):
                score -= 3
        if code.code[:1] in "OP" and not special:
            score -= 3
        for title_says, case_says in UNLESS_DOCUMENTED:
            if re.search(title_says, code.title, re.I) and not re.search(case_says, text, re.I):
                score -= 2
        if best is None or score > best_score:
            best, best_score = code, score
    return best, best_score


def best_code(
    text: str, *, negated: list[set[str]] = (), taken: set[int] = frozenset()
) -> tuple[Code | None, float, str]:
    """The billable ICD-10-CM code whose title the documented words cover best, without details the
    documentation does not give (the unspecified code when it says no more), and the Index path
    that led to it ("" when the titles did)."""
    candidates, indexed, every_path, by_words = _candidates(text)
    best, _score_first = _weigh(text, candidates, negated, indexed, taken, by_words)
    if best is None:
        return None, 0.0, ""
    # Its neighbours: laterality, stage, 7th character and the like differ there.
    near = list(
        Code.objects.filter(
            system=System.ICD10CM, compact__startswith=compact_code(best.code)[:3], billable=True, deleted=False
        )
        .only(
            "pk", "system", "code", "compact", "title", "billable", "deleted", "kind", "lineage", "release_id", "parent"
        )
        .order_by("compact")[:2000]
    )
    code, score = _weigh(text, [best, *near], negated, indexed, taken)
    # The row as stored (a search hit may lack its lineage, whose notes apply to it).
    code = next((row for row in near if code is not None and row.pk == code.pk), code)
    if code is not None:
        code = _on_side(code, text, near)
    return code, score, every_path.get(code.pk, "") if code else ""


SIDES = {"right": "right", "left": "left", "bilateral": "bilateral"}
SIDE_WORDS = {"right", "left", "bilateral", "unspecified"}


def _on_side(code: Code, text: str, near: list[Code]) -> Code:
    """The code of the side the case names (guideline I.B.13, laterality) when the one found says
    no side or another: its sibling whose title differs only in the side ("Otitis media,
    unspecified, right ear" for "...unspecified ear")."""
    said = [side for side in SIDES if re.search(rf"\b{side}\b", text, re.I)]
    if len(said) != 1:
        return code
    side = said[0]

    def rest(title: str) -> set[str]:
        return set(re.findall(r"[a-z]+", title.lower())) - SIDE_WORDS - {"ear", "eye", "side", "limb", "of", "and"}

    if re.search(rf"\b{side}\b", code.title, re.I):
        return code
    same = rest(code.title)
    for sibling in near:
        if (
            sibling.parent_id == code.parent_id
            and re.search(rf"\b{side}\b", sibling.title, re.I)
            and rest(sibling.title) == same
        ):
            return sibling
    return code


def _ranges(text: str) -> list[tuple[str, str]]:
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


def _in_ranges(code: Code, ranges: list[tuple[str, str]]) -> bool:
    return any(low <= compact_code(code.code) <= high for low, high in ranges)


def _notes(code: Code) -> list[Note]:
    return list(
        Note.objects.filter(
            code_id__in=[*code.lineage, code.pk],
            type__in=[Note.Type.USE_ADDITIONAL, Note.Type.CODE_FIRST],
        ).select_related("code")
    )


def _named(title: str) -> set[str]:
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


def _additional(note: Note, case_words: set[str], used: set[str], others: set[str]) -> Code | None:
    """The code a "use additional code" or "code first" item asks for, when the case documents what
    it names. `others`: the title words of the other codes found."""
    ranges = _ranges(note.text)
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
        if (_named(candidate.title) - case_words) & item_words:
            continue
        # A code asked for only because the case names the item's condition is weighed by that condition
        # alone: the "stage" of I13.0's CKD is not end-stage heart failure.
        weighed = case_words if said_beyond or etiology else condition
        score = title_score(weighed, candidate.title, numbers) + 0.5 * len(fresh & item_words)
        if best is None or score > best_score:
            best, best_score = candidate, score
    return best if best is not None and best_score > 0.5 else None


def _order(coded: list[Coded]) -> list[Coded]:
    """Reporting order: a code whose "code first" note names another code found goes after it;
    an additional code goes right after the code that asked for it."""
    codes = [c.code for c in coded]
    firsts: dict[int, list[Code]] = {}
    for item in coded:
        for note in _notes(item.code):
            if note.type == Note.Type.CODE_FIRST:
                ranges = _ranges(note.text)
                named = [c for c in codes if c.pk != item.code.pk and _in_ranges(c, ranges)]
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


def _with_drug_events(coded: list[Coded], events: list[drugs.DrugEvent], text: str) -> tuple[list[Coded], list[str]]:
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


LINKED = re.compile(r"\s+(?:due to|with|secondary to|caused by|from)\s+", re.I)


def _unsaid(text: str, code: Code) -> list[Condition]:
    """What a code does not say of the condition it was found for, as conditions of their own. A
    condition linked to another ("severe sepsis due to E. coli UTI", "sepsis with acute kidney
    injury") is its parts: a part the code leaves a word of out is coded whole (the severe sepsis,
    R65.20, beside the sepsis code; the localized infection, N39.0: guideline I.C.1.d.4).
    Otherwise the words left out, when two or more are ("with septic shock")."""
    said = words_of(code.title)
    # What a combination code says after its "with" ("Type 2 diabetes mellitus with diabetic
    # neuropathy"): a part whose condition it names is coded by it (I.A.15), its details or not.
    combined = words_of(_after_with(code.title))
    parts = LINKED.split(text)
    if len(parts) > 1:
        found = []
        for part in parts:
            missed = {w for w in words_of(part) - said if len(w) > 3 and not w.isdigit()}
            head = [stem(w) for w in re.findall(r"[\w']+", part)][-1:]
            if missed and not (head and head[0] in combined):
                rest = " ".join(w for w in re.findall(r"[\w']+", part) if stem(w) not in said)
                found.append(Condition(part, rest=rest, category=code.code[:3]))
        if found:
            return found
    words = words_of(text)
    missed = words - said
    rest = [w for w in re.findall(r"[\w']+", text) if stem(w) in missed]
    # Qualifiers alone ("acute, right ear") say more of the same condition, not another one; so does a
    # site with its side ("plantar fasciitis of the right foot": the right foot is where, not what).
    sited = missed & SIDE_WORDS and len(missed - SIDE_WORDS) <= 2
    if len(missed) >= 2 and len(rest) < len(words) and missed - {stem(w) for w in QUALIFIER_WORDS} and not sited:
        return [Condition(" ".join(rest), category=code.code[:3])]
    return []


def _without_superseded(coded: list[Coded]) -> list[Coded]:
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


def _with_external_causes(coded: list[Coded], conditions: list[Condition]) -> list[Coded]:
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


def _clinical_words(condition: str) -> str:
    """The clinical wording of a lay term the whole condition is, from the site's curated
    dictionary (fixtures/synonyms: "strep throat" is streptococcal pharyngitis), or ""."""
    last = condition.split()[-1:] or [""]
    rows = Synonym.objects.filter(source=Synonym.Source.CURATED, term__icontains=last[0]).exclude(replacement="")
    return next((row.replacement for row in rows if expand(row.term).lower() == condition.lower()), "")


def code_case(text: str) -> ToolResult:
    """ICD-10-CM codes for a described case, in reporting order, each with why; negated conditions
    left out; uncertain ones per the inpatient (II.H) or outpatient (IV.H) rule."""
    inpatient = bool(INPATIENT.search(text))
    events = drugs.read(text)
    # The drug and what happened with it are coded from the Table; the rest of the case as usual.
    rest = drugs.without_events(text, events) if events else text
    conditions = combine(read_case(rest))
    facts: list[str] = []
    coded: list[Coded] = []
    seen: set[int] = set()
    left_out = []
    case_words = words_of(expand(rest))
    # What the notes' items are weighed by: not the number of a diabetes type ("Type 2 diabetes with
    # CKD stage 4" asks E11.22's note for N18.4, not N18.2).
    note_words = case_words - set(re.findall(r"\btype (\d+)\b", expand(rest), re.I))
    negated = [words_of(c.text) for c in conditions if c.negated]
    for condition in conditions:
        if condition.negated:
            left_out.append(f"“{condition.text}” is negated in the case: no code is assigned for it.")
            continue
        if condition.uncertain and not inpatient:
            left_out.append(
                f"“{condition.text}” is documented as uncertain: in an outpatient setting it is not coded "
                "(guideline IV.H); code the signs, symptoms or findings documented instead."
            )
            continue
        words = words_of(condition.text)
        # A condition already coded through a combination code or an additional code is not coded twice.
        covered = set().union(*(words_of(c.code.title) | c.words for c in coded)) if coded else set()
        # A number in a range a code's title gives (BMI 42 in Z68.41's 40.0-44.9) is said by it.
        covered |= {
            n
            for n in words
            if n.isdigit()
            for c in coded
            for low, high, _ in title_ranges(c.code.title)
            if low <= int(n) <= high
        }
        if words <= covered:
            continue
        # A code already given is not this condition's: the next best is (the UTI of "sepsis due to UTI").
        code, score, path = best_code(condition.text, negated=negated, taken=seen)
        if (code is None or score < min(1.0, 0.6 * len(words))) and condition.rest:
            words = words_of(condition.rest)
            code, score, path = best_code(condition.rest, negated=negated, taken=seen)
        lay = _clinical_words(condition.text) if code is None or score < min(1.0, 0.6 * len(words)) else ""
        if lay:
            # The record's lay words ("strep throat"), read as the site's dictionary words them.
            words = words_of(lay)
            code, score, path = best_code(lay, negated=negated, taken=seen)
        if code is None or score < min(1.0, 0.6 * len(words)) or code.code[:3] == condition.category:
            continue
        conditions += _unsaid(condition.text, code)
        seen.add(code.pk)
        why = f"“{condition.text}” indexes to {code.code} ({code.title})"
        if path:
            why += f"; Alphabetic Index: {path}"
        if condition.uncertain:
            why += "; documented as uncertain at discharge, coded as if established for an inpatient (guideline II.H)"
        item = Coded(code, why, words=words & words_of(code.title))
        coded.append(item)
        used = set().union(*(words_of(c.code.title) for c in coded))
        others = set().union(*(words_of(c.code.title) for c in coded if c is not item))
        for note in _notes(item.code):
            extra = _additional(note, note_words, used, others)
            if extra is None or extra.pk in seen:
                continue
            seen.add(extra.pk)
            used |= words_of(extra.title)
            where = f" (note at {note.code.code})" if note.code.pk != item.code.pk else ""
            kind = "use additional code" if note.type == Note.Type.USE_ADDITIONAL else "code first"
            coded.append(
                Coded(
                    extra,
                    f"the “{kind}” note of {item.code.code}{where}: {note.text.strip(' ,')}",
                    after=item.code if note.type == Note.Type.USE_ADDITIONAL else None,
                    words=words_of(extra.title) & case_words,
                )
            )
    coded = _order(_without_superseded(coded))
    coded = _with_external_causes(coded, conditions)
    coded, drug_facts = _with_drug_events(coded, events, text)
    if not coded:
        return ToolResult("code_case", False, left_out + drug_facts, data={"codes": []})
    facts.append("Codes in reporting order: " + ", ".join(f"{c.code.code} ({c.code.title})" for c in coded) + ".")
    for number, item in enumerate(coded, start=1):
        facts.append(f"{number}. {item.code.code}: {item.why}.")
    for item in coded:
        if "unspecified" in item.code.title.lower():
            facts.append(
                f"{item.code.code} is the unspecified code: if the record documents more (type, site, stage, "
                "laterality, organism), a more specific code under "
                f"{item.code.code.split('.')[0]} applies; see its code page for the choices."
            )
    facts += drug_facts
    facts += left_out
    release = coded[0].code.release.title if coded[0].code.release_id else "the current release"
    facts.append(f"All codes are billable ICD-10-CM codes in {release}.")
    cites = [code_citation(c.code) for c in coded[:6]]
    cites.append(Citation("ICD-10-CM Official Guidelines for Coding and Reporting", GUIDELINES))
    return ToolResult(
        "code_case",
        True,
        facts,
        cites,
        [code_ref(c.code) for c in coded],
        {"codes": [{"code": c.code.code, "title": c.code.title, "why": c.why} for c in coded]},
    )
