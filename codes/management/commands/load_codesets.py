"""Load every bundled code set, in dependency order, skipping files already loaded."""

import contextlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from codes.importers.base import indexes_built_after, sha256_of
from codes.models import CodeChange, DrgCcExclusion, GemMapping, IndexTerm, PtpEdit, Release, SearchEntry
from codes.search import deferred_indexing


@dataclass(frozen=True)
class Step:
    """One bundled file set that `load_codesets` loads: a kind, its fixture paths and options.

    Paths are relative to fixtures/; the first is the file whose checksum says whether the
    step already ran. `command` is for what is not a code set (CasePilot's guides): that app
    owns its command, and codes imports no CasePilot module. `derived` is the dataset of a set
    built from the tables of the steps above rather than from a file (CPT and CDT code numbers):
    it is rebuilt only when one of those was loaded in this run, or if it was never built, so
    that a rerun with nothing new neither rewrites it nor rebuilds the search index.
    """

    label: str
    kind: str = ""
    args: tuple[str, ...] = ()
    command: str = ""
    derived: str = ""


# In dependency order: the ICD-10-CM FY2024 list comes before FY2026 so that codes deleted
# since are marked deleted; index tables are checked against the tabular they follow; CPT
# code numbers are collected from the fee schedule and NCCI files.
FY2024 = ("--version", "2024", "--effective", "2023-10-01", "--end", "2024-09-30")
Q2_2026 = ("--version", "2026Q2", "--effective", "2026-04-01", "--end", "2026-06-30")
BUNDLE = [
    Step("ICD-10-CM FY2024 code list (history)", "icd10cm-codes", ("icd10cm/icd10cm-codes-2024.txt.gz", *FY2024)),
    Step("ICD-10-CM FY2026 tabular", "icd10cm-tabular", ("icd10cm/icd10c-tabular-April-1-2026.xml.gz",)),
    Step("ICD-10-CM Index to External Causes", "icd10cm-index", ("icd10cm/icd10cm_eindex_2025.xml.gz",)),
    Step("ICD-10-CM Table of Drugs and Chemicals", "icd10cm-index", ("icd10cm/icd10cm_drug_2025.xml.gz",)),
    Step("ICD-10-CM Neoplasm Table", "icd10cm-index", ("icd10cm/icd10cm_neoplasm_2025.xml.gz",)),
    Step(
        "ICD-10-CM Alphabetic Index to Diseases and Injuries",
        "icd10cm-alphabetic-index",
        ("icd10cm/icd10cm_index_fy2025_flat.csv.gz",),
    ),
    Step("ICD-10-CM Official Guidelines", "icd10cm-guidelines", ("icd10cm/icd10cm_guidelines_fy2026.txt.gz",)),
    Step("ICD-10-PCS FY2024 code list (history)", "icd10pcs-codes", ("icd10pcs/icd10pcs-codes-2024.txt.gz", *FY2024)),
    Step(
        "ICD-10-PCS FY2026 tables and definitions",
        "icd10pcs-tables",
        ("icd10pcs/icd10pcs_tables_2026.xml.gz", "--definitions", "icd10pcs/icd10pcs_definitions_2026.xml.gz"),
    ),
    Step("ICD-10-PCS Index", "icd10pcs-index", ("icd10pcs/icd10pcs_index_2023.xml.gz",)),
    Step("ICD-10-PCS Official Guidelines", "icd10pcs-guidelines", ("icd10pcs/icd10pcs_guidelines_fy2025.tsv.gz",)),
    Step("HCPCS Level II, January 2020 (history)", "hcpcs", ("hcpcs/HCPC2020_ANWEB_w_disclaimer.txt.gz",)),
    Step("HCPCS Level II, October 2025 (history)", "hcpcs", ("hcpcs/HCPC2025_OCT_ANWEB.xlsx",)),
    Step(
        "HCPCS Level II, January 2026, and processing notes",
        "hcpcs",
        ("hcpcs/HCPC2026_JAN_ANWEB_01122026.xlsx", "--proc-notes", "hcpcs/proc_notes_JAN2026.txt.gz"),
    ),
    # One release a year is kept (the code page's table by year); the newest year's localities.
    Step("Physician Fee Schedule CY2024 (RVU24C, history)", "pfs", ("pfs/pprrvu24_jul_rvu24c_nodesc.csv.gz",)),
    Step("Physician Fee Schedule CY2025 (RVU25D, history)", "pfs", ("pfs/pprrvu25_oct_rvu25d.csv.gz",)),
    Step(
        "Physician Fee Schedule CY2026 (RVU26B), GPCIs and localities",
        "pfs",
        (
            "pfs/pprrvu26_apr_nonqpp_rvu26b.csv.gz",
            "--gpci",
            "pfs/GPCI2026.csv.gz",
            "--localities",
            "pfs/26LOCCO.csv.gz",
        ),
    ),
    Step(
        "NCCI PTP edits, practitioner",
        "ncci-ptp",
        ("ncci/ptp_practitioner_2024-07-01.tsv.gz", "--setting", "practitioner"),
    ),
    Step(
        "NCCI PTP edits, outpatient hospital",
        "ncci-ptp",
        ("ncci/ptp_outpatient_hospital_2024-07-01.tsv.gz", "--setting", "outpatient"),
    ),
    Step(
        "NCCI MUEs, practitioner, 2026-04-01",
        "ncci-mue",
        ("ncci/MCR_MUE_PractitionerServices_Eff_04-01-2026.csv.gz", "--setting", "practitioner", *Q2_2026),
    ),
    Step(
        "NCCI MUEs, outpatient hospital",
        "ncci-mue",
        ("ncci/mue_outpatient_hospital_2024-07-01.tsv.gz", "--setting", "outpatient"),
    ),
    Step("NCCI MUEs, DME supplier", "ncci-mue", ("ncci/mue_dme_supplier_2024-07-01.tsv.gz", "--setting", "dme")),
    Step("NCCI add-on code edits, 2026 Q2", "ncci-aoc", ("ncci/AOC_V2026Q2-MCR.xlsx", *Q2_2026)),
    Step("CPT code numbers from the CMS files", "cpt-codes", derived="cpt-codes"),
    Step("CDT code numbers from the fee schedule", "cdt-codes", derived="cdt-codes"),
    Step(
        "MS-DRG v43",
        "ms-drg",
        (
            "--weights",
            "ms_drg/drg_weights.txt.gz",
            "--mcc",
            "ms_drg/mcc_list.txt.gz",
            "--cc",
            "ms_drg/cc_list.txt.gz",
            "--exclusions",
            "ms_drg/cc_exclusions.txt.gz",
        ),
    ),
    Step(
        "ICD-9-CM / ICD-10-CM GEMs",
        "gems",
        ("--to-icd9", "gems/icd10cmtoicd9gem.csv.gz", "--to-icd10", "gems/icd9toicd10cmgem.csv.gz"),
    ),
    Step("Plain-language descriptions", "plain-language"),
    Step("CasePilot guides", command="import_guides"),
]


