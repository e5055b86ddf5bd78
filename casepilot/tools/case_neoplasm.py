"""Case to codes, step 3 for a neoplasm: the Neoplasm Table, where the Index sends a coder
("Carcinoma - see also Neoplasm, by site, malignant"; "Metastasis, metastatic > cancer > to
specified site - see Neoplasm, secondary, by site"). The site's row, the column of the behavior the
record gives (primary malignant unless it says secondary, in situ, benign), the cell completed in
the Tabular (the side, female unless the record says male). casepilot/tools/case.py weighs the code
found with the Index's."""

from __future__ import annotations

import re

from codes.models import Code, IndexTerm, System, compact_code, normalize_index_text

from .case_text import LATERALITY, LINK_WORDS, alternatives, expand, root, title_score, words_of

# The Table's columns (IndexTerm.cells), by the words that say the behavior, the first that matches.
BEHAVIORS = [
    (re.compile(r"\bsecondary\b|\bmetasta", re.I), 1, "Malignant secondary"),
    (re.compile(r"\bin situ\b", re.I), 2, "Ca in situ"),
    (re.compile(r"\bbenign\b", re.I), 3, "Benign"),
    (re.compile(r"\bmalignan|\bcancer\b|\b(?:adeno)?carcinoma\b", re.I), 0, "Malignant primary"),
]
# Words that say the neoplasm and its behavior, not its site; and the Tabular's details (side, sex).
NOT_SITE = {
    "malignant", "malignancy", "neoplasm", "neoplasms", "secondary", "primary", "cancer", "carcinoma",
    "metastatic", "metastasis", "metastases", "in", "situ", "benign", "female", "male", "nos", "unspecified",
    "site", "initial", "encounter",
} | LATERALITY | LINK_WORDS  # fmt: skip
FIELDS = ("pk", "level", "position", "path", "nemod", "cells", "see", "see_also")


def _levels(path: str) -> list[list[set[str]]]:
    """Each level of a Table path below "Neoplasm, neoplastic", as the roots of its alternatives
    ("axilla, axillary"; "lingula, lung" is one phrase: case_text.alternatives; "NEC" says nothing)."""
    levels = []
    for level in path.split(" > ")[1:]:
        options = [
            {root(w) for w in normalize_index_text(o).split()} - LINK_WORDS - {"nec"} for o in alternatives(level)
        ]
        levels.append([o for o in options if o])
    return levels


def _said(levels: list[list[set[str]]], roots: set[str]) -> bool:
    return all(any(option <= roots for option in options) for options in levels if options)


def _row(column: int, site: list[str]) -> tuple[dict, set[str]] | None:
    """The Table's row of the site the words name and has a code in `column`: every level of its
    path one of the words, every word said by it (its path, its modifiers, or a row whose "see
    also" it is: lymph node, see also lymph gland), the fewest levels."""
    rows = list(IndexTerm.objects.filter(index=IndexTerm.Index.NEOPLASM, level__gte=1).values(*FIELDS))
    roots = {root(w) for w in site}
    # A row that sends the coder elsewhere ("lymph > node, see also Neoplasm, lymph gland") lends its
    # words to the row it names: the axillary lymph nodes are lymph > gland > axilla.
    lent: dict[str, set[str]] = {}
    for row in rows:
        target = row["see"] or row["see_also"]
        if target.startswith("Neoplasm, ") and _said(_levels(row["path"]), roots):
            words = {root(w) for w in normalize_index_text(target.removeprefix("Neoplasm, ")).split()} - LINK_WORDS
            lent[row["path"]] = words
    extra = set().union(*lent.values()) if lent else set()
    best = None
    for row in rows:
        cells = row["cells"] or []
        if column >= len(cells) or not cells[column]:
            continue
        levels = _levels(row["path"])
        if not _said(levels, roots | extra):
            continue
        written = {root(w) for w in normalize_index_text(f"{row['path']} {row['nemod']}").split()}
        path_roots = set().union(*(set().union(*options) for options in levels if options))
        for source, words in lent.items():
            if words <= path_roots:
                written |= {root(w) for w in normalize_index_text(source).split()}
        if not roots <= written:
            continue
        # Then the row that says least besides ("lung", not "lingula, lung").
        key = (len(levels), len(path_roots - roots - extra), row["position"])
        if best is None or key < best[0]:
            best = (key, row)
    return (best[1], roots) if best else None


