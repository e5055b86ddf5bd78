"""The ICD-10-CM Alphabetic Index to Diseases and Injuries (the main index).

Two formats load through the same code:

- the official XML (`<ICD10CM.index>`, schema `icd10cm-index-2025.xsd`, the shape of the
  External Cause index), read by `codes.importers.icd10cm_index.parse_index`;
- the flattened CSV bundled in fixtures/ (`RowID, Letter, Level, Term, See, SeeAlso,
  NonEssModif, Code` in document order): the tree is rebuilt from `Level`, a row being the
  child of the nearest earlier row one level up. That copy keeps one code per term and no
  bracketed manifestation codes (fixtures/icd10cm/SOURCE.md).

Both become TermRows and are written by `write_main_index`: each term with its path, the
main term above it, the terms its "see" and "see also" name (resolved here, once), and its
code's resolution in the imported tabular: valid, needs more characters (with the valid
completions), or not a code in the current release.
"""

from __future__ import annotations

import bisect
import csv
import datetime
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils.text import slugify

from codes.models import Code, IndexTerm, Release, System, compact_code, normalize_index_text

from .base import ImportFileError, Progress, open_text, register_release, reserve_ids, write_rows
from .icd10cm_index import TERM_COLUMNS, IndexFile, TermRow, parse_index, path_of, term_row

