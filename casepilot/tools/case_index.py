"""Case to codes, step 3: a condition looked up in the Alphabetic Index as a coder does (main term,
subterms, nonessential modifiers, "see" followed to its entry, the 7th character the encounter
gives); casepilot/tools/case.py weighs what it finds against the Tabular titles."""

from __future__ import annotations

import operator
import re
from functools import reduce

from django.db.models import Case, Count, IntegerField, Q, When

from codes.models import Code, IndexTerm, System, compact_code, normalize_index_text

from .case_text import (
    CONNECTORS,
    LATERALITY,
    LINK_WORDS,
    STOP,
    alternatives,
    expand,
    root,
    stem,
    title_score,
    words_of,
)


def _seventh_of(term: IndexTerm, text: str) -> str:
    """For an entry whose code needs only its 7th character (Angioedema T78.3: T78.3XXA, D, S), the
    code for the encounter the case documents: D subsequent, S sequela, else A (initial, active
    treatment, guideline I.C.19.a)."""
    if term.code_status != IndexTerm.Status.INCOMPLETE or not term.completions:
        return ""
    if term.completion_count > len(term.completions):
        return ""  # the importer kept the first few (S52.50-: S52.501A..S, not the left side's)
    compacts = [compact_code(c) for c in term.completions]
    if len({c[:6] for c in compacts}) != 1 or any(len(c) != 7 for c in compacts):
        return ""  # more than the 7th character is missing: the record must say which code
    wanted = "S" if re.search(r"\bsequela", text, re.I) else "D" if re.search(r"\bsubsequent", text, re.I) else "A"
    return next((c for c in compacts if c[6] == wanted), "")


def _completion(term: IndexTerm, text: str) -> str:
    """For an entry whose code needs more characters (Presence > knee-joint implant Z96.65-), the
    completion whose title the case documents best: the side it names, else the unspecified one."""
    if term.code_status != IndexTerm.Status.INCOMPLETE or not term.completions:
        return ""
    if term.completion_count > len(term.completions):
        # The importer kept only the first completions: the Tabular has them all (S52.50-, the lower
        # end of the radius: each side, each encounter, closed and open).
        rows = Code.objects.filter(
            system=System.ICD10CM, compact__startswith=term.code_compact, billable=True, deleted=False
        ).only("compact", "title")[:200]
    elif len(term.completions) > 12:
        return ""
    else:
        rows = Code.objects.filter(
            system=System.ICD10CM, compact__in=[compact_code(c) for c in term.completions], billable=True, deleted=False
        ).only("compact", "title")
    case_words = words_of(expand(text))
    numbers = set(re.findall(r"\b\d+[ab]?\b", text.lower()))
    scored = sorted(rows, key=lambda row: (-title_score(case_words, row.title, numbers), row.compact))
    return scored[0].compact if scored else ""


