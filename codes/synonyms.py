"""Seed the `Synonym` table: a curated list (fixtures/synonyms/curated.tsv), clinical shorthand
(fixtures/shorthand/shorthand.tsv) and the names
the code sets themselves give codes (ICD-10-CM inclusion terms and index tables, the
ICD-10-PCS index and definitions).

Seeding replaces the rows of the sources it loads and leaves rows added by editors in
the admin alone, so it is safe to rerun after every import.
"""

from __future__ import annotations

from bisect import bisect_left
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.db import transaction

from .importers.base import write_rows
from .models import Code, IndexTerm, Note, PcsDefinition, Synonym, System, normalize_term

CURATED = Path(settings.FIXTURES_DIR) / "synonyms" / "curated.tsv"
SHORTHAND = Path(settings.FIXTURES_DIR) / "shorthand" / "shorthand.tsv"
Source = Synonym.Source


class SeedRow(NamedTuple):
    """A synonym as the seeders give it, the columns of `Synonym` they fill (a plain tuple: the
    200,000 rows of a seed cost a second more as model instances)."""

    term: str
    replacement: str = ""
    system: str = ""
    code: str = ""
    source: str = Source.EDITOR
    note: str = ""


def read_curated(path: Path = CURATED) -> list[SeedRow]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) < 2 or not normalize_term(parts[0]) or not normalize_term(parts[1]):
                raise ValueError(f"{path.name}, line {number}: expected 'term<TAB>replacement'")
            note = parts[2].strip() if len(parts) > 2 else ""
            rows.append(
                SeedRow(
                    term=normalize_term(parts[0]),
                    replacement=normalize_term(parts[1]),
                    source=Source.CURATED,
                    note=note or "fixtures/synonyms/curated.tsv",
                )
            )
    return rows


