"""Create CPT code rows (numbers, ranges, deletions, replacements) from the CMS files."""

import time

from django.core.management.base import BaseCommand, CommandError

from codes.importers import cpt_codes
from codes.importers.base import ImportFileError, Progress


class Command(BaseCommand):
    help = (
        "Build CPT code rows from the codes named in the fee schedule and the NCCI tables (run after "
        "import_pfs and the import_ncci_* commands). No titles are written: titles already loaded by "
        "import_cpt are kept. Hierarchy from fixtures/cpt/ranges.tsv, replacements from "
        "fixtures/cpt/replacements.tsv."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ranges", help="Range table (default fixtures/cpt/ranges.tsv)")
        parser.add_argument(
            "--replacements",
            help="Replacement table (default fixtures/cpt/replacements.tsv)",
        )
        parser.add_argument("--release-version", default=cpt_codes.VERSION)

    def handle(self, *args, **options):
        started = time.monotonic()
        progress = Progress("CPT codes", stdout=self.stdout, verbosity=options["verbosity"], every=5000)
        try:
            result = cpt_codes.import_cpt_codes(
                ranges_path=options["ranges"],
                replacements_path=options["replacements"],
                version=options["release_version"],
                progress=progress,
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(f"CPT {result} ({time.monotonic() - started:.1f} s)")
