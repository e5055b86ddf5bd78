"""What a search returns: results (a code, its title, why it matched) and their counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.utils.safestring import SafeString, mark_safe

from codes.models import Code, System

# Where "billable" tells a coder something: ICD-10-CM and ICD-10-PCS headers are not codes to
# report. Every HCPCS, CPT and MS-DRG code is what it is; a DRG is assigned, never billed.
BILLABLE_MEANS_SOMETHING = frozenset([System.ICD10CM, System.ICD10PCS])


@dataclass
class SearchResult:
    code: Code
    title: str
    matched: str
    score: float
    highlighted: SafeString = field(default_factory=lambda: mark_safe(""))
    # Reversed once when the result is made (results are cached; a page shows twenty links).
    url: str = ""
    # The parts of `matched` not shared by every result of the page (SearchResults.shared_reason).
    own_reason: str = ""

    def __post_init__(self) -> None:
        self.url = self.url or self.code.get_absolute_url()

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
    def status(self) -> str:
        """The badge the results page shows: "deleted", "billable", "header", "modifier" or ""."""
        if self.code.deleted:
            return "deleted"
        if self.code.kind == "modifier":
            return "modifier"
        if self.code.system not in BILLABLE_MEANS_SOMETHING:
            return ""
        return "billable" if self.code.billable else "header"

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
class ResultGroup:
    system: str
    label: str
    count: int
    results: list[SearchResult] = field(default_factory=list)


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
    slots: list = field(default_factory=list, repr=False)  # how the words were read (parsing.Slot)
    named_system: str | None = None  # the code set the query names ("sepsis drg"), searched alone
    without_name: str = ""  # the query without that name ("sepsis"): the way back to every set

    def __iter__(self):
        return iter(self.results)

    # Both are read by the template once per result row: worked out once per page.
    @cached_property
    def groups(self) -> list[ResultGroup]:
        """The results by code set, the sets in the order of their best result (the query's kind:
        a drug word puts HCPCS first), each with its count of matches."""
        self.shared_reason  # noqa: B018 (sets each result's own_reason before the rows are shown)
        groups: dict[str, ResultGroup] = {}
        for result in self.results:
            system = result.system
            if system not in groups:
                groups[system] = ResultGroup(system, System(system).label, self.counts.get(system, 0))
            groups[system].results.append(result)
        return list(groups.values())

    @cached_property
    def shared_reason(self) -> str:
        """The parts of why the results matched ("synonym: copd → ...; also called: ...") that every
        result shares, said once above them; each result keeps the rest as its `own_reason`."""
        parts = [r.matched.split("; ") for r in self.results]
        shared = set.intersection(*map(set, parts)) if len(parts) > 1 else set()
        for result, its_parts in zip(self.results, parts, strict=True):
            result.own_reason = "; ".join(p for p in its_parts if p not in shared)
        return "; ".join(p for p in parts[0] if p in shared) if shared else ""

    def __len__(self) -> int:
        return len(self.results)
