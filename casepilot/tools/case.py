"""Case to codes: the coder's method on a described case, for ICD-10-CM diagnoses.

1. Read the case: split it into conditions; drop the negated ones ("no", "denies", "without",
   "ruled out"); hold the uncertain ones ("probable", "suspected", "rule out"): coded as if
   established for an inpatient (guideline II.H), not coded for an outpatient (IV.H), whose
   documented signs and symptoms are coded instead.
2. Apply the "with" presumption (I.A.15): diabetes with a complication the classification links to
   it, hypertension with heart disease or chronic kidney disease (I.C.9.a), as one combination code.
3. Look each condition up (the code titles, inclusion and index terms through the site's search) and
   keep the code whose title the documentation covers best, without details it does not document.
   A neoplasm is looked up in the Neoplasm Table too (casepilot/tools/case_neoplasm.py).
4. Follow the tabular notes of each code found: "use additional code" items the case documents
   (organism, stage, long-term drug use, type of heart failure, BMI...) are added after it; "code
   first" notes put the named code (the etiology, the underlying infection) before it
   (casepilot/tools/case_notes.py).
5. Put them in reporting order, with the external cause and drug codes (casepilot/tools/case_order.py).

Every code named is a billable ICD-10-CM code of the current release; each comes with why.
"""

from __future__ import annotations

import re

from codes.models import Code, Note, Synonym, System, compact_code
from codes.search import search

from . import drugs
from .base import Citation, ToolResult, code_citation, code_ref
from .case_index import index_entries
from .case_neoplasm import neoplasm_entry
from .case_notes import additional, named, notes_of
from .case_order import Coded, order, with_drug_events, with_external_causes, without_superseded
from .case_text import (
    INPATIENT,
    QUALIFIER_WORDS,
    Condition,
    as_index_sites,
    combine,
    expand,
    index_sites,
    read_case,
    stem,
    title_ranges,
    title_score,
    trimester_of,
    words_of,
)

GUIDELINES = "https://www.cms.gov/medicare/coding-billing/icd-10-codes"


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
    # A neoplasm of a site the Table has: the Index sends the coder there ("Carcinoma - see also
    # Neoplasm, by site, malignant"; "Metastasis > cancer > to specified site - see Neoplasm, secondary").
    table = neoplasm_entry(text)
    if table:
        entries = [(*table, True), *entries]
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
    return named(re.split(r"\b(?:of|in|affecting|involving)\b", title, maxsplit=1)[0])


def _after_with(title: str) -> str:
    """What a combination title says after its "with" ("Type 2 diabetes mellitus with diabetic
    neuropathy": diabetic neuropathy), or ""."""
    return title.split(" with ", 1)[1] if " with " in title else ""


def _said_with(title: str) -> set[str]:
    """The words a title says the patient has: not those after its "without" or "not", up to its
    next "with" ("Laceration without foreign body of left index finger with damage to nail": the
    laceration and the damage to the nail)."""
    parts = re.split(r"\b(with|without|not)\b", title)
    kept = [part for i, part in enumerate(parts) if i % 2 == 0 and (i == 0 or parts[i - 1] == "with")]
    return words_of(" ".join(kept))


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
    # A pregnancy (O) or perinatal (P) code needs the record to say so, unless the Index's entry for
    # the condition's words gives it (Hyperemesis > gravidarum).
    special = re.search(
        r"pregnan|deliver|newborn|gestation|weeks|puerper|birth|gravid|trimester|antepartum|postpartum|"
        r"obstetric|neonat|liveborn|perinatal",
        text,
        re.I,
    )
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
        said = _said_with(code.title)
        if any(words and words <= said for words in negated):
            continue
        # Nor one whose title is "without" what the case documents it "with".
        absent = re.search(r"\bwithout (.+)", code.title, re.I)
        documents_with = re.search(r"\bwith\b", text, re.I) and not re.search(r"\bwithout\b|\bno\b", text, re.I)
        if absent and documents_with and words_of(absent.group(1)) <= case_words:
            score -= 3
        # And the other way: "without foreign body" in the case, "with foreign body" in the title.
        # (a word of what the case lacks anywhere after the title's "with": "with unspecified complications")
        # (what the title says "with", up to its own "without": "Laceration with foreign body of left index
        # finger without damage to nail" is with a foreign body)
        after_with = re.split(r"\bwithout\b", _after_with(code.title), maxsplit=1)[0]
        for lacking in re.findall(r"\bwithout ([a-z' ]+)", text, re.I):
            if words_of(lacking) & words_of(after_with):
                score -= 3
        if code.code[:1] in "OP" and not special and code.pk != first_indexed:
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


