"""Load the NCCI add-on code edit file."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from codes.importers import ncci
from codes.importers.base import ImportFileError, Progress


class Command(BaseCommand):
    help = (
        "Replace the NCCI add-on code edits with a tab-separated file (add_on_code, primary_code "
        "with CCCCC = no specific primary, aoc_edit_type; .gz allowed). "
        "Example: manage.py import_ncci_aoc fixtures/ncci/aoc_edits_2024q3.tsv.gz"
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--release-version", default=ncci.VERSION, help="e.g. 2024Q3")
        parser.add_argument("--effective", type=datetime.date.fromisoformat, default=ncci.EFFECTIVE)
        parser.add_argument("--end", type=datetime.date.fromisoformat, default=ncci.END)

    def handle(self, *args, **options):
        started = time.monotonic()
        progress = Progress("add-on edits", stdout=self.stdout, verbosity=options["verbosity"])
        try:
            release, count = ncci.import_aoc(
                path=options["path"],
                version=options["release_version"],
                effective_date=options["effective"],
                end_date=options["end"],
                progress=progress,
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(f"{release}: {count:,} pairs ({time.monotonic() - started:.1f} s)")
