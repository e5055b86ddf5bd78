"""Poisoning, adverse effect and underdosing: the Table of Drugs and Chemicals, as a coder uses it.

1. Read what happened with the drug (guideline I.C.19.e): a poisoning (overdose, wrong drug, wrong
   dose, ingestion; intent accidental unless the record says intentional self-harm, assault or
   undetermined, I.C.19.e.5.b), an adverse effect of a drug correctly prescribed and properly
   administered (I.C.19.e.5.a), or an underdosing (less taken than prescribed, I.C.19.e.5.c).
2. Find the substance in the Table (main term, or its subterm when the case names it) and take the
   cell of that column; add the 7th character of the encounter (A initial, D subsequent, S sequela).
3. Verify the code in the Tabular List of the current release.
4. Sequence: a poisoning code comes first, then its manifestations; for an adverse effect the
   manifestation comes first, then the T code; an underdosing code is never first-listed (the
   relapsed condition is), and the noncompliance code (Z91.12-/Z91.13-, from the Index's
   "Underdosing" entry) follows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codes.models import Code, IndexTerm, Synonym, System, normalize_index_text

POISONING, ADVERSE, UNDERDOSING = "poisoning", "adverse effect", "underdosing"
# The Table's columns after the substance, in order (IndexTerm.cells).
COLUMNS = ["accidental", "intentional self-harm", "assault", "undetermined", ADVERSE, UNDERDOSING]

UNDERDOSING_WORDS = re.compile(
    r"\bunderdos\w*|\b(stopped|quit|missed|skipped|ran out of|not taking|stopped taking|discontinued|"
    r"took less|taking less|reduced (?:his|her|their|the) dose)\b",
    re.I,
)
ADVERSE_WORDS = re.compile(
    r"\badverse (?:effects?|reactions?)\b|\bside effects?\b|\ballergic reaction to\b|"
    r"\b(?:taken|given|administered|used) (?:as prescribed|correctly|properly)\b|\bproperly administered\b|"
    r"\bas prescribed\b|\b[a-z]+-induced\b|"
    # A condition "due to" a treatment given as planned is its adverse effect ("anemia due to chemotherapy").
    r"\bdue to (?:\w+ )?(?:chemotherapy|immunotherapy|medications?|drugs?)\b",
    re.I,
)
POISONING_WORDS = re.compile(
    r"\bpoison\w*|\boverdos\w*|\bod\b|\bingest\w*|\bwrong (?:drug|medication|dose|patient)\b|\btoo much\b|"
    r"\btoxic (?:dose|ingestion)\b",
    re.I,
)
INTENTS = [
    (re.compile(r"\bintentional(?:ly)?\b(?! underdos)|\bsuicid\w*|\bself[- ]harm\w*|\bdeliberate\w*", re.I), 1),
    (re.compile(r"\bassault\w*|\bhomicid\w*|\bpoisoned by (?:a|an|his|her|their|another)\b", re.I), 2),
    (re.compile(r"\bundetermined\b|\bcannot be determined\b|\bunable to determine\b", re.I), 3),
]
# The words that say what happened with the drug; removed with the substance, what is left is the
# case's other conditions (the manifestations, or the condition that relapsed).
EVENT_WORDS = re.compile(
    r"\b(?:accidental(?:ly)?|unintentional|intentional(?:ly)?|self[- ]harm|suicide attempt|assault|undetermined|"
    r"intent(?: was)? not (?:documented|known|specified)|intent unknown|"
    r"poison(?:ing|ed)?(?: by| with)?|overdos(?:e|ed|ing)(?: of| on)?|ingest(?:ion|ed)(?: of)?|toxicity|toxic|"
    r"adverse (?:effects?|reactions?)(?: of| to)?|side effects?(?: of)?|allergic reaction to|"
    r"underdos(?:e|ed|ing)(?: of)?|(?:stopped|quit|missed|skipped|ran out of)(?: taking)?|"
    r"(?:drug|medication|medicine)? ?(?:taken|given|administered|used) (?:as prescribed|correctly|properly)|"
    r"as prescribed|properly administered|because(?: of)?(?: the patient)?|worse(?:ned)?|leading to|"
    r"(?:initial|subsequent) encounter|sequela|intent|drug|medication)\b",
    re.I,
)
LINKS = r"(?:due to|from|of|by|with|caused by|secondary to|on)"
FINANCIAL = re.compile(r"\b(cost|afford\w*|financial\w*|money|insurance|expensive)\b", re.I)
UNINTENTIONAL = re.compile(r"\b(forgot|forgetful\w*|confus\w*|unintentional\w*|by mistake|misunderstood)\b", re.I)
AGE_DEBILITY = re.compile(r"\b(age[- ]related|debility|elderly|frail\w*)\b", re.I)


@dataclass
class DrugEvent:
    event: str  # poisoning, adverse effect or underdosing
    column: int  # index into IndexTerm.cells
    term: IndexTerm  # the Table's row (main term or subterm)
    code: Code | None  # the cell's code with its 7th character, if valid in the current release
    cell: str  # the cell as the Table gives it ("" for "--")
    why: str
    missing: list[str]
    drug: str = ""  # the drug the case names, when the Table's row is its class


def _as_conditions(text: str) -> str:
    """The case without the event words that begin a main term of the Alphabetic Index with the word
    after them ("Contact dermatitis due to poison ivy": Poison ivy ... dermatitis, L23.7): a condition,
    not a poisoning."""

    def named(match: re.Match) -> str:
        phrase = normalize_index_text(match.group(0))
        main = IndexTerm.objects.main_terms(phrase[:1]).filter(search_key__startswith=phrase)
        return " " if main.exists() else match.group(0)

    return re.sub(r"\b(?:poison\w*|toxic|overdos\w*)\s+[a-z]+\b", named, text, flags=re.I)


def event_of(text: str) -> tuple[str, int] | None:
    """(what happened with the drug, the Table's column) or None when the case says no drug event."""
    text = _as_conditions(text)
    if UNDERDOSING_WORDS.search(text):
        return UNDERDOSING, 5
    if POISONING_WORDS.search(text):
        for pattern, column in INTENTS:
            if pattern.search(text):
                return POISONING, column
        return POISONING, 0  # I.C.19.e.5.b: intent unknown or unspecified is coded as accidental
    if ADVERSE_WORDS.search(text):
        return ADVERSE, 4
    return None


def _phrases(words: list[str], longest: int = 5) -> set[str]:
    return {" ".join(words[i : i + n]) for n in range(1, longest + 1) for i in range(len(words) - n + 1)}


PATH_STOP = {"not", "any", "nec", "and", "the", "for", "with", "from", "other", "transit"}


def _path_words(term: IndexTerm, main: IndexTerm) -> list[str]:
    below = term.path[len(main.path) :]
    return [w for w in normalize_index_text(below).split() if len(w) > 2 and w not in PATH_STOP]


# The Table's rows for a substance the record does not name.
UNNAMED = {"drug", "medicament", "medication", "medicinal substance", "substance"}


def substances(text: str) -> list[IndexTerm]:
    """The Table's rows the case names: the longest main terms found in its words, each narrowed
    to the subterm below it whose words the case also uses ("Carbon > monoxide > motor exhaust gas")."""
    induced = set(normalize_index_text(" ".join(re.findall(r"([a-z]+)-induced\b", text, re.I))).split())
    words = normalize_index_text(re.sub(r"-induced\b", " ", text, flags=re.I)).split()
    phrases = _phrases(words)
    # Main terms are written "Carbon monoxide" or "Carbon": an exact match on those forms uses the index.
    # The Table writes a class as "Antineoplastic NEC": the phrase names that row too.
    forms = {
        form for p in phrases for base in (p.capitalize(), p, p.title(), p.upper()) for form in (base, f"{base} NEC")
    }
    letters = {p[0].upper() for p in phrases}
    mains = list(
        IndexTerm.objects.filter(index=IndexTerm.Index.DRUGS, letter__in=letters, level=0, title__in=forms).order_by(
            "position"
        )
    )
    # "Carbon monoxide" rather than "carbon": a main term inside a longer one found is not another substance.
    keys = [normalize_index_text(m.title) for m in mains]
    mains = [
        m for m, key in zip(mains, keys, strict=True) if not any(key != k and f" {key} " in f" {k} " for k in keys)
    ]
    # "Steroid-induced hyperglycemia from prednisone": the drug named is the substance, the class word is not.
    if len(mains) > 1:
        mains = [m for m in mains if normalize_index_text(m.title) not in induced] or mains
    # "Digoxin toxicity, drug taken as prescribed": the Table's catch-all row (Drug NEC) is for a
    # drug the record does not name, not beside one it does.
    if len(mains) > 1:
        mains = [m for m in mains if normalize_index_text(m.title).removesuffix(" nec") not in UNNAMED] or mains
    found: list[IndexTerm] = []
    said = set(words)
    for main in mains:
        best, best_score = main, 0.0
        below = IndexTerm.objects.filter(
            index=IndexTerm.Index.DRUGS, letter=main.letter, path__startswith=f"{main.path} >"
        )
        for sub in below.order_by("level", "position"):
            sub_words = _path_words(sub, main)
            hits = len(set(sub_words) & said)
            score = hits - 0.5 * len(set(sub_words) - said)
            if hits and score > best_score and any(sub.cells or []):
                best, best_score = sub, score
        # A row without codes that says "see" another (Aleve, see Naproxen) is coded by that row.
        if not any(best.cells or []) and best.see:
            best = table_row(best.see) or best
        found.append(best)
    return found


def table_row(name: str) -> IndexTerm | None:
    """The Table's row with codes that a name writes ("Mercury, chloride": Mercury > chloride)."""
    words = normalize_index_text(name).split()
    if not words:
        return None
    rows = IndexTerm.objects.filter(
        index=IndexTerm.Index.DRUGS, letter=words[0][:1].upper(), path__istartswith=words[0]
    ).order_by("level", "position")
    return next((r for r in rows if normalize_index_text(r.path).split() == words and any(r.cells or [])), None)


def class_rows(text: str) -> list[tuple[IndexTerm, str]]:
    """For drugs the Table does not list (sertraline), the Table's row of their class (Antidepressant
    > selective serotonin reuptake inhibitor), from the shorthand list's "drug class" lines (the FDA
    established pharmacologic class), each with the drug named."""
    words = set(normalize_index_text(text).split())
    found = []
    for drug, path in Synonym.objects.filter(
        source=Synonym.Source.SHORTHAND, note__startswith="drug class:", term__in=words
    ).values_list("term", "replacement"):
        row = table_row(path)
        if row is not None:
            found.append((row, drug))
    return found


def seventh(text: str) -> tuple[str, str | None]:
    """The 7th character of the encounter, and what is missing when the record does not say it."""
    if re.search(r"\bsequela\w*|\blate effect", text, re.I):
        return "S", None
    if re.search(r"\bsubsequent\b|\bfollow[- ]up\b|\bhealing\b", text, re.I):
        return "D", None
    if re.search(r"\binitial\b|\bactive treatment\b|\b(er|ed|emergency)\b|\badmitted\b", text, re.I):
        return "A", None
    return "A", "the encounter is not documented: A (initial encounter, active treatment) is given; D for a "


def read(text: str) -> list[DrugEvent]:
    """The drug events of a case, each with its Table code (guideline I.C.19.e)."""
    found = event_of(text)
    if found is None:
        return []
    event, column = found
    char, missing_encounter = seventh(text)
    events: list[DrugEvent] = []
    seen: set[str] = set()
    named = [(term, "") for term in substances(text)] or class_rows(text)
    for term, drug in named:
        cells = term.cells or []
        cell = cells[column] if column < len(cells) else ""
        missing = []
        if missing_encounter:
            missing.append(missing_encounter + "subsequent encounter, S for a sequela")
        code = None
        if cell:
            base = cell.rstrip("-").rstrip(".")
            # The Table gives six characters; the 7th says the encounter (I.C.19.a), X holds empty places.
            full = base + "X" * max(0, 6 - len(base.replace(".", ""))) + char
            code = Code.objects.filter(system=System.ICD10CM, code=full, billable=True, deleted=False).first()
            if code is None:
                missing.append(
                    f"the Table's {cell} is not a billable code of the current release with 7th character {char}"
                )
        if code is not None and code.code in seen:
            continue
        if code is not None:
            seen.add(code.code)
        label = COLUMNS[column] if event != POISONING else f"poisoning, {COLUMNS[column]}"
        why = f"Table of Drugs and Chemicals: {term.path or term.title}, column “{label}”" + (
            f" = {cell}, 7th character {char}" if cell else " has no code (--)"
        )
        if drug:
            why = f"{drug} is not in the Table of Drugs and Chemicals; its class is. " + why
        if event == POISONING and column == 0 and not re.search(r"\baccident\w*|\bunintentional", text, re.I):
            why += "; the intent is not documented, so it is coded as accidental (guideline I.C.19.e.5.b)"
        events.append(DrugEvent(event, column, term, code, cell, why, missing, drug))
    # "Alcohol-induced chronic pancreatitis": a substance with no adverse effect in the Table (--) is
    # not a drug correctly prescribed and properly administered; the condition's own Index entry
    # (Pancreatitis > chronic > alcohol-induced) codes it.
    induced_only = not ADVERSE_WORDS.search(re.sub(r"\b[a-z]+-induced\b", " ", text, flags=re.I))
    if event == ADVERSE and induced_only and events and not any(e.cell for e in events):
        return []
    return events


def without_events(text: str, events: list[DrugEvent]) -> str:
    """The case with the drug, and what happened with it, taken out: its other conditions."""
    for ev in events:
        if ev.drug:
            text = re.sub(rf"(?:\b{LINKS}\s+)?\b{re.escape(ev.drug)}\b", " ", text, flags=re.I)
        # The words of the Table's path ("Carbon > monoxide > ... motor vehicle"), with the link before them.
        for word in {w for part in ev.term.path.split(" > ") for w in re.findall(r"[A-Za-z]{3,}", part)} - PATH_STOP:
            text = re.sub(rf"(?:\b{LINKS}\s+)?\b{re.escape(word)}\b(?:-induced)?", " ", text, flags=re.I)
    text = re.sub(r"\b[a-z]+-induced\b", " ", text, flags=re.I)
    text = EVENT_WORDS.sub(" ", text)
    text = FINANCIAL.sub(" ", text)
    # Links left dangling at a comma or at the end ("Hematuria due to ,").
    text = re.sub(rf"\b{LINKS}\s*(?=[,.;:]|$)", " ", text, flags=re.I)
    text = re.sub(rf"^\s*(?:{LINKS}|in)\b", " ", text.strip(), flags=re.I)
    return " ".join(text.split())


def noncompliance(text: str) -> tuple[Code | None, str]:
    """The Z91.1- code the Index's "Underdosing" entry gives for why less was taken, with its path."""
    if FINANCIAL.search(text):
        words = "underdosing intentional financial hardship"
    elif AGE_DEBILITY.search(text):
        words = "underdosing unintentional age related debility"
    elif UNINTENTIONAL.search(text):
        words = "underdosing unintentional"
    elif re.search(r"\b(stopped|quit|decided|chose|refused|skipped)\b", text, re.I):
        words = "underdosing intentional"
    else:
        return None, ""
    term = IndexTerm.objects.lookup(words).filter(code_status=IndexTerm.Status.VALID).exclude(code_compact="").first()
    if term is None:
        return None, ""
    code = Code.objects.filter(system=System.ICD10CM, compact=term.code_compact, billable=True).first()
    return code, term.path
