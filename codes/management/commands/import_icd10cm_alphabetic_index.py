import time

from django.core.management.base import BaseCommand, CommandError

from codes.importers.base import ImportFileError
from codes.importers.icd10cm_alphabetic_index import import_main_index


class Command(BaseCommand):
    help = (
        "Import the ICD-10-CM Alphabetic Index to Diseases and Injuries: the official XML (ICD10CM.index, "
        ".xml or .xml.gz) or the flattened CSV (.csv or .csv.gz). Replaces the main index and resolves each "
        "code against the imported tabular: run import_icd10cm first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--fiscal-year", dest="fiscal_year", default="", help="Fiscal year, when the file does not say (CSV)"
        )

    def handle(self, *args, path, fiscal_year, verbosity, **options):
        started = time.monotonic()
        try:
            result = import_main_index(path=path, version=fiscal_year, stdout=self.stdout, verbosity=verbosity)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity:
            self.stdout.write(
                f"{result.release.title}: {result.terms:,} terms ({result.main_terms:,} main terms), "
                f"{result.codes:,} codes ({result.incomplete:,} need more characters, {result.invalid:,} not "
                f"valid in the current release), {result.see_resolved:,} of {result.see_total:,} cross-references "
                f"resolved, in {time.monotonic() - started:.1f} s"
            )
