"""The code sets: codes of every system, their notes and the data related to them.

One `Code` table holds every code of every system (and the header rows of each
hierarchy: ICD-10-CM chapters and sections, PCS sections, body systems and tables,
HCPCS ranges, MDCs). Data that belongs to a pair of codes or that has many rows
per code (NCCI edits, MUEs, RVUs, GEMs, index entries) has a table of its own keyed
by code *strings*, not foreign keys: the CMS files name codes that other files do
not define (a CPT code only known from the fee schedule), and a page joins them by
code at read time.

Each module holds one family of tables; this package names them all, so the rest of the
project imports every model from `codes.models`.
"""

from ..personal import CodeNote, CodeView, FavouriteCode  # their models live beside their views
from .claims import SavedClaim
from .codesets import (
    BROWSE_KINDS,
    Code,
    CodeChange,
    CodeQuerySet,
    GemMapping,
    Kind,
    Note,
    PcsDefinition,
    PlainDescription,
    ProcessingNote,
    Release,
    System,
    compact_code,
    editorial_sha,
    page_url,
)
from .edits import AddOnEdit, AddOnEditQuerySet, CcCode, DrgCcExclusion, FeeSchedule, Locality, Mue, PtpEdit, Setting
from .index import GuidelineSection, GuidelineSectionQuerySet, IndexTerm, IndexTermQuerySet, normalize_index_text
from .search import SLASHED_LETTERS, SearchEntry, SearchWord, Synonym, normalize_term

__all__ = [
    "BROWSE_KINDS",
    "SLASHED_LETTERS",
    "AddOnEdit",
    "AddOnEditQuerySet",
    "CcCode",
    "Code",
    "CodeChange",
    "CodeNote",
    "CodeQuerySet",
    "CodeView",
    "DrgCcExclusion",
    "FavouriteCode",
    "FeeSchedule",
    "GemMapping",
    "GuidelineSection",
    "GuidelineSectionQuerySet",
    "IndexTerm",
    "IndexTermQuerySet",
    "Kind",
    "Locality",
    "Mue",
    "Note",
    "PcsDefinition",
    "PlainDescription",
    "ProcessingNote",
    "PtpEdit",
    "Release",
    "SavedClaim",
    "SearchEntry",
    "SearchWord",
    "Setting",
    "Synonym",
    "System",
    "compact_code",
    "editorial_sha",
    "normalize_index_text",
    "normalize_term",
    "page_url",
]