def _coded_entry(term: IndexTerm, text: str) -> tuple[str, str]:
    """The code an index entry gives and the path to it, following its "see" to the entry it names
    (Hives, see Urticaria) and on to that entry's subterm for the condition's other words ("BPH with
    lower urinary tract symptoms": Hyperplasia > prostate > with lower urinary tract symptoms)."""
    if term.code_status == IndexTerm.Status.VALID and term.code_compact:
        return term.code_compact, term.path
    completed = _seventh_of(term, text) or _completion(term, text)
    if completed:
        return completed, term.path
    target = term.see_target
    if target is None and term.see:
        # A "see" the importer could not link to one entry ("Presence, knee joint implant" for
        # "Presence > knee-joint implant"): the entry its words name.
        wanted = normalize_index_text(term.see).split()
        target = next(
            (t for t in IndexTerm.objects.lookup(term.see)[:10] if normalize_index_text(t.path).split() == wanted), None
        )
    if target is None:
        return "", ""
    said = set(normalize_index_text(term.path).split())
    rest = [w for w in normalize_index_text(text).split() if w not in said and singular(w) not in said]
    target_words = set(normalize_index_text(target.path).split())
    # The words the case says beyond the pointer, with those the "see" names beyond its target
    # ("Diabetes, by type, with, hyperglycemia": the type the case says, then with hyperglycemia):
    # the entry below the target whose path holds them all.
    if rest:
        pointed = [w for w in normalize_index_text(term.see).split() if w not in target_words]
        beyond = list(
            dict.fromkeys(w for w in [*rest, *pointed] if w not in LINK_WORDS | TABULAR_WORDS | {"encounter"})
        )
        wanted = {root(w) for w in beyond}
        below = (
            IndexTerm.objects.lookup(f"{normalize_index_text(target.path)} {' '.join(beyond)}")
            .filter(code_status=IndexTerm.Status.VALID)
            .exclude(code_compact="")
        )
        deeper = next(
            (t for t in below[:20] if wanted <= {root(w) for w in normalize_index_text(t.path).split()}), None
        )
        if deeper is not None:
            return deeper.code_compact, f"{term.path} (see {term.see}) > {deeper.path}"
    # Else the target's subterm that is the pointer's own word beyond the target ("Hypertensive
    # urgency": Urgency > hypertensive, see Hypertension: Hypertension > urgency, I16.0, not I10).
    own = {w for w in normalize_index_text(term.path).split() if w not in target_words | LINK_WORDS}
    below = IndexTerm.objects.filter(parent=target, code_status=IndexTerm.Status.VALID).exclude(code_compact="")
    named = next((t for t in below if own and set(normalize_index_text(t.title).split()) == own), None)
    if named is not None:
        return named.code_compact, f"{term.path} (see {term.see}) > {named.path}"
    if target.code_status == IndexTerm.Status.VALID and target.code_compact:
        return target.code_compact, f"{term.path} (see {term.see})"
    # The "see" says what the case's words mean there (Cellulitis > foot, see Cellulitis, lower limb:
    # the left foot is L03.116, left lower limb, not L03.112, left axilla).
    completed = _seventh_of(target, text) or _completion(target, f"{text} {term.see}")
    if completed:
        return completed, f"{term.path} (see {term.see})"
    return "", ""


def singular(word: str) -> str:
    """A plural's singular, as the Index writes a main term ("gallstones", "allergies"); other words as they are."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 4:
        return word[:-1]
    return word


def mains_of(term: IndexTerm, mains: list[IndexTerm]) -> set[str]:
    """The search key of the main term an entry is under, as a set (empty if not among `mains`)."""
    return {m.search_key for m in mains if m.pk == term.main_id}


# Index subterm words that say what a record that says no more means ("History > personal").
DEFAULT_WORDS = {"personal"}


def _adds_nothing(term: IndexTerm, said: set[str]) -> bool:
    """Whether an entry says no detail the case does not (Vaccination > partial > for COVID-19 does
    for "COVID-19 vaccination", History > family > stroke for "history of stroke"). "without residual
    deficits" is what a record that says no more means, and a history is the patient's own unless
    the record names the family: neither is a detail."""
    stated = re.sub(r"\bwithout\b.*", " ", normalize_index_text(term.path))
    return not set(stated.split()) - said - LINK_WORDS - DEFAULT_WORDS


def _head_noun(key: str) -> str:
    """A condition's head noun: its last word before "of", "in", "with"... ("community acquired
    pneumonia of the right lower lobe": pneumonia; "myocardial infarction": infarction)."""
    lead = re.split(r"\b(?:of|in|on|with|without|due to)\b", key, maxsplit=1)[0].split()
    return lead[-1] if lead else ""


