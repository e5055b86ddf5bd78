from django.core.management.base import BaseCommand, CommandError

from codes.importers.base import ImportFileError
from codes.importers.icd10pcs import import_tables


class Command(BaseCommand):
    help = (
        "Import the official ICD-10-PCS tables XML (ICD10PCS.tabular): sections, body systems, "
        "tables and every valid code, marking codes the tables no longer have as deleted. "
        "With --definitions, also replace the PCS definitions (ICD10PCS.definitions XML)."
    )

    def add_arguments(self, parser):
        parser.add_argument("tables", help="icd10pcs_tables_YYYY.xml (or .xml.gz)")
        parser.add_argument("--definitions", help="icd10pcs_definitions_YYYY.xml (or .xml.gz)")

    def handle(self, *args, **options):
        try:
            result = import_tables(
                path=options["tables"],
                definitions_path=options["definitions"],
                stdout=self.stdout,
                verbosity=options["verbosity"],
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] >= 1:
            self.stdout.write(f"ICD-10-PCS: {result.tables:,} tables, {result.sync}")
            if result.linked:
                self.stdout.write(f"{result.linked:,} codes of older releases linked to their table")
            if result.definitions is not None:
                self.stdout.write(f"{result.definitions:,} definitions")
