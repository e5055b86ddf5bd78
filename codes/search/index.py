"""Building the search index: one `SearchEntry` per code that has words (its title, and its
other names as a second weight), the engine's full-text index and the lexicon of words.

Importers call `index_after_import()`; nothing is indexed at query time.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import math
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.db import connection, transaction

from codes import pagecache, synonyms
from codes.importers.base import write_rows
from codes.models import (
    BROWSE_KINDS,
    Code,
    IndexTerm,
    Note,
    PlainDescription,
    SearchEntry,
    SearchWord,
    Synonym,
    System,
    normalize_term,
)

from .dialects import dialect
from .parsing import STOP_WORDS, fold, is_default_title, is_other_title, title_phrase, word_key, words_of

# The main Alphabetic Index (Index to Diseases and Injuries) as IndexTerm rows of this index.
MAIN_INDEX = "main"


def _main_index_paths() -> dict[str, list[tuple[str, str]]]:
    """{ICD-10-CM code as the Index gives it, a dash kept ("S72.00-": the coder completes it):
    [(shown path, path words, keys), ...]} for every main-index entry with a code.
    An entry that only says "see" (or "see also") leads where the term it names leads, as a
    coder following it would: "Infection > bone, see Osteomyelitis → M86.9", and on through a
    term that itself only says "see" ("Fracture, traumatic > hip, see Fracture, femur, neck",
    which says "see Fracture, femur, upper end, neck → S72.00-")."""
    entries = IndexTerm.objects.filter(index=MAIN_INDEX).values_list(
        "pk", "parent_id", "title", "nemod", "code", "see_target_id", "see_also_target_id"
    )
    rows, referred = {}, {}
    for pk, parent, title, nemod, code, see, see_also in entries.iterator(chunk_size=20000):
        rows[pk] = (parent, title, nemod, code)
        if not code and (see or see_also):
            referred[pk] = see or see_also
    chains: dict[int, list[str]] = {}

    def chain(pk: int) -> list[str]:
        if pk not in chains:
            parent, title, *_ = rows[pk]
            chains[pk] = [*chain(parent), title] if parent in rows else [title]
        return chains[pk]

    plain = _plain_main_terms(rows)
    classes = index_classes()
    found: dict[str, list[tuple[str, str, list[str]]]] = {}
    for pk, (_parent, _title, nemod, code) in rows.items():
        target = referred.get(pk)
        for _ in range(SEE_HOPS):
            if target not in referred or rows[target][3]:
                break
            target = referred[target]
        if not code and target in rows and rows[target][3]:
            code = rows[target][3]
            shown = f"{' > '.join(chain(pk))}, see {' > '.join(chain(target))} → {code}"
        elif code:
            shown = f"{' > '.join(chain(pk))} → {code}"
        else:
            continue
        titles = chain(pk)
        words = normalize_term(" ".join([*titles, nemod]))
        keys = with_members(path_keys(titles, nemod, plain=_root(rows, pk) in plain), classes)
        key = code.rstrip("-").rstrip(".") + ("-" if code.endswith("-") else "")
        found.setdefault(key, []).append((shown, words, keys))
    return found


# A code the Index gives with a dash ("S72.00-") is completed from the Tabular: its paths also
# lead to each billable code that completes it, when those are at most this many ("Fracture,
# traumatic > hip" leads to S72.002A, left femur, so "lt hip fracture" finds it). Beyond that the
# path names too broad a range to say any one code ("S72-": every femur fracture).
MAX_COMPLETED = 60


def completions(paths: dict[str, list], codes: list[str]) -> dict[str, list]:
    """{billable code: the index paths of the dashed codes it completes} (`paths` as
    `_main_index_paths` gives them, `codes` the billable ICD-10-CM codes)."""
    completing: dict[str, list[str]] = {}
    for code in codes:
        for key in {code[:end].rstrip(".") + "-" for end in range(3, len(code))}:
            if key in paths:
                completing.setdefault(key, []).append(code)
    out: dict[str, list] = {}
    for key, found in completing.items():
        if len(found) <= MAX_COMPLETED:
            for code in found:
                out.setdefault(code, []).extend(paths[key])
    return out


SEE_HOPS = 3  # a cycle of references ends here too

INDEX_CLASSES = Path(settings.FIXTURES_DIR) / "synonyms" / "index_classes.tsv"


def index_classes(path: Path = INDEX_CLASSES) -> list[tuple[set[str], set[str]]]:
    """(class words, member words) as word keys: "lower respiratory infection" holds "pneumonia"
    (the Tabular files pneumonia among the acute lower respiratory infections; see the file)."""
    classes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, member, *_ = line.split("\t")
            classes.append((set(word_key(name).split()), set(word_key(member).split())))
    return classes


def with_members(keys: list[str], classes: list[tuple[set[str], set[str]]]) -> list[str]:
    """The keys, and each key naming a class once more with a member in the class's place:
    "Disease > pulmonary > chronic obstructive > with > lower respiratory infection" is also
    "... with pneumonia", so a query naming COPD and pneumonia holds the path (J44.0)."""
    out = list(keys)
    for key in keys:
        words = set(key.split())
        for name, member in classes:
            if name <= words:
                out.append(" ".join(sorted((words - name) | member)))
    return list(dict.fromkeys(out))


def _root(rows: dict, pk: int) -> int:
    while rows[pk][0] in rows:
        pk = rows[pk][0]
    return pk


def _plain_main_terms(rows: dict) -> set[int]:
    """The main terms a query may name without their modifier: "Fracture, traumatic" (its 2,000
    entries make it the Index's fracture), not "Fracture, pathological" beside it. Of the main
    terms that share a first word and have a modifier after a comma (not a spelling: see
    `_spellings`), the one with the most entries under it, if the word is no main term itself."""
    size: Counter[int] = Counter(_root(rows, pk) for pk in rows)
    families: dict[str, list[int]] = {}
    alone = set()
    for pk in size:
        first, *rest = (part.strip() for part in rows[pk][1].split(","))
        if _modifiers(rows[pk][1]):
            families.setdefault(fold_key(first), []).append(pk)
        elif not rest:
            alone.add(fold_key(first))
    return {max(pks, key=lambda pk: size[pk]) for first, pks in families.items() if first not in alone}


# An index term lists its spellings with commas ("Ulcer, ulcerated, ulcerating"): a path is
# keyed under each combination of them, up to this many.
MAX_SPELLINGS = 8


def fold_key(text: str) -> str:
    return " ".join(words_of(text))


def _spellings(title: str) -> list[str]:
    """A main term and the spellings after its commas that share its first four letters ("Ulcer,
    ulcerated"); not a modifier ("Fracture, pathological"). A subterm's commas all give spellings
    ("stomach, gastric")."""
    first, *rest = [part for part in (p.strip() for p in title.split(",")) if part] or [title]
    return [first, *(part for part in rest if fold(part)[:4] == fold(first)[:4])]


def _modifiers(title: str) -> list[str]:
    parts = [part for part in (p.strip() for p in title.split(",")) if part]
    return [part for part in parts[1:] if part not in _spellings(title)]


def path_keys(titles: list[str], nemod: str, *, plain: bool = True) -> list[str]:
    """The word sets (parsing.word_key) a query may type for an index path: one spelling of each
    term, with none, all or (for the first spelling) one of the nonessential modifiers in
    parentheses. "Ulcer, ulcerated > duodenum, duodenal (eroded)" -> "duodenal ulcer",
    "duodenal eroded ulcer", "duodenum ulcer", ... A main term's modifier after a comma is said
    too ("Fracture, pathological > hip" -> "fracture hip pathological"), and may go unsaid where
    the main term is `plain` (`_plain_main_terms`: "Fracture, traumatic > hip" -> "fracture hip")."""
    main, *subterms = titles
    modifiers = " ".join(_modifiers(main))
    combinations = [f"{s} {modifiers}" for s in _spellings(main)[:4]]
    if plain and modifiers:
        combinations += _spellings(main)[:4]
    for title in subterms:
        spellings = [part for part in (p.strip() for p in title.split(",")) if part][:4] or [title]
        combinations = [f"{c} {s}" for c in combinations for s in spellings][:MAX_SPELLINGS]
    extras = [w for w in words_of(nemod) if w not in STOP_WORDS][:8]
    keys = []
    for n, combination in enumerate(combinations):
        keys += [word_key(combination), word_key(f"{combination} {nemod}")]
        if n == 0 and len(extras) > 1:
            keys += [word_key(f"{combination} {extra}") for extra in extras]
    return [k for k in dict.fromkeys(keys) if k]


# "Conditions classifiable to C15-C26" (the inclusion term of Z80.0, family history of malignant
# neoplasm of digestive organs): the codes it names, one or a range.
CLASSIFIABLE = re.compile(r"([A-Z]\d[\dA-Z](?:\.[\dA-Z]+)?)(?:-([A-Z]\d[\dA-Z](?:\.[\dA-Z]+)?))?")
# A range of more categories than this says a whole chapter ("E00-E88"): too broad to name one.
MAX_CLASSIFIABLE = 12


def classifiable_titles(note: str, titles: dict[str, str], categories: list[str]) -> list[str]:
    """The titles of the codes a "Conditions classifiable to ..." note names: Z80.0's C15-C26 are
    the digestive organs' cancers, so "family history of colon cancer" holds its words (C18,
    "Malignant neoplasm of colon"). `titles`: ICD-10-CM titles by code; `categories`: the
    three-character categories in order."""
    found = []
    for start, end in CLASSIFIABLE.findall(note.partition("classifiable to")[2]):
        if not end:
            found += [titles[start]] if start in titles else []
            continue
        within = [c for c in categories if start[:3] <= c <= end[:3]]
        if len(within) <= MAX_CLASSIFIABLE:
            found += [titles[c] for c in within]
    return found


def prior(*, paths: int, default: bool, beside: bool) -> float:
    """The score factor a code has before any query: each index path leading to it is evidence
    that coders reach it (logarithmic: J18.9 has dozens); the default (NOS) code of a category
    is what a query naming only the category means; a code reported beside the thing its title
    names (`reported_beside`) is rarely what a search for its words is after."""
    factor = (1.0 + 0.1 * math.log1p(paths)) * (DEFAULT_CODE if default else 1.0)
    return round(factor * (REPORTED_BESIDE if beside else 1.0), 4)


def reported_beside(system: str, compact: str, *, betos: str = "") -> bool:
    """Codes whose title names a procedure or service that another code reports, not the code's own
    subject: HCPCS quality-reporting codes (BETOS Z2: "Influenza immunization administered or
    previously received"); CPT anesthesia codes 00100-01999 ("Anesthesia for hysteroscopy" is the
    anesthesiologist's service, the hysteroscopy has its own code); ICD-10-PCS section X, New
    Technology, where each code names one drug or device ("Introduction of Ciltacabtagene
    Autoleucel into Peripheral Vein"): a query naming only the procedure means the code of the
    standard sections. A query naming the product or anesthesia still finds them: only their
    titles hold its words."""
    if system == System.HCPCS:
        return betos == "Z2"
    if system == System.CPT:
        return len(compact) == 5 and compact.isdigit() and compact < "02000"
    return system == System.ICD10PCS and compact.startswith("X")


DEFAULT_CODE = 1.3
MAX_OTHER_KEYS = 30
REPORTED_BESIDE = 0.5
SHARE_DAMPING = 5000


class Document(NamedTuple):
    """A search entry as build_index writes it: the columns of SearchEntry but the engine's own
    (PostgreSQL's vector, computed from the title and extra as it is written)."""

    code_id: int
    system: str
    title: str
    extra: str
    phrase: str
    compact: str
    kind: str
    billable: bool
    deleted: bool
    effective_date: datetime.date | None
    termination_date: datetime.date | None
    prior: float
    paths: str
    path_keys: str


def _documents() -> list[Document]:
    """A Document for every code that has words, best first: current billable codes, then
    headers, then browse nodes, deleted codes last; shorter titles first."""
    plain = {
        (system, code): (short_title, text)
        for system, code, short_title, text in PlainDescription.objects.filter(
            status=PlainDescription.Status.PUBLISHED
        ).values_list("system", "code", "short_title", "text")
    }
    # Each text's key once: a PCS index term names up to 200 codes, a header every default code below it.
    key_of = functools.cache(word_key)
    names: dict[tuple[str, str], list[str]] = {}
    index_paths: Counter[tuple[str, str]] = Counter()
    # The other indexes' paths (PCS index, Neoplasm Table, Drugs, External Causes) are keys too:
    # "tracheostomy" is the PCS index's own term for 0B110F4.
    other_keys: dict[tuple[str, str], list[str]] = {}
    for system, code, term, source in Synonym.objects.exclude(code="").values_list("system", "code", "term", "source"):
        names.setdefault((system, code), []).append(term)
        if source == Synonym.Source.INDEX:
            index_paths[system, code] += 1
            keys = other_keys.setdefault((system, code), [])
            if len(keys) < MAX_OTHER_KEYS:
                keys.append(key_of(term))
    index_paths_of = _main_index_paths()
    icd_rows = list(Code.objects.filter(system=System.ICD10CM).values_list("code", "title", "billable"))
    completed_paths = completions(index_paths_of, [code for code, _, billable in icd_rows if billable])
    main_paths: dict[str, list] = {}  # the header keeps its own paths: "S72.00" (from "S72.00-")
    for key, found in index_paths_of.items():
        main_paths.setdefault(key.rstrip("-"), []).extend(found)
    betos = dict(Code.objects.filter(system=System.HCPCS, data__has_key="betos").values_list("pk", "data__betos"))
    # A default code is named by its headers' words too ("Unspecified dementia" -> F03.90).
    headers = dict(
        Code.objects.filter(system=System.ICD10CM, billable=False, kind__in=["category", "subcategory"]).values_list(
            "pk", "title"
        )
    )
    icd_titles = {code: title for code, title, _ in icd_rows}
    categories = sorted(code for code in icd_titles if len(code) == 3)
    classifiable = {}
    for code_id, note in Note.objects.filter(
        type=Note.Type.INCLUSION, code__system=System.ICD10CM, text__istartswith="conditions classifiable to"
    ).values_list("code_id", "text"):
        classifiable.setdefault(code_id, []).extend(classifiable_titles(note, icd_titles, categories))
    fields = ["pk", "system", "code", "compact", "kind", "title", "short_title", "billable", "deleted"]
    fields += ["effective_date", "termination_date", "lineage"]
    entries = []
    for row in Code.objects.values_list(*fields).iterator(chunk_size=10000):
        pk, system, code, compact, kind, title, short_title, billable, deleted, effective, terminated, lineage = row
        extra = []
        if short_title and short_title.lower() != title.lower():
            extra.append(short_title)
        if (system, code) in plain:
            plain_title, text = plain[system, code]
            if title:
                extra += [plain_title, text] if plain_title else [text]
            elif plain_title:
                title = plain_title  # CPT without licensed descriptors: our short title leads
                extra.append(text)
            else:
                title = text  # our own words lead
        extra += names.get((system, code), [])
        extra += classifiable.get(pk, [])
        paths = main_paths.get(code, []) if system == System.ICD10CM else []
        extra += [words for _, words, _ in paths]
        # A path to the dashed code this one completes makes its words match, and is no more: not
        # evidence for the code (the prior), nor a path naming it (the keys), or the unspecified
        # completion would lead every specific one ("pressure ulcer sacral region stage 3").
        extra += [words for _, words, _ in completed_paths.get(code, [])] if system == System.ICD10CM else []
        if not (title or extra):
            continue
        default = system == System.ICD10CM and billable and is_default_title(title)
        keys = [key for _, _, path in paths for key in path] + other_keys.get((system, code), [])
        # The title's own words in any order: "prostate cancer" read as "prostate malignant
        # neoplasm" is "Malignant neoplasm of prostate" (C61).
        keys.append(key_of(title))
        if default:
            keys += [key_of(headers[a]) for a in lineage or [] if a in headers and not is_other_title(headers[a])]
        entries.append(
            Document(
                code_id=pk,
                system=system,
                title=title,
                extra=" | ".join(dict.fromkeys(extra)),
                phrase=title_phrase(title)[:500],
                compact=compact,
                kind=kind,
                billable=billable,
                deleted=deleted,
                effective_date=effective,
                termination_date=terminated,
                prior=prior(
                    paths=index_paths[system, code] + len(paths),
                    default=default,
                    beside=reported_beside(system, compact, betos=betos.get(pk, "")),
                ),
                paths="\n".join(shown for shown, _, _ in paths),
                path_keys="".join(f"|{key}" for key in dict.fromkeys(keys)) + "|" if keys else "",
            )
        )
    entries.sort(key=lambda e: (e.deleted, not e.billable, e.kind in BROWSE_KINDS, len(e.title), e.compact))
    return entries


def build_index(*, stdout=None) -> dict[str, int]:
    """Rebuild the whole search index (documents in best-first table order) and the lexicon.

    Always all systems: the order of the table is part of the ranking (see SearchEntry)."""
    pagecache.bump()  # cached suggestions and results came from the old index
    entries = _documents()
    with transaction.atomic(), connection.cursor() as cursor:
        dialect().write_index(cursor, Document._fields, entries)
    counts = dict(Counter(e.system for e in entries))
    if stdout:
        for system, count in counts.items():
            stdout.write(f"{System(system).label}: {count} codes indexed")
    build_lexicon()
    return counts


def build_lexicon() -> int:
    """Count every word of every search document (the misspelling corrector's dictionary), and
    how much each word belongs to each code set (per document of the set, so the 98,000
    ICD-10-CM codes do not outweigh the 9,000 HCPCS ones)."""
    words: Counter[str] = Counter()
    per_system: dict[str, Counter[str]] = {}
    documents: Counter[str] = Counter()
    rows = SearchEntry.objects.values_list("system", "title", "extra").iterator(chunk_size=10000)
    for system, title, extra in rows:
        found = [w for w in words_of(f"{title} {extra}") if 2 <= len(w) <= 60 and not w.isdigit()]
        words.update(found)
        per_system.setdefault(system, Counter()).update(set(found))
        documents[system] += 1
    words.update(w for term in Synonym.objects.values_list("term", flat=True) for w in term.split())

    def shares(word: str) -> dict[str, float]:
        # The pseudo-count damps small sets: a word in 10 of the 770 DRG titles is not a DRG word.
        rates = {s: per_system[s][word] / (documents[s] + SHARE_DAMPING) for s in per_system if per_system[s][word]}
        total = sum(rates.values())
        return {s: round(rate / total, 3) for s, rate in rates.items()} if total else {}

    with transaction.atomic():
        SearchWord.objects.all().delete()
        write_rows(SearchWord, ["word", "count", "systems"], ((w, n, shares(w)) for w, n in words.items()))
    return len(words)


# --- keeping the index current after imports ---------------------------------------------

# While load_codesets runs every import, the systems to reindex wait here and it builds
# the index once at the end (see `deferred_indexing`).
_waiting: set[str] | None = None


def index_after_import(system: str) -> None:
    """Importers call this (with the system they changed): once their transaction commits, the
    synonyms are reseeded and the search index rebuilt."""
    if _waiting is not None:
        _waiting.add(system)
        return

    def rebuild() -> None:
        synonyms.seed()
        build_index()

    transaction.on_commit(rebuild)


@contextlib.contextmanager
def deferred_indexing() -> Iterator[set[str]]:
    """Collect index_after_import() calls instead of rebuilding after each import."""
    global _waiting
    _waiting = set()
    try:
        yield _waiting
    finally:
        _waiting = None
