"""Load every bundled code set, in dependency order, skipping files already loaded."""

import time

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from codes.importers.base import sha256_of
from codes.models import Release
from codes.search import deferred_indexing

# (what, command, arguments; paths are relative to fixtures/). The first path of each
# step is the file whose checksum says whether the step already ran.
# Order matters: the ICD-10-CM FY2024 list comes before FY2026 so that codes deleted
# since are marked deleted; index tables are checked against the tabular they follow;
# CPT code numbers are collected from the fee schedule and NCCI files.
STEPS = [
    (
        "ICD-10-CM FY2024 code list (history)",
        "import_icd10cm_codes",
        ["icd10cm/icd10cm-codes-2024.txt.gz", "--version", "2024", "--effective", "2023-10-01", "--end", "2024-09-30"],
    ),
    ("ICD-10-CM FY2026 tabular", "import_icd10cm", ["icd10cm/icd10c-tabular-April-1-2026.xml.gz"]),
    ("ICD-10-CM Index to External Causes", "import_icd10cm_index", ["icd10cm/icd10cm_eindex_2023.xml.gz"]),
    ("ICD-10-CM Table of Drugs and Chemicals", "import_icd10cm_index", ["icd10cm/icd10cm_drug_2023.xml.gz"]),
    ("ICD-10-CM Neoplasm Table", "import_icd10cm_index", ["icd10cm/icd10cm_neoplasm_2023.xml.gz"]),
    (
        "ICD-10-PCS FY2024 code list (history)",
        "import_icd10pcs_codes",
        [
            "icd10pcs/icd10pcs-codes-2024.txt.gz",
            "--version",
            "2024",
            "--effective",
            "2023-10-01",
            "--end",
            "2024-09-30",
        ],
    ),
    (
        "ICD-10-PCS FY2026 tables and definitions",
        "import_icd10pcs",
        ["icd10pcs/icd10pcs_tables_2026.xml.gz", "--definitions", "icd10pcs/icd10pcs_definitions_2026.xml.gz"],
    ),
    ("ICD-10-PCS Index", "import_icd10pcs_index", ["icd10pcs/icd10pcs_index_2023.xml.gz"]),
    ("HCPCS Level II, January 2020 (history)", "import_hcpcs", ["hcpcs/HCPC2020_ANWEB_w_disclaimer.txt.gz"]),
    (
        "HCPCS Level II, October 2025, and processing notes",
        "import_hcpcs",
        [
            "hcpcs/HCPC2025_OCT_ANWEB.xlsx",
            "--proc-notes",
            "hcpcs/proc_notes_2020.txt.gz",
            "hcpcs/hcpcs_proc_notes_0221-0234_JAN2026.tsv.gz",
        ],
    ),
    (
        "Physician Fee Schedule 2024 (RVU24C)",
        "import_pfs",
        [
            "pfs/pprrvu24_jul_rvu24c_nodesc.csv.gz",
            "--gpci",
            "pfs/gpci2024_rvu24c.csv.gz",
            "--localities",
            "pfs/24locco_rvu24c.csv.gz",
        ],
    ),
    (
        "NCCI PTP edits, practitioner",
        "import_ncci_ptp",
        ["ncci/ptp_practitioner_2024-07-01.tsv.gz", "--setting", "practitioner"],
    ),
    (
        "NCCI PTP edits, outpatient hospital",
        "import_ncci_ptp",
        ["ncci/ptp_outpatient_hospital_2024-07-01.tsv.gz", "--setting", "outpatient"],
    ),
    (
        "NCCI MUEs, practitioner",
        "import_ncci_mue",
        ["ncci/mue_practitioner_2024-07-01.tsv.gz", "--setting", "practitioner"],
    ),
    (
        "NCCI MUEs, outpatient hospital",
        "import_ncci_mue",
        ["ncci/mue_outpatient_hospital_2024-07-01.tsv.gz", "--setting", "outpatient"],
    ),
    ("NCCI MUEs, DME supplier", "import_ncci_mue", ["ncci/mue_dme_supplier_2024-07-01.tsv.gz", "--setting", "dme"]),
    ("NCCI add-on code edits", "import_ncci_aoc", ["ncci/aoc_edits_2024q3.tsv.gz"]),
    ("CPT code numbers from the CMS files", "import_cpt_codes", []),
    (
        "MS-DRG v43",
        "import_msdrg",
        [
            "--weights",
            "ms_drg/drg_weights.txt.gz",
            "--mcc",
            "ms_drg/mcc_list.txt.gz",
            "--cc",
            "ms_drg/cc_list.txt.gz",
            "--exclusions",
            "ms_drg/cc_exclusions.txt.gz",
        ],
    ),
    (
        "ICD-9-CM / ICD-10-CM GEMs",
        "import_gems",
        ["--to-icd9", "gems/icd10cmtoicd9gem.csv.gz", "--to-icd10", "gems/icd9toicd10cmgem.csv.gz"],
    ),
    ("Plain-language descriptions", "import_plain_language", []),
    ("CasePilot guides", "import_guides", []),
]


def _is_fixture_path(arg: str) -> bool:
    return "/" in arg and not arg.startswith("-")


class Command(BaseCommand):
    help = "Load every code set bundled in fixtures/ (skips files already loaded unless --force)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Reload files that are already loaded.")
        parser.add_argument("--only", help="Run only the steps whose command contains this text.")

    def handle(self, *args, force=False, only=None, verbosity=1, **options):
        fixtures = settings.FIXTURES_DIR
        known = get_commands()
        loaded = set(Release.objects.exclude(file_sha256="").values_list("file_sha256", flat=True))
        started = time.monotonic()
        with deferred_indexing() as changed:
            self._load(force=force, only=only, verbosity=verbosity, known=known, loaded=loaded, fixtures=fixtures)
        # The search index is built once, at the end, when codes changed (or it was never built).
        from codes.models import SearchEntry

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

    def _load(self, *, force, only, verbosity, known, loaded, fixtures):
        for label, command, arguments in STEPS:
            if only and only not in command:
                continue
            if command not in known:
                raise CommandError(f"{label}: the command {command} does not exist")
            arguments = [str(fixtures / a) if _is_fixture_path(a) else a for a in arguments]
            key = next((a for a in arguments if a.startswith(str(fixtures))), None)
            if key and not force and sha256_of(key) in loaded:
                if verbosity:
                    self.stdout.write(f"{label}: already loaded")
                continue
            if verbosity:
                self.stdout.write(self.style.MIGRATE_HEADING(f"{label}"))
            step_started = time.monotonic()
            call_command(command, *arguments, verbosity=verbosity, stdout=self.stdout, stderr=self.stderr)
            if verbosity:
                self.stdout.write(f"  done in {time.monotonic() - step_started:.1f} s")
