"""The browse tree as a coder reads it in the book.

The ICD-10-CM tabular lists a chapter's blocks side by side ("M00-M25 Arthropathies" beside
its own sub-blocks "M00-M02", "M04"...); the book indents a block under the block whose range
holds it. Titles also repeat the range ("Arthropathies (M00-M25)") and one-category blocks
read "M04-M04". These functions shape rows for display only; the stored hierarchy is the file's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .models import Code, Kind

_RANGE = re.compile(r"^([A-Z0-9]{3})-([A-Z0-9]{3})$")


def code_label(node: Code) -> str:
    """ "M04" for the block M04-M04, "Chapter 13" for chapter 13, else the code itself."""
    if node.kind == Kind.CHAPTER:
        return f"Chapter {node.code}"
    match = _RANGE.match(node.code)
    if match and match[1] == match[2]:
        return match[1]
    return node.code


def title_label(node: Code) -> str:
    """The title without a trailing "(M00-M25)" that only repeats the code."""
    title = node.title or ""
    match = _RANGE.match(node.code)
    if match:
        for suffix in (f"({node.code})", f"({match[1]})"):
            if title.endswith(suffix):
                return title[: -len(suffix)].rstrip()
    return title


@dataclass
class Branch:
    node: Code
    children: list[Branch] = field(default_factory=list)


def _bounds(node: Code) -> tuple[str, str] | None:
    match = _RANGE.match(node.code)
    return (match[1], match[2]) if match and node.kind == Kind.SECTION else None


def nest(nodes: list[Code]) -> list[Branch]:
    """Siblings in file order, each block placed under the nearest earlier block whose range holds it."""
    roots: list[Branch] = []
    open_blocks: list[tuple[tuple[str, str], Branch]] = []  # the chain of blocks the next row may fall in
    for node in nodes:
        branch = Branch(node)
        bounds = _bounds(node)
        first = bounds[0] if bounds else node.code[:3]
        last = bounds[1] if bounds else node.code[:3]
        while open_blocks and not (open_blocks[-1][0][0] <= first and last <= open_blocks[-1][0][1]):
            open_blocks.pop()
        (open_blocks[-1][1].children if open_blocks else roots).append(branch)
        if bounds:
            open_blocks.append((bounds, branch))
    return roots
