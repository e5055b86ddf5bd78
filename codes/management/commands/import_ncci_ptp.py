"""Load an NCCI procedure-to-procedure edit file for one setting."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from codes.importers import ncci
from codes.importers.base import ImportFileError, Progress


class Command(BaseCommand):
    help = (
        "Replace the NCCI PTP edits of a setting with a tab-separated file (column1, column2, "
        "deletion_date with * = in effect, modifier_indicator, ptp_edit_rationale; .gz allowed). "
        "Example: manage.py import_ncci_ptp fixtures/ncci/ptp_practitioner_2024-07-01.tsv.gz --setting practitioner"
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--setting", required=True, choices=["practitioner", "outpatient"])
        parser.add_argument("--release-version", default=ncci.VERSION, help="e.g. 2024Q3")
        parser.add_argument("--effective", type=datetime.date.fromisoformat, default=ncci.EFFECTIVE)
        parser.add_argument("--end", type=datetime.date.fromisoformat, default=ncci.END)

    def handle(self, *args, **options):
        started = time.monotonic()
        progress = Progress(
            "PTP edits",
            stdout=self.stdout,
            verbosity=options["verbosity"],
            every=250000,
        )
        try:
            release, count = ncci.import_ptp(
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
            self.stdout.write(f"{release}: {count:,} edits ({time.monotonic() - started:.1f} s)")