MAIN = IndexTerm.Index.MAIN
DATASET = "icd-10-cm-main-index"
TITLE = "ICD-10-CM Index to Diseases and Injuries"
CSV_COLUMNS = ["RowID", "Letter", "Level", "Term", "See", "SeeAlso", "NonEssModif", "Code"]
MAX_LEVEL = 12
COMPLETIONS_SHOWN = 16  # every 7th character of a fracture code
# "see condition", "see also condition, chromosome 13": the reader looks up the condition itself.
GENERAL_TARGETS = ("condition",)


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def read_flat_csv(path: Path | str, *, version: str = "") -> IndexFile:
    """The flattened index CSV as terms in document order, each linked to its parent."""
    terms: list[TermRow] = []
    stack: list[TermRow] = []
    with open_text(path, encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != CSV_COLUMNS:
            raise ImportFileError(path, 1, f"expected the columns {', '.join(CSV_COLUMNS)}")
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(CSV_COLUMNS):
                raise ImportFileError(path, line, f"expected {len(CSV_COLUMNS)} columns, found {len(row)}")
            _row_id, letter, level_text, term, see, see_also, nemod, code = (_clean(cell) for cell in row)
            if not level_text.isdigit() or int(level_text) > MAX_LEVEL:
                raise ImportFileError(path, line, f"Level {level_text!r} is not a number from 0 to {MAX_LEVEL}")
            level = int(level_text)
            if level > len(stack):
                raise ImportFileError(path, line, f"a level {level} term without a level {level - 1} term above it")
            if len(letter) != 1 or not letter.isalpha():
                raise ImportFileError(path, line, f"Letter {letter!r} is not a letter")
            if level == 0 and not term:
                raise ImportFileError(path, line, "a main term without a title")
            if code and not re.fullmatch(r"[A-Z][0-9A-Z]{2}(\.[0-9A-Z]{0,4})?-?|[A-Z][0-9A-Z]{2}\.-", code):
                raise ImportFileError(path, line, f"{code!r} is not an ICD-10-CM code")
            del stack[level:]
            item = TermRow(
                level=level,
                position=len(terms) + 1,
                letter=letter.upper(),
                title=term,
                nemod=nemod,
                code=code,
                see=see,
                see_also=see_also,
                parent=stack[-1] if stack else None,
            )
            terms.append(item)
            stack.append(item)
    if not terms:
        raise ImportFileError(path, None, "no index terms")
    if not version:
        found = re.search(r"(?:fy)?(20\d\d)", Path(path).name.lower())
        version = found.group(1) if found else ""
    return IndexFile(MAIN, version, terms)


def read_main_index(path: Path | str, *, version: str = "") -> IndexFile:
    """Either format, told apart by the file name (.xml or .xml.gz: the official XML)."""
    name = Path(path).name.lower()
    if name.endswith((".xml", ".xml.gz")):
        parsed = parse_index(path=path, index=MAIN)
        if parsed.index != MAIN:
            raise ImportFileError(path, None, "not the Index to Diseases and Injuries")
        return parsed
    return read_flat_csv(path, version=version)


@dataclass
class Tabular:
    """The imported ICD-10-CM codes an index code resolves against."""

    billable: dict[str, str]  # compact -> canonical code
    headers: set[str]
    sorted_billable: list[str]

    @classmethod
    def load(cls) -> Tabular:
        billable, headers = {}, set()
        rows = Code.objects.filter(system=System.ICD10CM, deleted=False, kind__in=["category", "subcategory", "code"])
        for compact, code, is_billable in rows.values_list("compact", "code", "billable").iterator(chunk_size=10000):
            if is_billable:
                billable[compact] = code
            else:
                headers.add(compact)
        return cls(billable, headers, sorted(billable))

    def resolve(self, code: str) -> tuple[str, list[str], int]:
        """(status, valid completions shown, how many completions there are) for an index code."""
        compact = compact_code(code)
        if not compact:
            return IndexTerm.Status.NONE, [], 0
        if compact in self.billable:
            return IndexTerm.Status.VALID, [], 0
        if compact in self.headers:
            start = bisect.bisect_left(self.sorted_billable, compact)
            end = bisect.bisect_left(self.sorted_billable, compact + "\x7f")
            shown = [self.billable[c] for c in self.sorted_billable[start : min(end, start + COMPLETIONS_SHOWN)]]
            return IndexTerm.Status.INCOMPLETE, shown, end - start
        return IndexTerm.Status.INVALID, [], 0


class _Targets:
    """Finds the term a "see" or "see also" names: "Pain, abdominal" is the subterm
    "abdominal" of the main term "Pain". Titles may hold commas themselves ("Abdomen,
    abdominal"), so at each level the longest title that starts the name wins; a title is
    also found by its first words before a comma ("Herpes, zoster" is under "Herpes,
    herpesvirus"), unless another term has that exact title. Words in parentheses in the
    name are nonessential modifiers and do not count."""

    def __init__(self, terms: list[TermRow]):
        self.options: dict[int | None, dict[str, TermRow]] = {}
        # Every term a name's first words before a comma may mean: "Fracture, femur, neck" names a
        # subterm of "Fracture, traumatic", not of "Fracture, burst", the first "Fracture, ..." in the book.
        self.sharing: dict[tuple[int | None, str], list[TermRow]] = {}
        self.children = Counter(id(term.parent) for term in terms if term.parent is not None)
        for exact in (True, False):
            for term in terms:
                keys = (
                    [term.title]
                    if exact
                    else [", ".join(term.title.split(",")[:n]) for n in range(1, term.title.count(",") + 1)]
                )
                parent = id(term.parent) if term.parent else None
                group = self.options.setdefault(parent, {})
                for key in keys:
                    group.setdefault(self._key(key), term)
                    if not exact:
                        self.sharing.setdefault((parent, self._key(key)), []).append(term)

    @staticmethod
    def _key(text: str) -> str:
        return normalize_index_text(re.sub(r"\([^)]*\)", " ", text))

    def find(self, name: str) -> TermRow | None:
        parts = [p for p in (self._key(p) for p in name.split(",")) if p]
        if not parts or parts[0] in GENERAL_TARGETS:
            return None
        found, rest = self._longest(self.options.get(None, {}), parts)
        if found is None:
            return None
        # Of the main terms the first words may mean, the one under which the rest of the name goes
        # deepest; on a tie the term itself if the name is its title, else the largest family
        # ("Fracture, by site" is Fracture, traumatic, not Fracture, burst).
        used = len(parts) - len(rest)
        sharing = self.sharing.get((None, " ".join(parts[:used])), [])
        candidates = [found, *(term for term in sharing if term is not found)]
        exact = self._key(found.title) == " ".join(parts[:used])

        def rank(term: TermRow) -> tuple[int, bool, int]:
            _, left = self._down(term, rest)
            return len(left), not (exact and term is found), -self.children[id(term)]

        return self._down(min(candidates, key=rank), rest)[0]

    def _down(self, found: TermRow, rest: list[str]) -> tuple[TermRow, list[str]]:
        """The deepest term under `found` that the rest of a name leads to, and what is left of it."""
        while rest:
            options = self.options.get(id(found), {})
            deeper, rest_after = self._longest(options, rest)
            if deeper is None and " " in rest[0]:
                # "Calculus, gallbladder, with cholecystitis, acute": "with" and "cholecystitis" are
                # two levels of the Index that the name writes as one part.
                first, remainder = rest[0].split(" ", 1)
                deeper, rest_after = options.get(first), [remainder, *rest[1:]]
            if deeper is None:
                break
            found, rest = deeper, rest_after
        return found, rest

    @staticmethod
    def _longest(options: dict[str, TermRow], parts: list[str]) -> tuple[TermRow | None, list[str]]:
        for n in range(len(parts), 0, -1):
            term = options.get(" ".join(parts[:n]))
            if term is not None:
                return term, parts[n:]
        return None, parts


def _slugs(terms: list[TermRow]) -> dict[int, str]:
    """A URL slug per main term, unique within its letter ("abdomen-abdominal", "-2" for repeats)."""
    slugs, used = {}, set()
    for term in terms:
        if term.parent is not None:
            continue
        base = slugify(term.title)[:100] or "term"
        slug, n = base, 1
        while (term.letter, slug) in used:
            n += 1
            slug = f"{base}-{n}"
        used.add((term.letter, slug))
        slugs[id(term)] = slug
    return slugs


def _search_text(term: TermRow) -> str:
    chain = []
    while term is not None:
        chain.append(f"{term.title} {term.nemod}")
        term = term.parent
    return normalize_index_text(" ".join(reversed(chain)))


def _delete_main_index() -> None:
    """The main index's rows in one statement. Its rows point only at each other (parent, main,
    see targets) and nothing else points at them, so Django's collector, which loads all 81,000
    to follow those keys (and took most of a rerun), has nothing to find."""
    with connection.cursor() as cursor:
        table, column = (connection.ops.quote_name(n) for n in (IndexTerm._meta.db_table, "index"))
        cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [MAIN])


