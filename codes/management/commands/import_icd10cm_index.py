from django.core.management.base import BaseCommand, CommandError

from codes.importers.base import ImportFileError
from codes.importers.icd10cm_index import TITLES, import_index
from codes.search import index_after_import


class Command(BaseCommand):
    help = (
        "Import an ICD-10-CM index XML file (ICD10CM.index, .xml or .xml.gz): the Index to External Causes, "
        "the Table of Drugs and Chemicals or the Neoplasm Table (detected from the file, or --index). "
        "Replaces that index's terms and flags codes not valid in the imported tabular: run import_icd10cm first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--index", choices=sorted(TITLES), help="Which index the file holds")

    def handle(self, *args, path, index, verbosity, **options):
        try:
            result = import_index(path=path, index=index)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        index_after_import("icd-10-cm")  # index terms are search synonyms
        if verbosity:
            self.stdout.write(
                f"{result.release.title}: {result.terms:,} terms, {result.codes:,} codes, "
                f"{result.invalid:,} not valid in the current release"
            )
