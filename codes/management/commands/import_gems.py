from django.core.management.base import BaseCommand, CommandError

from codes.importers.base import ImportFileError
from codes.importers.gems import import_gems
from codes.models import GemMapping


class Command(BaseCommand):
    help = (
        "Import the diagnosis General Equivalence Mappings (ICD-10-CM to ICD-9-CM and back), "
        "replacing the previous ones. Accepts the NBER CSV edition or the CMS text files (.gz accepted)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--to-icd9",
            required=True,
            help="ICD-10-CM to ICD-9-CM GEM, e.g. fixtures/gems/icd10cmtoicd9gem.csv.gz",
        )
        parser.add_argument(
            "--to-icd10",
            required=True,
            help="ICD-9-CM to ICD-10-CM GEM, e.g. fixtures/gems/icd9toicd10cmgem.csv.gz",
        )

    def handle(self, *args, **options):
        try:
            release, counts = import_gems(
                to_icd9=options["to_icd9"],
                to_icd10=options["to_icd10"],
                stdout=self.stdout,
                verbosity=options["verbosity"],
            )
        except ImportFileError as e:
            raise CommandError(str(e)) from e
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{release}: {counts[GemMapping.Direction.TO_ICD9]:,} ICD-10-CM to ICD-9-CM and "
                f"{counts[GemMapping.Direction.TO_ICD10]:,} ICD-9-CM to ICD-10-CM mappings"
            )