def _contradicts(path: str, text: str) -> bool:
    """Whether an Index path says "with X" where the record says "without X", or the other way
    ("Migraine without aura" is not Migraine > with aura)."""
    said = normalize_index_text(text)
    # A level that is "with" alone gives its next level its sense (Diverticulitis > intestine > with >
    # abscess, perforation); the record's "without perforation or abscess" negates each word after it.
    levels = " > ".join(normalize_index_text(level) for level in path.split(" > ")).replace("with > ", "with ")
    absent = {stem(w) for w in " ".join(re.findall(r"\bwithout ((?:\w+ ?(?:or|and|nor)? ?)+)", said)).split()}
    absent -= {"or", "and", "nor"}
    for level in levels.split(" > "):
        match = re.match(r"(with|without)\s+(\w+)", level)
        if match:
            first = match.group(2)
            if match.group(1) == "with" and {stem(w) for w in level.split()[1:]} & absent:
                return True
            if match.group(1) == "without" and re.search(rf"\bwith\s+{re.escape(first)}\b", said):
                return True
    return False


# What the Index leaves to the Tabular (the side, the encounter): an entry need not say it.
TABULAR_WORDS = LATERALITY | {"initial", "subsequent", "sequela", "unspecified"}


def _acronym_of(word: str, words: list[str]) -> set[str]:
    """The run of `words` whose initials spell `word` (HIV: human immunodeficiency virus; DNR: do not
    resuscitate), or an empty set: an entry that writes the acronym as its modifier says it is them."""
    size = len(word)
    if not 2 <= size <= 6 or not word.isalpha():
        return set()
    for start in range(len(words) - size + 1):
        run = words[start : start + size]
        if "".join(w[0] for w in run) == word:
            return set(run)
    return set()


def _says_all(
    term: IndexTerm, wanted: list[str], linked: set[str] = frozenset(), sides: set[str] = frozenset()
) -> bool:
    """Whether an entry is the condition itself, word for word: every word of the condition is a word
    of its path or of the nonessential modifiers along it (in any of their forms: pleural is the Index's
    "pleura"), and every level of its path is one of the condition's words (one of the alternatives
    a comma separates: "pleura, pleurisy, pleuritic", case_text.alternatives; a level of link words
    alone, other than "with", one of `linked`, the record's words; a level that is one of `sides`,
    the side the record states: Osteoarthritis > knee > bilateral)."""
    path_words = normalize_index_text(term.path).split()
    written = {root(w) for w in f"{normalize_index_text(term.path)} {term.search_text}".split()}
    said = {root(w) for w in wanted}
    for word in wanted:
        run = _acronym_of(word, path_words)
        if root(word) not in written and not run:
            return False
        said |= {root(w) for w in run}
    for level in term.path.split(" > "):
        # "moderate or severe" is either: the record that says one says the level.
        options = [
            set(normalize_index_text(part).split()) - LINK_WORDS - {"nec"}
            for o in alternatives(level)
            for part in re.split(r"\s+or\s+", o)
        ]
        options = [o for o in options if o]
        if options and not any({root(w) for w in o} <= said | sides for o in options):
            return False
        # A level of link words alone is one the record writes, not a meaning it lacks (Gout > in (due
        # to) renal impairment > knee is no code of "gout of the left knee"); "with" the Index presumes.
        words = set(normalize_index_text(level).split())
        if not options and words != {"with"} and not words & linked:
            return False
    return True