def _complete(cell: str, text: str) -> Code | None:
    """The billable code a cell gives ("C78.7"), or the one of its subcodes ("C78.0-") whose title
    the record documents best: the side it names, else the unspecified one."""
    compact = compact_code(cell.rstrip("-").rstrip("."))
    rows = list(
        Code.objects.filter(system=System.ICD10CM, compact__startswith=compact, billable=True, deleted=False).order_by(
            "compact"
        )[:60]
    )
    if not rows:
        return None
    case_words = words_of(expand(text))
    numbers = set(re.findall(r"\b\d+[ab]?\b", text.lower()))
    return max(rows, key=lambda row: (title_score(case_words, row.title, numbers), -len(row.compact)))


# A morphology the record writes before its noun ("squamous cell carcinoma", "adenocarcinoma").
MORPHOLOGY = re.compile(r"^(?P<kind>[\w' -]*?)\s*\b(?P<noun>carcinoma|adenocarcinoma)\b", re.I)
BY_SITE = {"neoplasm by site malignant", "neoplasm malignant by site"}


def _below_main(term: IndexTerm) -> set[str]:
    """The words of an entry's path below its main term ("Carcinoma > squamous cell": squamous, cell)."""
    return (
        set(normalize_index_text(term.path.split(" > ", 1)[-1]).split()) - LINK_WORDS if " > " in term.path else set()
    )


def _by_site(kind: str, noun: str) -> bool:
    """Whether the Index sends a morphology to the Table by site, malignant: its entry under the noun
    says so ("Adenocarcinoma, see also Neoplasm, malignant, by site"), or, the Index having no
    entry for it and no code, the noun's main term does ("Carcinoma (malignant), see also
    Neoplasm, by site, malignant" for a squamous cell carcinoma)."""
    main = IndexTerm.objects.main_terms(noun[:1]).filter(search_key=noun.lower()).first()
    if main is None:
        return False
    wanted = set(normalize_index_text(kind).split()) - LINK_WORDS
    entry = main
    if wanted:
        below = IndexTerm.objects.filter(main=main)
        for word in wanted:
            below = below.filter(search_text__contains=word)
        entry = next(
            (t for t in below.order_by("level", "position")[:20] if _below_main(t) == wanted),
            main,
        )
        if entry is not main and entry.code:
            return False  # the Index codes the morphology itself (hepatocellular, C22.0)
    pointers = {normalize_index_text(entry.see), normalize_index_text(entry.see_also)}
    return bool(pointers & BY_SITE)


def neoplasm_entry(text: str) -> tuple[str, str] | None:
    """(code, where the Table gives it) for a condition that is a neoplasm of a site, or None: when
    it names no behavior, no site of the Table, or words the site does not explain (a morphology,
    "hepatocellular", "basal cell", which the Index codes)."""
    found = next(((column, name) for pattern, column, name in BEHAVIORS if pattern.search(text)), None)
    if found is None:
        return None
    column, name = found
    site = [w for w in normalize_index_text(text).split() if w not in NOT_SITE and not w.isdigit()]
    if not site:
        return None
    row = _row(column, site)
    morphology = MORPHOLOGY.match(text.strip())
    if row is None and morphology and column == 0:
        kind, noun = morphology.group("kind"), morphology.group("noun").lower()
        if (kind or noun != "carcinoma") and _by_site(kind, noun):
            said = set(normalize_index_text(f"{kind} {noun}").split())
            row = _row(column, [w for w in site if w not in said])
    if row is None:
        return None
    entry, _ = row
    code = _complete(entry["cells"][column], text)
    if code is None:
        return None
    where = entry["path"].split(" > ", 1)[1]
    return code.compact, f"Neoplasm Table: {where}, column “{name}” {entry['cells'][column]}"
