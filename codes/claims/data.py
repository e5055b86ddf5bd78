"""Every table row a claim's rules read, loaded in a fixed number of queries (about nine, however
many lines and pairs the claim has): the rules then only evaluate in Python.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

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
    *(ptp_dataset(s) for s in ("practitioner", "outpatient")),
    *(mue_dataset(s) for s in ("practitioner", "outpatient")),
]


def load_releases() -> Releases:
    """The releases every check reads (one query; a batch loads them once)."""
    return Releases.load(DATASETS)


def placeholder_form(compact: str) -> str | None:
    """ "T814A" -> "T814XXA": the code a coder meant when the X placeholders before a 7th character
    were left out (None when the typed code cannot be one)."""
    if not 4 <= len(compact) < 7 or not compact[-1].isalpha():
        return None
    return compact[:-1].ljust(6, "X") + compact[-1]


@dataclass
class ClaimData:
    claim: Claim
    releases: Releases
    codes: dict[tuple[str, str], Code] = field(default_factory=dict)  # (system group, compact) -> Code
    ancestors: dict[int, Code] = field(default_factory=dict)
    notes: dict[int, list[Note]] = field(default_factory=lambda: defaultdict(list))
    placeholders: dict[str, Code] = field(default_factory=dict)  # typed compact -> the code with Xs
    ptp: list[PtpEdit] = field(default_factory=list)
    mue_release: Release | None = None
    mues: dict[str, Mue] = field(default_factory=dict)
    addons: dict[str, list[AddOnEdit]] = field(default_factory=lambda: defaultdict(list))
    fee_release: Release | None = None
    fees: dict[tuple[str, str], FeeSchedule] = field(default_factory=dict)

    @property
    def day(self) -> datetime.date:
        return self.claim.date_of_service

    def diagnosis(self, code: str) -> Code | None:
        return self.codes.get(("dx", compact_code(code)))

    def procedure(self, code: str) -> Code | None:
        return self.codes.get(("px", code))

    def lineage(self, code: Code) -> list[Code]:
        """The code's headers, root (chapter) first, then the code itself."""
        return [self.ancestors[pk] for pk in code.lineage if pk in self.ancestors] + [code]

    def notes_of(self, code: Code, *types: str) -> list[tuple[Code, Note]]:
        """The notes of the code and of every header above it (they are inherited), nearest last."""
        return [(owner, n) for owner in self.lineage(code) for n in self.notes.get(owner.pk, []) if n.type in types]

    @classmethod
    def load(cls, claim: Claim, *, releases: Releases | None = None) -> ClaimData:
        data = cls(claim=claim, releases=releases or load_releases())
        dx = {compact_code(c) for c in claim.diagnoses}
        px = {line.code for line in claim.lines}
        wanted = Q(pk__in=[])
        if dx:
            wanted |= Q(system=System.ICD10CM, compact__in=dx)
        if px:
            wanted |= Q(system__in=PROCEDURE_SYSTEMS, compact__in=px)
        for code in Code.objects.filter(wanted).exclude(kind="modifier"):
            data.codes["dx" if code.system == System.ICD10CM else "px", code.compact] = code
        data._load_diagnosis_tables(dx)
        if px:
            data._load_procedure_tables(sorted(px))
        return data

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
            by_compact = {
                c.compact: c for c in Code.objects.filter(system=System.ICD10CM, compact__in=set(missing.values()))
            }
            self.placeholders = {typed: by_compact[full] for typed, full in missing.items() if full in by_compact}

    def _load_procedure_tables(self, px: list[str]) -> None:
        setting, day = self.claim.setting, self.day
        self.ptp = list(
            PtpEdit.objects.filter(setting=setting, column1__in=px, column2__in=px)
            .filter(Q(deletion_date__isnull=True) | Q(deletion_date__gte=day))
            .select_related("release")
        )
        self.mue_release = self.releases.covering(mue_dataset(setting), day)
        if self.mue_release is not None:
            self.mues = {m.code: m for m in Mue.objects.filter(release=self.mue_release, setting=setting, code__in=px)}
        for edit in AddOnEdit.objects.filter(addon_code__in=px).in_effect(day).select_related("release"):
            self.addons[edit.addon_code].append(edit)
        years = self.releases.of("pfs")
        self.fee_release = next((r for r in years if r.effective_date and r.effective_date.year == day.year), None)
        if self.fee_release is not None:
            self.fees = {
                (f.code, f.modifier): f for f in FeeSchedule.objects.filter(release=self.fee_release, code__in=px)
            }
