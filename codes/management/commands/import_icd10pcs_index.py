from django.core.management.base import BaseCommand, CommandError

from codes.importers.base import ImportFileError
from codes.importers.icd10pcs import import_index
from codes.search import index_after_import


class Command(BaseCommand):
    help = (
        "Replace the ICD-10-PCS Index from the official index XML (ICD10PCS.index), flagging "
        "codes and tables it names that the imported tables do not have. Run after import_icd10pcs."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="icd10pcs_index_YYYY.xml (or .xml.gz)")

    def handle(self, *args, **options):
        try:
            terms, invalid = import_index(path=options["path"], stdout=self.stdout, verbosity=options["verbosity"])
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        index_after_import("icd-10-pcs")  # index terms are search synonyms
        if options["verbosity"] >= 1:
            self.stdout.write(f"ICD-10-PCS index: {terms:,} terms, {invalid:,} references not in the current tables")