def read_shorthand(path: Path = SHORTHAND) -> list[SeedRow]:
    """Clinical shorthand (fixtures/shorthand/SOURCE.md): term, expansion, kind, source per line."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4 or not normalize_term(parts[0]) or not normalize_term(parts[1]):
                raise ValueError(f"{path.name}, line {number}: expected 'term<TAB>expansion<TAB>kind<TAB>source'")
            term, expansion, kind, source = parts
            rows.append(
                SeedRow(
                    term=normalize_term(term),
                    replacement=normalize_term(expansion),
                    source=Source.SHORTHAND,
                    note=f"{kind}: {source}"[:200],
                )
            )
    return rows


def _inclusion_terms() -> list[SeedRow]:
    notes = Note.objects.filter(type=Note.Type.INCLUSION, code__system=System.ICD10CM).values_list("text", "code__code")
    return [
        SeedRow(term=normalize_term(text)[:200], system=System.ICD10CM, code=code, source=Source.INCLUSION)
        for text, code in notes
        if normalize_term(text)
    ]


def _index_terms() -> list[SeedRow]:
    """Each index entry that names a code, as the path of its terms ("accident transport bus")."""
    from codes.search.parsing import word_key  # codes.search imports this module

    terms = {
        pk: (parent, title, nemod, code, cells, index)
        # Not the main index (81,000 paths): the search index reads it itself (codes.search.index),
        # as paths leading to codes, not as synonyms.
        for pk, parent, title, nemod, code, cells, index in IndexTerm.objects.exclude(index=IndexTerm.Index.MAIN)
        .values_list("pk", "parent_id", "title", "nemod", "code", "cells", "index")
        .iterator(chunk_size=10000)
    }
    see = dict(IndexTerm.objects.filter(index=IndexTerm.Index.PCS, code="").exclude(see="").values_list("pk", "see"))
    paths: dict[int, str] = {}

    def path(pk: int) -> str:
        if pk not in paths:
            parent, title, *_ = terms[pk]
            paths[pk] = f"{path(parent)} {title}".strip() if parent in terms else title
        return paths[pk]

    pcs_tables = set(Code.objects.filter(system=System.ICD10PCS, kind="table").values_list("code", flat=True))
    pcs_titles = dict(
        Code.objects.filter(system=System.ICD10PCS, billable=True, deleted=False).values_list("code", "title")
    )
    pcs_codes = sorted(pcs_titles)
    # Each title's words once (parsing.word_key): the index terms name the same codes over and over.
    pcs_title_words = {code: set(word_key(title).split()) for code, title in pcs_titles.items()}
    rows = []
    for pk, (_parent, _title, nemod, code, cells, index) in terms.items():
        if pk in see:
            rows += _pcs_see(normalize_term(f"{path(pk)} {nemod}")[:200], see[pk])
            continue
        if index == IndexTerm.Index.PCS:
            system = System.ICD10PCS
            # The PCS index names tables and partial codes ("0DTJ", "5A15"): the words go to the
            # codes the coder completes from it, or to the table where those are too many to say so.
            most = MAX_TABLE_COMPLETIONS if code in pcs_tables else MAX_COMPLETIONS
            targets = [code] if len(code) == 7 else _completions(pcs_codes, code, most=most)
            targets = _named_by(targets, f"{path(pk)} {nemod}", pcs_title_words)
            if not targets and code[:3] in pcs_tables:
                targets = [code[:3]]
        else:
            system = System.ICD10CM
            targets = [c for c in [code, *cells] if c]
        term = normalize_term(f"{path(pk)} {nemod}")[:200]
        if not term:
            continue
        note = IndexTerm.Index(index).label
        rows += [
            SeedRow(term=term, system=system, code=t, source=Source.INDEX, note=note) for t in dict.fromkeys(targets)
        ]
    return rows


def _pcs_see(term: str, see: str) -> list[SeedRow]:
    """A PCS index term that sends the coder to a root operation or another term without a code
    ("Amputation, see Detachment"; "Biopsy, see Excision with qualifier Diagnostic") is a text
    synonym: the query's word is also searched as the words the tables' titles use."""
    replacement = normalize_term(see.replace("with qualifier", " "))[:300]
    if not term or not replacement or replacement == term:
        return []
    return [SeedRow(term=term, replacement=replacement, source=Source.INDEX, note=f"ICD-10-PCS index: see {see}"[:200])]


# A partial PCS code completing to more codes than this is too broad for its index words to
# name each of them ("0SR", every lower joint replacement).
MAX_COMPLETIONS = 60
# A procedure name the index sends to a whole table ("Arthroscopy" -> 0RJ Inspection, Upper
# Joints; "Vasectomy" -> 0VB) is what every code of the table does: the query's other words
# ("shoulder") pick the body part. Up to the size of most tables (median 48, 811 of 914 <= 200).
MAX_TABLE_COMPLETIONS = 200


def _completions(codes: list[str], prefix: str, *, most: int = MAX_COMPLETIONS) -> list[str]:
    """The codes (sorted) that start with `prefix`, if there are at most `most`."""
    start = bisect_left(codes, prefix)
    found = []
    for code in codes[start : start + most + 1]:
        if not code.startswith(prefix):
            break
        found.append(code)
    return found if 0 < len(found) <= most else []


def _named_by(codes: list[str], term: str, title_words: dict[str, set[str]]) -> list[str]:
    """The codes whose titles hold the most of the index term's words: "Pacemaker > Dual Chamber >
    Chest 0JH6" is the dual chamber pacemaker of 0JH6 (its device axis), not the infusion pump
    or tissue expander beside it. A "-scopy" names the endoscopic approach ("Arthroscopy -> 0RJ"
    is the inspection of a joint through a scope, not the open one), "Vasectomy -> 0VB" the vas
    deferens. All of them when their titles hold the words alike."""
    from codes.search.parsing import word_key  # codes.search imports this module

    wanted = set(word_key(term).split())
    if any(word.endswith(("scopy", "scopic")) for word in wanted):
        wanted.add("endoscopic")

    def holds(words: set[str]) -> int:
        # A procedure's name may be its body part's word and a suffix: "vas-ectomy" is the Vas Deferens.
        return sum(1 for w in wanted if w in words or any(len(t) >= 3 and w.startswith(t) for t in words))

    held = {code: holds(title_words.get(code, set())) for code in codes}
    most = max(held.values(), default=0)
    return [code for code in codes if held[code] == most]


def _pcs_definitions() -> list[SeedRow]:
    """ "Includes" of root operations, approaches and body parts: "face lift" -> alteration."""
    rows = []
    for term, includes in PcsDefinition.objects.exclude(includes=[]).values_list("term", "includes"):
        replacement = normalize_term(term)
        for item in includes:
            for phrase in str(item).split(","):
                phrase = normalize_term(phrase)
                # One-word items ("left", "hand") are body-part qualifiers, not names of the value.
                if len(phrase.split()) > 1 and phrase != replacement and len(phrase) <= 200:
                    rows.append(
                        SeedRow(
                            term=phrase, replacement=replacement, source=Source.PCS_DEFINITION, note="PCS definitions"
                        )
                    )
    return rows


SEEDERS = {
    Source.CURATED: read_curated,
    Source.SHORTHAND: read_shorthand,
    Source.INCLUSION: _inclusion_terms,
    Source.INDEX: _index_terms,
    Source.PCS_DEFINITION: _pcs_definitions,
}


def with_queries_spelling(rows: list[SeedRow]) -> list[SeedRow]:
    """The rows, and each term with a replacement once more as a query reads it: without its stop
    words ("water on the brain" is looked up as "water brain", "golfer's elbow" as "golfer elbow").
    Not where one word would be left: "can't sleep" is not what "sleep" alone means."""
    from codes.search.parsing import STOP_WORDS  # codes.search imports this module

    out, seen = list(rows), {(row.term, row.replacement) for row in rows}
    for row in rows:
        words = row.term.split()
        kept = [w for w in words if w not in STOP_WORDS]
        if not row.replacement or len(kept) == len(words) or len(kept) < 2:
            continue
        term = " ".join(kept)
        if (term, row.replacement) not in seen:
            seen.add((term, row.replacement))
            out.append(SeedRow(term=term, replacement=row.replacement, source=row.source, note=row.note))
    return out


# The columns a seeded synonym fills.
FIELDS = list(SeedRow._fields)


def seed(*, sources: list[str] | None = None) -> dict[str, int]:
    """Replace the synonyms of the given sources (all but editors' by default)."""
    counts = {}
    for source in sources or list(SEEDERS):
        rows = with_queries_spelling(SEEDERS[source]())
        with transaction.atomic():
            Synonym.objects.filter(source=source).delete()
            write_rows(Synonym, FIELDS, rows)
        counts[source] = len(rows)
    return counts
