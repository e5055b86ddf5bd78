import datetime

from django.core.management.base import BaseCommand, CommandError

from codes.importers.base import ImportFileError
from codes.importers.cpt_descriptors import import_cpt_descriptors


class Command(BaseCommand):
    help = (
        "Load CPT descriptors from a licensee's tab-delimited AMA data file (code<TAB>descriptor). "
        "AMA licensed content: load only a file your licence covers; never commit it."
    )

    def add_base_argument(self, parser, *args, **kwargs):
        # --version names the descriptor release here; Django's own --version is left out.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("path", help="descriptor file (.txt or .txt.gz)")
        parser.add_argument(
            "--version",
            dest="release_version",
            help="release version (default: the file name)",
        )
        parser.add_argument(
            "--effective",
            type=datetime.date.fromisoformat,
            help="effective date YYYY-MM-DD",
        )

    def handle(self, *args, **options):
        try:
            summary = import_cpt_descriptors(
                path=options["path"],
                version=options["release_version"],
                effective_date=options["effective"],
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"CPT descriptors {summary.version}: {summary.total:,} codes: {summary.created:,} created, "
                f"{summary.updated:,} updated, {summary.unchanged:,} unchanged"
            )
