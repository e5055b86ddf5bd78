"""What a search returns: results (a code, its title, why it matched) and their counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

from codes.models import Code


@dataclass
class SearchResult:
    code: Code
    title: str
    matched: str
    score: float
    highlighted: SafeString = field(default_factory=lambda: mark_safe(""))

    @property
    def system(self) -> str:
        return self.code.system

    @property
    def code_str(self) -> str:
        return self.code.code

    @property
    def billable(self) -> bool:
        return self.code.billable

    @property
    def url(self) -> str:
        return self.code.get_absolute_url()

    def as_dict(self, site_root: str = "") -> dict:
        return {
            "system": self.code.system,
            "code": self.code.code,
            "title": self.title,
            "billable": self.code.billable,
            "url": site_root + self.url,
            "matched": self.matched,
        }


@dataclass
class SearchResults:
    query: str
    results: list[SearchResult] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # per system, before the system filter
    total: int = 0  # matches under the filters (for pagination)
    suggestion: str | None = None  # "did you mean": the corrected query
    exact: Code | None = None  # the one code the query names exactly, if any
    kind: str = "words"  # "code", "words", "any-word" (no result had every word) or "none"
    also_code: Code | None = None  # a code spelt like a word query ("DM2"), offered beside the words
    capped: bool = False  # so many matches that the counts stopped at COUNT_LIMIT

    def __iter__(self):
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)
