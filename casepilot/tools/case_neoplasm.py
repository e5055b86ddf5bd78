"""Case to codes, step 3 for a neoplasm: the Neoplasm Table, where the Index sends a coder
("Carcinoma - see also Neoplasm, by site, malignant"; "Metastasis, metastatic > cancer > to
specified site - see Neoplasm, secondary, by site"). The site's row, the column of the behavior the
record gives (primary malignant unless it says secondary, in situ, benign), the cell completed in
the Tabular (the side, female unless the record says male). casepilot/tools/case.py weighs the code
found with the Index's."""

from __future__ import annotations

import re

from codes.models import Code, IndexTerm, System, compact_code, normalize_index_text

from .case_text import LATERALITY, LINK_WORDS, expand, root, title_score, words_of

# The Table's columns (IndexTerm.cells), by the words that say the behavior, the first that matches.
BEHAVIORS = [
    (re.compile(r"\bsecondary\b|\bmetasta", re.I), 1, "Malignant secondary"),
    (re.compile(r"\bin situ\b", re.I), 2, "Ca in situ"),
    (re.compile(r"\bbenign\b", re.I), 3, "Benign"),
    (re.compile(r"\bmalignan|\bcancer\b|\bcarcinoma\b", re.I), 0, "Malignant primary"),
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
    (a comma separates them: "axilla, axillary"; "NEC" says nothing)."""
    levels = []
    for level in path.split(" > ")[1:]:
        options = [{root(w) for w in normalize_index_text(o).split()} - LINK_WORDS - {"nec"} for o in level.split(",")]
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
    if row is None:
        return None
    entry, _ = row
    code = _complete(entry["cells"][column], text)
    if code is None:
        return None
    where = entry["path"].split(" > ", 1)[1]
    return code.compact, f"Neoplasm Table: {where}, column “{name}” {entry['cells'][column]}"