LINKED = re.compile(r"\s+(?:due to|with|secondary to|caused by|from)\s+", re.I)


def _unsaid(text: str, code: Code, path: str = "") -> list[Condition]:
    """What a code does not say of the condition it was found for, as conditions of their own. A
    condition linked to another ("severe sepsis due to E. coli UTI", "sepsis with acute kidney
    injury") is its parts: a part the code leaves a word of out is coded whole (the severe sepsis,
    R65.20, beside the sepsis code; the localized infection, N39.0: guideline I.C.1.d.4).
    Otherwise the words left out, when two or more are ("with septic shock"). The words of an Index
    entry whose "see" or "see also" led to the code are said by it (Neuropathy > peripheral, see also
    Polyneuropathy: E11.42 says the peripheral neuropathy; Gallstone > with > cholecystitis, see
    Calculus, gallbladder: K80.00 says the gallstones), and so are the code's inclusion terms."""
    said = words_of(code.title)
    if ", see also " in path or " (see " in path:
        said |= words_of(path)
    # The Tabular's inclusion terms are what the code says too (F11.20: "Opioid use disorder, moderate").
    for inclusion in Note.objects.filter(code=code, type=Note.Type.INCLUSION).values_list("text", flat=True):
        said |= words_of(inclusion)
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


def _clinical_words(condition: str) -> str:
    """The clinical wording of a lay term the whole condition is, from the site's curated
    dictionary (fixtures/synonyms: "strep throat" is streptococcal pharyngitis), or ""."""
    last = condition.split()[-1:] or [""]
    rows = Synonym.objects.filter(source=Synonym.Source.CURATED, term__icontains=last[0]).exclude(replacement="")
    return next((row.replacement for row in rows if expand(row.term).lower() == condition.lower()), "")


def _says_sites(path: str, sites: list[str]) -> bool:
    """Whether an Index path names each site: a word of it ("intestine" of "large intestine")."""
    said = words_of(path)
    return all(words_of(site) & said for site in sites)


def _in_trimester(code: Code, trimester: str) -> Code:
    """A pregnancy code of an unspecified trimester as the code of the trimester the case's weeks of
    gestation fall in (O13.9 at 32 weeks: O13.3), else the code as it is."""
    unspecified = ", unspecified trimester"
    if not trimester or not code.title.endswith(unspecified):
        return code
    return (
        Code.objects.filter(
            system=System.ICD10CM,
            compact__startswith=code.compact[:3],
            billable=True,
            deleted=False,
            title=code.title.removesuffix(unspecified) + f", {trimester}",
        ).first()
        or code
    )


def _enough(score: float, words: set[str]) -> bool:
    """Whether a code's score is enough for a condition of these words to be coded by it."""
    return score >= min(1.0, 0.6 * len(words))


def _with_fragments(conditions: list[Condition]) -> list[Condition]:
    """A short fragment with no code of its own ("third trimester", "delivered vaginally",
    "dichorionic diamniotic") is a detail of the condition before it when, joined to it, a code
    says the fragment's words that the condition's own code does not, and all it said."""
    kept: list[Condition] = []
    for condition in conditions:
        before = kept[-1] if kept else None
        words = words_of(condition.text)
        if before is None or before.negated or condition.negated or condition.uncertain or len(words) > 3:
            kept.append(condition)
            continue
        # Its own code is one whose condition (its title before "of", a comma) the fragment names: O60.03
        # "Preterm labor without delivery, third trimester" is no code of "third trimester".
        code, score, _ = best_code(condition.text)
        if code is not None and _enough(score, words) and named(code.title) & words:
            kept.append(condition)
            continue
        joined = f"{before.text} {condition.text}"
        own, _, _ = best_code(before.text)
        code, score, _ = best_code(joined)
        said = words & words_of(code.title) if code is not None else set()
        own_words = words_of(own.title) if own is not None else set()
        # And it still says what the condition's own code said of it (not Z99.2 for "ESRD on dialysis").
        still = said and words_of(before.text) & own_words <= words_of(code.title)
        if still and _enough(score, words_of(joined)) and not said <= own_words:
            before.text = joined
            continue
        kept.append(condition)
    return kept


