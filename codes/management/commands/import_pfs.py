"""Load the Medicare Physician Fee Schedule RVU file, with GPCIs and localities."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from codes.importers import pfs
from codes.importers.base import ImportFileError, Progress


class Command(BaseCommand):
    help = (
        "Replace the fee schedule with a PPRRVU file (CSV with a header row; the description "
        "column is ignored). With --gpci and --localities, also replace the payment localities. "
        "Example: manage.py import_pfs fixtures/pfs/pprrvu24_jul_rvu24c_nodesc.csv.gz "
        "--gpci fixtures/pfs/gpci2024_rvu24c.csv.gz --localities fixtures/pfs/24locco_rvu24c.csv.gz"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="PPRRVU CSV file (.csv or .csv.gz)")
        parser.add_argument("--gpci", help="GPCI CSV file")
        parser.add_argument("--localities", help="Locality (LOCCO) CSV file")
        parser.add_argument(
            "--release-version",
            dest="release_version",
            default=pfs.VERSION,
            help="Release version, e.g. 2024-07",
        )
        parser.add_argument("--title", default=pfs.TITLE)
        parser.add_argument("--effective", type=datetime.date.fromisoformat, default=pfs.EFFECTIVE)
        parser.add_argument("--end", type=datetime.date.fromisoformat, default=pfs.END)

    def handle(self, *args, **options):
        if bool(options["gpci"]) != bool(options["localities"]):
            raise CommandError("--gpci and --localities go together")
        started = time.monotonic()
        progress = Progress("RVU rows", stdout=self.stdout, verbosity=options["verbosity"])
        try:
            release, rvus, places = pfs.import_pfs(
                pprrvu=options["path"],
                gpci=options["gpci"],
                localities=options["localities"],
                version=options["release_version"],
                title=options["title"],
                effective_date=options["effective"],
                end_date=options["end"],
                progress=progress,
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{release}: {rvus:,} RVU rows, {places:,} localities ({time.monotonic() - started:.1f} s)"
            )
