"""Load an NCCI medically unlikely edit (MUE) file for one setting."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from codes.importers import ncci
from codes.importers.base import ImportFileError, Progress


class Command(BaseCommand):
    help = (
        "Replace the MUEs of a setting with a tab-separated file (hcpcs_code, <setting>_mue, mai, "
        "mue_rationale; .gz allowed). "
        "Example: manage.py import_ncci_mue fixtures/ncci/mue_practitioner_2024-07-01.tsv.gz --setting practitioner"
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--setting", required=True, choices=["practitioner", "outpatient", "dme"])
        parser.add_argument("--release-version", default=ncci.VERSION, help="e.g. 2024Q3")
        parser.add_argument("--effective", type=datetime.date.fromisoformat, default=ncci.EFFECTIVE)
        parser.add_argument("--end", type=datetime.date.fromisoformat, default=ncci.END)

    def handle(self, *args, **options):
        started = time.monotonic()
        progress = Progress("MUEs", stdout=self.stdout, verbosity=options["verbosity"])
        try:
            release, count = ncci.import_mue(
                path=options["path"],
                setting=options["setting"],
                version=options["release_version"],
                effective_date=options["effective"],
                end_date=options["end"],
                progress=progress,
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(f"{release}: {count:,} MUEs ({time.monotonic() - started:.1f} s)")
