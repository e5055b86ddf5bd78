import datetime

from django.core.management.base import BaseCommand, CommandError

from codes.importers.base import ImportFileError, Progress
from codes.importers.icd10cm import import_codes_file


class Command(BaseCommand):
    help = (
        "Import an older ICD-10-CM fiscal year from the CDC code-description text file "
        "(icd10cm-codes-YYYY.txt, .gz accepted), so that a later tabular import records what changed. "
        "Import releases oldest first."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version is the release version, not Django's.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--version",
            dest="release_version",
            required=True,
            help="Fiscal year, e.g. 2024",
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
        if effective is None and release_version.isdigit():
            effective = datetime.date(int(release_version) - 1, 10, 1)
        if end is None and release_version.isdigit():
            end = datetime.date(int(release_version), 9, 30)
        progress = Progress("codes", stdout=self.stdout, verbosity=verbosity)
        try:
            release, result, _count = import_codes_file(
                path=path,
                version=release_version,
                effective=effective,
                end=end,
                progress=progress,
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity:
            self.stdout.write(f"{release.title}: {result}")
