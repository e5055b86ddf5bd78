import datetime

from django.core.management.base import BaseCommand, CommandError

from codes.importers.base import ImportFileError
from codes.importers.icd10pcs import import_code_list


class Command(BaseCommand):
    help = (
        "Import an older CMS ICD-10-PCS code list (icd10pcs-codes-YYYY.txt: code and long title, "
        ".gz accepted) for history. Import lists oldest first, then the current tables with import_icd10pcs."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version is the release version, not Django's.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("path", help="icd10pcs-codes-YYYY.txt (or .txt.gz)")
        parser.add_argument(
            "--version",
            dest="release_version",
            required=True,
            help="fiscal year, e.g. 2024",
        )
        parser.add_argument(
            "--effective",
            type=datetime.date.fromisoformat,
            help="first day (default: October 1 of the year before)",
        )
        parser.add_argument(
            "--end",
            type=datetime.date.fromisoformat,
            help="last day (default: September 30 of the year)",
        )

    def handle(self, *args, path, release_version, effective, end, verbosity, **options):
        if release_version.isdigit():
            effective = effective or datetime.date(int(release_version) - 1, 10, 1)
            end = end or datetime.date(int(release_version), 9, 30)
        if effective is None:
            raise CommandError("--effective is required when --version is not a year")
        try:
            result = import_code_list(
                path=path,
                version=release_version,
                effective_date=effective,
                end_date=end,
                stdout=self.stdout,
                verbosity=verbosity,
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            self.stdout.write(f"ICD-10-PCS FY{release_version}: {result}")