def _exact_entries(text: str) -> list[IndexTerm]:
    """The entries that are the condition word for word (see _says_all), those that say the side the
    record states first, then the fewest levels. The words after "without" are what an entry means
    by default; the side and the encounter are the Tabular's to give, unless a subterm says the side."""
    stated = re.sub(
        r"\b(?:initial|subsequent) encounter\b", " ", re.split(r"\bwithout\b", text, maxsplit=1)[0], flags=re.I
    )
    stated = normalize_index_text(stated)
    wanted = [w for w in stated.split() if w not in LINK_WORDS | CONNECTORS | TABULAR_WORDS]
    if not wanted:
        return []
    rows = IndexTerm.objects.main_index().filter(
        Q(code_status__in=[IndexTerm.Status.VALID, IndexTerm.Status.INCOMPLETE]) | Q(see_target__isnull=False)
    )
    for word in wanted[:8]:
        # A one-letter word (hepatitis C, vitamin D) is a whole word of the entry, not any "c".
        if len(word) == 1:
            rows = rows.filter(search_text__regex=rf"(^| ){word}( |$)")
        else:
            rows = rows.filter(search_text__contains=root(word))
    linked = set(stated.split())
    # The side is the Tabular's to give, unless the Index has it as a subterm (Osteoarthritis > knee >
    # bilateral, M17.0): an entry that says the side the record states comes first.
    sides = {root(w) for w in linked & LATERALITY}
    if linked & {"right", "left"} and not linked & {"bilateral", "both"}:
        sides.add(root("unilateral"))  # one side named: Osteoarthritis > knee > unilateral, M17.1-
    exact = [
        t
        for t in rows.select_related("see_target").order_by("level", "position")[:200]
        if _says_all(t, wanted, linked, sides)
    ]
    # Then the one whose path says least besides: Fracture > wrist, not > semilunar bone, wrist.
    said = {root(w) for w in wanted}

    def path_roots(term: IndexTerm) -> set[str]:
        return {root(w) for w in normalize_index_text(term.path).split()}

    def besides(term: IndexTerm) -> int:
        return len(path_roots(term) - said - sides - LINK_WORDS)

    return sorted(exact, key=lambda t: (-len(path_roots(t) & sides), t.level, besides(t), t.position))


def _exact_through_see_also(text: str) -> tuple[list[IndexTerm], str]:
    """For "A with B" whose B is an Index entry that says "see also" another term (Neuropathy >
    peripheral, see also Polyneuropathy), the entries that are "A with" that term word for word
    ("Type 2 diabetes with peripheral neuropathy" is Diabetes > type 2 > with > polyneuropathy),
    and the pointer's path and "see also"."""
    head, found, rest = text.partition(" with ")
    if not found or not rest.strip():
        return [], ""
    wanted = {root(w) for w in normalize_index_text(rest).split()} - LINK_WORDS
    for term in IndexTerm.objects.lookup(rest).exclude(see_also="")[:10]:
        if {root(w) for w in normalize_index_text(term.path).split()} - LINK_WORDS == wanted:
            return _exact_entries(f"{head} with {term.see_also}"), f"{term.path}, see also {term.see_also}"
    return [], ""


PREFIXED = re.compile(r"\b(pre|post|non|anti|intra|extra|sub|peri|para|hyper|hypo)([a-z]{4,})\b", re.I)


def _as_indexed(text: str) -> str:
    """The condition with a prefixed word written as the Index writes its main term, when that is
    with a hyphen ("preeclampsia": Pre-eclampsia) and the joined form is no main term."""

    def written(match: re.Match) -> str:
        joined, split = match.group(0).lower(), f"{match.group(1)} {match.group(2)}".lower()
        mains = IndexTerm.objects.main_terms(joined[:1]).filter(search_key__in=[joined, split])
        keys = set(mains.values_list("search_key", flat=True))
        return f"{match.group(1)}-{match.group(2)}" if split in keys and joined not in keys else match.group(0)

    return PREFIXED.sub(written, text)


def _led(main: IndexTerm, others: list[str], said: set[str]) -> IndexTerm | None:
    """The shallowest entry under a main term that holds the other words as whole words
    ("pneumonia" is not "Streptococcus > pneumoniae") and adds nothing the record does not say."""
    if not others:
        return None
    below = IndexTerm.objects.filter(main=main)
    for word in others[:8]:
        below = below.filter(search_text__contains=word)  # the trigram index answers each word
    return next(
        (
            term
            for term in below.select_related("see_target").order_by("level", "position")[:20]
            if all(re.search(rf"\b{re.escape(word)}\b", term.search_text) for word in others[:8])
            and _adds_nothing(term, said)
        ),
        None,
    )