@dataclass
class MainIndexResult:
    release: Release
    terms: int
    main_terms: int
    codes: int
    incomplete: int
    invalid: int
    see_resolved: int
    see_total: int


def write_main_index(*, parsed: IndexFile, path: Path | str, stdout=None, verbosity: int = 1) -> MainIndexResult:
    """Replace the main index's terms with `parsed` in one transaction (a rerun gives the same rows)."""
    current_release = (
        Release.objects.filter(dataset="icd-10-cm", effective_date__isnull=False).order_by("-effective_date").first()
    )
    tabular = Tabular.load()
    if not tabular.billable or current_release is None:
        raise ImportFileError(path, None, "import the ICD-10-CM tabular (import_icd10cm) before the index")
    terms = parsed.terms
    targets = _Targets(terms)
    slugs = _slugs(terms)
    year = int(parsed.version) if parsed.version.isdigit() else None
    progress = Progress("index terms", len(terms), stdout=stdout, verbosity=verbosity)

    with transaction.atomic():
        release = register_release(
            dataset=DATASET,
            version=parsed.version or "unknown",
            title=f"{TITLE} FY{parsed.version}" if parsed.version else TITLE,
            path=path,
            source=(
                f"CDC/NCHS, ICD-10-CM Index to Diseases and Injuries ({Path(path).name}); codes resolved against "
                f"{current_release.title} (version {current_release.version})"
            ),
            effective_date=datetime.date(year - 1, 10, 1) if year else None,
            end_date=datetime.date(year, 9, 30) if year else None,
        )
        _delete_main_index()

        # Ids first, so that each row is written once with its parent, main term and the terms
        # its "see" and "see also" name (which may come further down the index): parents before
        # children, in document order within a level.
        ordered = sorted(terms, key=lambda term: term.level)
        ids = dict(zip((id(term) for term in ordered), reserve_ids(IndexTerm, len(ordered)), strict=True))
        main_ids: dict[int, int] = {}
        counts = {"codes": 0, IndexTerm.Status.INCOMPLETE: 0, IndexTerm.Status.INVALID: 0}
        see_total, see_resolved = 0, 0
        rows = []
        for term in ordered:
            status, completions, completion_count = tabular.resolve(term.code)
            counts["codes"] += bool(term.code)
            counts[status] = counts.get(status, 0) + 1
            parent_id = ids[id(term.parent)] if term.parent else None
            main_id = None if term.parent is None else (main_ids.get(id(term.parent)) or parent_id)
            main_ids[id(term)] = main_id
            see_ids = []
            for text in (term.see, term.see_also):
                target = targets.find(text) if text else None
                see_total += bool(text)
                see_resolved += target is not None
                see_ids.append(ids[id(target)] if target is not None else None)
            rows.append(
                term_row(
                    id=ids[id(term)],
                    index=MAIN,
                    release_id=release.pk,
                    level=term.level,
                    position=term.position,
                    letter=term.letter,
                    title=term.title,
                    slug=slugs.get(id(term), ""),
                    nemod=term.nemod[:300],
                    code=term.code[:16],
                    code_compact=compact_code(term.code)[:16],
                    manif=term.manif,
                    see=term.see,
                    see_also=term.see_also,
                    path=path_of(term),
                    search_text=_search_text(term),
                    search_key=normalize_index_text(term.title)[:300],
                    code_status=status,
                    completions=completions,
                    completion_count=completion_count,
                    invalid_codes=[term.code] if status == IndexTerm.Status.INVALID else [],
                    parent_id=parent_id,
                    main_id=main_id,
                    see_target_id=see_ids[0],
                    see_also_target_id=see_ids[1],
                )
            )
            progress.advance()
        write_rows(IndexTerm, TERM_COLUMNS, rows)
        release.row_count = len(terms)
        release.save(update_fields=["row_count"])
    progress.finish()
    return MainIndexResult(
        release=release,
        terms=len(terms),
        main_terms=sum(1 for t in terms if t.parent is None),
        codes=counts["codes"],
        incomplete=counts[IndexTerm.Status.INCOMPLETE],
        invalid=counts[IndexTerm.Status.INVALID],
        see_resolved=see_resolved,
        see_total=see_total,
    )


def import_main_index(*, path: Path | str, version: str = "", stdout=None, verbosity: int = 1) -> MainIndexResult:
    """Read the official XML or the flat CSV and replace the main index with it."""
    parsed = read_main_index(path, version=version)
    return write_main_index(parsed=parsed, path=path, stdout=stdout, verbosity=verbosity)
