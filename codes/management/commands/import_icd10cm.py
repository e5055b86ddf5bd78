import datetime

from django.core.management.base import BaseCommand, CommandError

from codes.importers.base import ImportFileError, Progress
from codes.importers.icd10cm import import_tabular


class Command(BaseCommand):
    help = (
        "Import the ICD-10-CM Tabular List XML (ICD10CM.tabular, .xml or .xml.gz): chapters, sections, "
        "categories and codes with 7th characters expanded, and all tabular notes. Marks codes the "
        "release no longer has as deleted."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version is the release version, not Django's.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--version",
            dest="release_version",
            help="Release version (default: from the file, e.g. 2026-04)",
        )
        parser.add_argument(
            "--effective",
            type=datetime.date.fromisoformat,
            help="Effective date, YYYY-MM-DD",
        )
        parser.add_argument(
            "--end",
            type=datetime.date.fromisoformat,
            help="Last day the release is valid, YYYY-MM-DD",
        )

    def handle(self, *args, path, release_version, effective, end, verbosity, **options):
        progress = Progress("codes", stdout=self.stdout, verbosity=verbosity)
        try:
            result = import_tabular(
                path=path,
                version=release_version,
                effective=effective,
                end=end,
                progress=progress,
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity:
            self.stdout.write(f"{result.release.title}: {result.sync}")
            self.stdout.write(f"{result.billable:,} billable codes, {result.notes:,} notes")