def code_case(text: str) -> ToolResult:
    """ICD-10-CM codes for a described case, in reporting order, each with why; negated conditions
    left out; uncertain ones per the inpatient (II.H) or outpatient (IV.H) rule."""
    inpatient = bool(INPATIENT.search(text))
    events = drugs.read(text)
    # The drug and what happened with it are coded from the Table; the rest of the case as usual.
    rest = drugs.without_events(text, events) if events else text
    conditions = _with_fragments(combine(read_case(rest)))
    trimester = trimester_of(text)
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
        sites, documented = index_sites(condition.text), condition.text
        if sites and not (code is not None and _enough(score, words) and _says_sites(path, [s for s, _ in sites])):
            # A site the record writes otherwise than the Index ("colon", "collarbone") that the code
            # found leaves out: the code of the site as the Index names it, when its entry says it.
            renamed = as_index_sites(condition.text)
            again = best_code(renamed, negated=negated, taken=seen)
            if (
                again[0] is not None
                and _enough(again[1], words_of(renamed))
                and _says_sites(again[2], [i for _, i in sites])
            ):
                code, score, path = again
                words, documented = words_of(renamed), renamed
        if (code is None or score < min(1.0, 0.6 * len(words))) and condition.rest:
            words = words_of(condition.rest)
            code, score, path = best_code(condition.rest, negated=negated, taken=seen)
        lay = _clinical_words(condition.text) if code is None or score < min(1.0, 0.6 * len(words)) else ""
        if lay:
            # The record's lay words ("strep throat"), read as the site's dictionary words them.
            words = words_of(lay)
            code, score, path = best_code(lay, negated=negated, taken=seen)
        parts, named_as = LINKED.split(condition.text), condition.text
        if (code is None or not _enough(score, words)) and len(parts) > 1 and not lay:
            # No code says the linked conditions together ("sepsis due to pneumonia with acute kidney
            # injury"): the first is coded, and each linked one after it as its own (below, _unsaid).
            words, named_as = words_of(parts[0]), parts[0]
            code, score, path = best_code(parts[0], negated=negated, taken=seen)
        if code is None or not _enough(score, words) or code.code[:3] == condition.category:
            continue
        as_found, code = code, _in_trimester(code, trimester)
        conditions += _unsaid(documented, code, path)
        seen.add(code.pk)
        why = f"“{named_as}” indexes to {code.code} ({code.title})"
        if code != as_found:
            why += f"; the {trimester} by the weeks of gestation documented (guideline I.C.15.a.3)"
        if documented != condition.text:
            why += "; the Index files " + ", ".join(
                f"the {written.lower()} under {indexed}" for written, indexed in sites
            )
        if path:
            why += f"; {path}" if path.startswith("Neoplasm Table") else f"; Alphabetic Index: {path}"
        if condition.uncertain:
            why += "; documented as uncertain at discharge, coded as if established for an inpatient (guideline II.H)"
        item = Coded(code, why, words=words & words_of(code.title))
        coded.append(item)
        used = set().union(*(words_of(c.code.title) for c in coded))
        others = set().union(*(words_of(c.code.title) for c in coded if c is not item))
        for note in notes_of(item.code):
            extra = additional(note, note_words, used, others)
            if extra is None or extra.pk in seen:
                continue
            extra = _in_trimester(extra, trimester)
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
    coded = order(without_superseded(coded))
    coded = with_external_causes(coded, conditions)
    coded, drug_facts = with_drug_events(coded, events, text)
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
