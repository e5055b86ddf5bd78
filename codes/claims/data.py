"""Every table row the rules read, loaded before any rule runs: about nine queries for one claim
or for a chunk of claims (a CSV batch loads `CHUNK` claims at a time), however many lines and pairs
they have. The rules then only evaluate in Python, through `ClaimData`: one claim's view of the
loaded `Tables` (its setting and date of service pick the edits, MUEs and fee schedule in force).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Q

from codes.asof import CODE_DATASETS, Releases
from codes.importers.ncci import AOC_DATASET, mue_dataset, ptp_dataset
from codes.models import AddOnEdit, Code, FeeSchedule, Mue, Note, PtpEdit, Release, System, compact_code

from .claim import Claim

PROCEDURE_SYSTEMS = (System.CPT, System.HCPCS)
NOTE_TYPES = (
    Note.Type.EXCLUDES1,
    Note.Type.EXCLUDES2,
    Note.Type.CODE_FIRST,
    Note.Type.USE_ADDITIONAL,
    Note.Type.SEVENTH,
    Note.Type.NOTE,
)
DATASETS = [
    *CODE_DATASETS[System.ICD10CM],
    *CODE_DATASETS[System.CPT],
    *CODE_DATASETS[System.HCPCS],
    AOC_DATASET,
    "pfs",
    *(ptp_dataset(s) for s in ("practitioner", "outpatient")),
    *(mue_dataset(s) for s in ("practitioner", "outpatient")),
]
PTP_FIELDS = ("setting", "column1", "column2", "deletion_date", "modifier_indicator", "release_id")
CHUNK = 50  # claims loaded together in a batch: fewer round trips, PTP rows among their codes stay few


def load_releases() -> Releases:
    """The releases every check reads (one query; a batch loads them once)."""
    return Releases.load(DATASETS)


def placeholder_form(compact: str) -> str | None:
    """ "T814A" -> "T814XXA": the code a coder meant when the X placeholders before a 7th character
    were left out (None when the typed code cannot be one)."""
    if not 4 <= len(compact) < 7 or not compact[-1].isalpha():
        return None
    return compact[:-1].ljust(6, "X") + compact[-1]


def _mue_release(releases: Releases, setting: str, day: datetime.date) -> Release | None:
    return releases.covering(mue_dataset(setting), day)


def _fee_release(releases: Releases, day: datetime.date) -> Release | None:
    return next((r for r in releases.of("pfs") if r.effective_date and r.effective_date.year == day.year), None)


@dataclass
class Tables:
    """The rows of every code of a set of claims, keyed by code."""

    releases: Releases
    codes: dict[tuple[str, str], Code] = field(default_factory=dict)  # ("dx" | "px", compact) -> Code
    ancestors: dict[int, Code] = field(default_factory=dict)
    notes: dict[int, list[Note]] = field(default_factory=lambda: defaultdict(list))
    placeholders: dict[str, Code] = field(default_factory=dict)  # typed compact -> the code with its Xs
    ptp: dict[tuple[str, str, str], list[tuple]] = field(default_factory=lambda: defaultdict(list))  # PTP_FIELDS
    mues: dict[tuple[int, str], Mue] = field(default_factory=dict)  # (release id, code)
    addons: dict[str, list[AddOnEdit]] = field(default_factory=lambda: defaultdict(list))
    fees: dict[tuple[int, str, str], FeeSchedule] = field(default_factory=dict)  # (release id, code, modifier)

    @classmethod
    def load(cls, claims: list[Claim], *, releases: Releases | None = None) -> Tables:
        tables = cls(releases=releases or load_releases())
        dx = {compact_code(c) for claim in claims for c in claim.diagnoses}
        px = {line.code for claim in claims for line in claim.lines}
        if dx:
            for code in Code.objects.filter(system=System.ICD10CM, compact__in=dx):
                tables.codes["dx", code.compact] = code
            tables._load_diagnosis_tables(dx)
        if px:
            for code in Code.objects.filter(system__in=PROCEDURE_SYSTEMS, compact__in=px).exclude(kind="modifier"):
                tables.codes["px", code.compact] = code
            tables._load_procedure_tables(claims, sorted(px))
        return tables

    def _load_diagnosis_tables(self, dx: set[str]) -> None:
        found = [c for (group, _), c in self.codes.items() if group == "dx"]
        heads = {pk for code in found for pk in code.lineage}
        if heads:
            self.ancestors = {c.pk: c for c in Code.objects.filter(pk__in=heads)}
        owners = heads | {c.pk for c in found}
        if owners:
            for note in Note.objects.filter(code_id__in=owners, type__in=NOTE_TYPES).order_by("code_id", "position"):
                self.notes[note.code_id].append(note)
        missing = {c: placeholder_form(c) for c in dx if ("dx", c) not in self.codes}
        missing = {typed: full for typed, full in missing.items() if full}
        if missing:
            rows = Code.objects.filter(system=System.ICD10CM, compact__in=set(missing.values()))
            by_compact = {c.compact: c for c in rows}
            self.placeholders = {typed: by_compact[full] for typed, full in missing.items() if full in by_compact}

    def _load_procedure_tables(self, claims: list[Claim], px: list[str]) -> None:
        # The edits between two codes of the same claim, in its setting; the date of service picks those in
        # force (deletion dates). One condition per claim: between any two of a chunk's codes there are
        # hundreds of thousands, and a claim needs a few.
        pairs = Q()
        for claim in claims:
            codes = {line.code for line in claim.lines}
            pairs |= Q(setting=claim.setting, column1__in=codes, column2__in=codes)
        for row in PtpEdit.objects.filter(pairs).values_list(*PTP_FIELDS):
            self.ptp[row[0], row[1], row[2]].append(row)
        mue_releases = {r.pk for c in claims if (r := _mue_release(self.releases, c.setting, c.date_of_service))}
        if mue_releases:
            for mue in Mue.objects.filter(release_id__in=mue_releases, code__in=px):
                self.mues[mue.release_id, mue.code] = mue
        for edit in AddOnEdit.objects.filter(addon_code__in=px):
            self.addons[edit.addon_code].append(edit)
        fee_releases = {r.pk for c in claims if (r := _fee_release(self.releases, c.date_of_service))}
        if fee_releases:
            for fee in FeeSchedule.objects.filter(release_id__in=fee_releases, code__in=px):
                self.fees[fee.release_id, fee.code, fee.modifier] = fee


@dataclass
class ClaimData:
    """One claim's view of the loaded tables."""

    claim: Claim
    tables: Tables

    @classmethod
    def load(cls, claim: Claim, *, releases: Releases | None = None) -> ClaimData:
        return cls(claim, Tables.load([claim], releases=releases))

    @property
    def day(self) -> datetime.date:
        return self.claim.date_of_service

    @property
    def releases(self) -> Releases:
        return self.tables.releases

    @property
    def placeholders(self) -> dict[str, Code]:
        return self.tables.placeholders

    def release(self, pk: int | None) -> Release | None:
        return next((r for r in self.releases.rows if r.pk == pk), None)

    def diagnosis(self, code: str) -> Code | None:
        return self.tables.codes.get(("dx", compact_code(code)))

    def procedure(self, code: str) -> Code | None:
        return self.tables.codes.get(("px", code))

    def lineage(self, code: Code) -> list[Code]:
        """The code's headers, root (chapter) first, then the code itself."""
        ancestors = self.tables.ancestors
        return [ancestors[pk] for pk in code.lineage if pk in ancestors] + [code]

    def notes_of(self, code: Code, *types: str) -> list[tuple[Code, Note]]:
        """The notes of the code and of every header above it (they are inherited), nearest last."""
        notes = self.tables.notes
        return [(owner, n) for owner in self.lineage(code) for n in notes.get(owner.pk, ()) if n.type in types]

    @cached_property
    def ptp(self) -> list[PtpEdit]:
        """The PTP edits between two of the claim's line codes, for its setting, in force on its date."""
        codes = sorted({line.code for line in self.claim.lines})
        edits = []
        for a in codes:
            for b in codes:
                for row in self.tables.ptp.get((self.claim.setting, a, b), ()):
                    edit = PtpEdit(**dict(zip(PTP_FIELDS, row, strict=True)))
                    if edit.deletion_date is None or edit.deletion_date >= self.day:
                        edits.append(edit)
        return edits

    @cached_property
    def mue_release(self) -> Release | None:
        return _mue_release(self.releases, self.claim.setting, self.day)

    @cached_property
    def mues(self) -> dict[str, Mue]:
        if self.mue_release is None:
            return {}
        codes = {line.code for line in self.claim.lines}
        return {
            c: m
            for c in codes
            if (m := self.tables.mues.get((self.mue_release.pk, c))) and m.setting == self.claim.setting
        }

    @cached_property
    def addons(self) -> dict[str, list[AddOnEdit]]:
        """The claim's add-on codes with their edits in effect on the date (by the CMS file's periods)."""
        day, found = self.day, {}
        for code in {line.code for line in self.claim.lines}:
            edits = [
                e
                for e in self.tables.addons.get(code, ())
                if (e.effective_date is None or e.effective_date <= day)
                and (e.deletion_date is None or e.deletion_date >= day)
            ]
            if edits:
                found[code] = edits
        return found

    @cached_property
    def fee_release(self) -> Release | None:
        return _fee_release(self.releases, self.day)

    @cached_property
    def fees(self) -> dict[tuple[str, str], FeeSchedule]:
        """(code, "") -> the fee schedule row of each line's code (the rows without a modifier)."""
        if self.fee_release is None:
            return {}
        pk, fees = self.fee_release.pk, self.tables.fees
        return {(c, ""): fee for line in self.claim.lines if (fee := fees.get((pk, c := line.code, "")))}