def _is_fixture_path(arg: str) -> bool:
    return "/" in arg and not arg.startswith("-")


@contextlib.contextmanager
def _in_one_transaction(stdout, verbosity: int):
    """A first load on PostgreSQL (a database without releases, which no site serves yet) runs in one
    transaction, with the biggest tables' indexes and keys set aside until every step has
    written its rows: the PTP edits of both settings and the terms of all four indexes, each
    index then built once over all of them instead of maintained row by row from the second
    file on; and the tables only written during the load (code changes, CC exclusions, GEMs),
    each key then checked in one join instead of a queued check per row. A step that fails
    leaves the database empty, as it was."""
    with (
        transaction.atomic(),
        indexes_built_after(PtpEdit),
        indexes_built_after(IndexTerm),
        indexes_built_after(CodeChange),
        indexes_built_after(DrgCcExclusion),
        indexes_built_after(GemMapping),
    ):
        yield
        started = time.monotonic()
    if verbosity:
        stdout.write(f"  Indexes built, keys checked and the load committed: {time.monotonic() - started:.1f} s")


class Command(BaseCommand):
    help = "Load every code set bundled in fixtures/ (skips files already loaded unless --force)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Reload files that are already loaded.")
        parser.add_argument("--only", help="Run only the steps whose kind (or command) contains this text.")

    def handle(self, *args, force=False, only=None, verbosity=1, **options):
        loaded = set(Release.objects.exclude(file_sha256="").values_list("file_sha256", flat=True))
        started = time.monotonic()
        # Not on SQLite: its WAL would hold every page the whole load writes, and with SQLite's
        # small page cache each read goes back to it (a full load read 90 GB from it in 10 minutes).
        first_load = connection.vendor == "postgresql" and not Release.objects.exists()
        with (
            deferred_indexing() as changed,
            _in_one_transaction(self.stdout, verbosity) if first_load else contextlib.nullcontext(),
        ):
            self._load(force=force, only=only, verbosity=verbosity, loaded=loaded)
        # The search index is built once, at the end, when codes changed (or it was never built).
        if changed or not SearchEntry.objects.exists():
            if verbosity:
                self.stdout.write(self.style.MIGRATE_HEADING("Search index"))
            call_command("build_search_index", verbosity=verbosity, stdout=self.stdout, stderr=self.stderr)
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner, and a visibility map so that counts of edits
            # are answered from the indexes alone (index-only scans).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        elif connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Code sets loaded in {time.monotonic() - started:.1f} s"))

    def _load(self, *, force, only, verbosity, loaded):
        fixtures = settings.FIXTURES_DIR
        loaded_now = False  # whether a release file was loaded in this run (derived sets follow it)
        for step in BUNDLE:
            if only and only not in (step.kind or step.command):
                continue
            arguments = [str(fixtures / a) if _is_fixture_path(a) else a for a in step.args]
            key = next((a for a in arguments if a.startswith(str(fixtures))), None)
            if key and not force and sha256_of(key) in loaded:
                if verbosity:
                    self.stdout.write(f"{step.label}: already loaded")
                continue
            if step.derived and not (force or loaded_now) and Release.objects.filter(dataset=step.derived).exists():
                if verbosity:
                    self.stdout.write(f"{step.label}: up to date (nothing it is built from was loaded)")
                continue
            loaded_now = loaded_now or bool(key)
            if verbosity:
                self.stdout.write(self.style.MIGRATE_HEADING(step.label))
            if step.command:
                call_command(step.command, verbosity=verbosity, stdout=self.stdout, stderr=self.stderr)
            else:
                call_command(
                    "import_codes", step.kind, *arguments, verbosity=verbosity, stdout=self.stdout, stderr=self.stderr
                )