def index_entries(text: str) -> list[tuple[str, str, bool]]:
    """(code, index path) for a condition, best first, as a coder looks it up: the entries whose path
    holds every word; failing that, the condition's words taken as the main term and its subterms
    ("influenza vaccination": Vaccination > encounter for). A "see" is followed to its entry.
    The third value says the entry is the condition itself: a main term (or subterm) that is its
    words ("Cold sore": Coldsore), or a main term with subterms that hold all its other words."""
    text = _as_indexed(text)
    # "controlled by diet" is Diabetes > gestational > diet controlled: a connector the record
    # writes is not a word the entry must hold.
    looked_up = " ".join(w for w in normalize_index_text(text).split() if w not in CONNECTORS)
    rows = list(
        IndexTerm.objects.lookup(looked_up)
        .filter(Q(code_status__in=[IndexTerm.Status.VALID, IndexTerm.Status.INCOMPLETE]) | Q(see_target__isnull=False))
        .select_related("see_target")[:15]
    )
    key = normalize_index_text(text)
    # Its head: what comes before "with", "without", "due to" ("Shingles without complication").
    head = normalize_index_text(re.split(r"\b(?:with|without|due to)\b", text, maxsplit=1)[0])
    strong = {
        t.pk
        for t in rows
        # A main term that is the condition or starts with its words ("fall" is not "Fallen arches").
        if t.rank == 0
        or (t.rank == 1 and re.match(rf"{re.escape(key)}\b", t.search_key))
        # A main term that is its words run together ("Cold sore": Coldsore); not a subterm that is
        # its words under a main term that changes them (Impending > myocardial infarction is I20.0).
        or (t.level == 0 and t.search_key.replace(" ", "") == key.replace(" ", ""))
        or normalize_index_text(t.path) == key
        # Or its path says the condition's words and no others, in the Index's order ("Acute
        # cholecystitis with cholelithiasis": Cholecystitis > acute > with > cholelithiasis).
        or set(normalize_index_text(t.path).split()) - LINK_WORDS == set(key.split()) - LINK_WORDS
    }
    if not strong and key:
        # Failing those, an entry under a main term that is the condition's head noun, its last word
        # (the lookup's rows hold the others): Infarct, infarction > myocardium for "myocardial
        # infarction", not Impending > myocardial infarction.
        # Its path, not only its nonessential modifiers, says the other words: Embolism > pulmonary, not
        # Embolism > fat (cerebral) (pulmonary) (systemic).
        noun = _head_noun(key)
        strong = {
            t.pk
            for t in rows
            if noun in (normalize_index_text(a) for a in t.path.split(" > ")[0].split(","))
            and set(key.split()) - LINK_WORDS <= set(normalize_index_text(t.path).split())
        }
    # A condition that begins with a main term ("Screening colonoscopy", "Personal history of colon
    # cancer": History > personal > malignant neoplasm > colon) is looked up under it first: its
    # shallowest subterm that holds all the other words is the entry.
    content = [w for w in normalize_index_text(text).split() if len(w) > 3 and w not in STOP and w != "encounter"]
    for lead in content[:2]:
        # The letter narrows the scan to one letter's main terms (the (index, letter, position) index).
        # The Index writes its main terms in the singular: "gallstones" is Gallstone. When both are
        # main terms, the word as written (the longer key: first in descending order).
        main = (
            IndexTerm.objects.main_terms(lead[:1])
            .filter(search_key__in=[lead, singular(lead)])
            .order_by("-search_key")
            .first()
        )
        if main is None:
            continue
        others = [w for w in content if w != lead]
        said = {form for w in normalize_index_text(text).split() for form in (w, singular(w))}
        # Failing an entry with all the other words, one with the condition's own noun, the last of
        # them, whose modifiers the Tabular gives (History > personal > thrombosis (venous) for
        # "history of deep vein thrombosis").
        led = _led(main, others, said) or (_led(main, others[-1:], said) if len(others) > 1 else None)
        if led is not None:
            rows = [led, *(t for t in rows if t.pk != led.pk)]
            strong.add(led.pk)
        break
    # An entry that is the condition word for word comes before all (Effusion > pleura, pleurisy for
    # "pleural effusion", not Effusion > malignant pleural; Hepatitis > C > chronic, not > chronic).
    exact, via = _exact_entries(text), ""
    if not exact:
        exact, via = _exact_through_see_also(text)
    word_for_word = {t.pk for t in exact}
    if exact:
        rows = [*exact, *(t for t in rows if t.pk not in word_for_word)]
        strong |= word_for_word
    if not rows:
        # Short words count (hip, arm), the side does not: the Tabular gives it (right ear, left eye).
        words = [w for w in normalize_index_text(text).split() if len(w) > 2 and w not in STOP | LATERALITY]
        # A main term is a word of the case, or starts with one before its comma ("Fracture,
        # traumatic" for "fracture"); the condition's head noun first ("failure" of "chronic systolic
        # heart failure"), then the largest family (Fracture, traumatic before Fracture, burst).
        noun = _head_noun(key)
        candidates = (
            IndexTerm.objects.main_index()
            .filter(level=0, letter__in={w[:1].upper() for w in words})
            .filter(Q(search_key__in=words) | reduce(operator.or_, (Q(title__istartswith=f"{w},") for w in words), Q()))
            .annotate(family=Count("children"))
            .select_related("see_target")
        )

        def first_word(main: IndexTerm) -> str:
            return normalize_index_text(main.title.split(",")[0])

        mains = sorted(
            candidates[:50], key=lambda m: (first_word(m) != noun, m.search_key not in words, -m.family, m.position)
        )[:3]
        # Every word the case says counts, "encounter" too: Vaccination > encounter for.
        said = set(normalize_index_text(text).split()) - LATERALITY
        scored = []
        # The encounter the case states is a word an entry must cover too (Vaccination > encounter
        # for, not > partial > for COVID-19), though no main term is looked up for it.
        stated = ["encounter"] if "encounter" in said else []
        for main in mains:
            others = [w for w in words if w != main.search_key] + stated
            # Its subterms that say most of the other words first: a main term such as Disorder has
            # thousands, and its first 400 in book order stop at "amphetamine", short of "depressive".
            below = IndexTerm.objects.filter(main=main)
            if others:
                hits = reduce(
                    operator.add,
                    (
                        Case(When(search_text__contains=w, then=1), default=0, output_field=IntegerField())
                        for w in others
                    ),
                )
                below = below.annotate(hits=hits).order_by("-hits", "level", "position")
            for term in [main, *below.select_related("see_target")[:400]]:
                covered = sum(bool(re.search(rf"\b{re.escape(w)}\b", term.search_text)) for w in others)
                # Nonessential modifiers (in search_text, not in the path) neither add nor cost.
                path_words = set(normalize_index_text(term.path).split()) - LINK_WORDS
                # On a tie of the words above, the entry that says most of the case and least
                # besides, then the shallower. The reason for an encounter the case states is its
                # main term ("hepatitis B vaccination": Vaccination > encounter for, not Hepatitis > B).
                matched = len(path_words & said) + len(path_words & said & {"encounter"})
                # A level of link words alone the case does not write ("in", for "in (due to) renal
                # impairment") is a meaning it lacks, like a word; not "with", which the Index presumes
                # (I.A.15).
                bare = sum(
                    1
                    for level in term.path.split(" > ")
                    if set(normalize_index_text(level).split()) <= LINK_WORDS - {"with"}
                    and not set(normalize_index_text(level).split()) & said
                )
                fit = matched - 0.5 * (len(path_words - said) + bare)
                scored.append((-covered, -fit, term.level, term.position, term, matched))
                # The subterms hold all the other words, or the main term is the condition's head
                # and the rest is what it means without more ("Shingles without complication").
                if covered == len(others) or (term is main and main.search_key == head):
                    strong.add(term.pk)
        scored.sort(key=lambda item: item[:4])
        rows = [item[4] for item in scored]
        # Failing an entry with every word, the best one under a main term of the condition's head
        # that says a subterm word of the case too is the coder's entry (not Pneumonia > ... for
        # "severe sepsis due to pneumonia").
        heads = set(head.split())
        if not strong & {t.pk for t in rows}:
            led = next((item for item in scored if item[4].level > 0 and mains_of(item[4], mains) & heads), None)
            if led is not None and led[5] >= 2:
                strong.add(led[4].pk)
        # No subterm says any other word of a condition whose head noun (its first word, or its last
        # before "of": "community acquired pneumonia of the right lower lobe") is a main term; the Index
        # has no lobe: the main term's own code is the default.
        nouns = {words[0], noun} if words and noun else set()
        first = next((main for main in mains if main.search_key in nouns), None)
        if first is not None and not strong & {t.pk for t in rows} and all(item[0] == 0 for item in scored):
            strong.add(first.pk)
    found: list[tuple[str, str, bool]] = []
    for term in rows:
        if _contradicts(term.path, text):
            continue
        code, path = _coded_entry(term, text)
        if via and term.pk in word_for_word:
            path = f"{path} ({via})"
        known = next((i for i, (c, *_) in enumerate(found) if c == code), None)
        if code and known is None:
            found.append((code, path, term.pk in strong))
        elif code and term.pk in strong and not found[known][2]:
            # The code again, from an entry that is the condition itself (Polyneuropathy G62.9, then
            # Neuropathy > peripheral G62.9): it is the condition's code, by that entry's path.
            found[known] = (code, path, True)
    return found[:8]


INJURY = re.compile(r"S|T(?:[0-2]\d|3[0-4]|6[6-9]|7\d|8[0-8])")  # chapter 19 injuries, not poisonings (T36-T65)


def external_cause(text: str) -> tuple[Code, str] | None:
    """The External Cause Index's code for the cause an injury's own words give ("Dog bite of left
    hand": Bite, bitten by > dog W54.0, W54.0XXA), completed to a billable code with the encounter's
    7th character (guideline I.C.20: an external cause code goes with the injury it explains); None
    when the words name no main term and subterm of that index. Words after "without" are not said."""
    said = normalize_index_text(re.split(r"\b(?:without|no|not)\b", text, maxsplit=1)[0])
    words = set(said.split()) - LINK_WORDS
    if not words:
        return None
    entries = IndexTerm.objects.filter(index=IndexTerm.Index.EXTERNAL_CAUSE).exclude(code="")
    best = None
    mains = IndexTerm.objects.filter(
        index=IndexTerm.Index.EXTERNAL_CAUSE, level=0, letter__in={w[:1].upper() for w in words}
    )
    for main in mains:
        lead = normalize_index_text(main.title.split(",")[0]).split()
        if not lead or lead[0] not in words:
            continue
        for term in entries.filter(path__startswith=f"{main.title} > "):
            levels = [
                set(normalize_index_text(level).split()) - LINK_WORDS - {"nec"} for level in term.path.split(" > ")[1:]
            ]
            # Every subterm on the path says a word of the injury's (a subterm of alternatives,
            # "ice or snow", one of them), and no subterm is only link words.
            if all(level and level & words for level in levels):
                fit = (sum(len(level & words) for level in levels), -term.level)
                if best is None or fit > best[0]:
                    best = (fit, term)
    if best is None:
        return None
    term = best[1]
    encounter = "S" if re.search(r"\bsequela", text, re.I) else "D" if re.search(r"\bsubsequent", text, re.I) else "A"
    stem = compact_code(term.code)
    code = (
        Code.objects.filter(system=System.ICD10CM, compact__startswith=stem, billable=True, deleted=False)
        .filter(compact__endswith=encounter)
        .order_by("compact")
        .first()
    )
    if code is None or len(code.compact) != 7 or code.compact[len(stem) : 6].strip("X"):
        return None  # only a code the 7th character (and placeholders) completes: no guessing below it
    return code, term.path
