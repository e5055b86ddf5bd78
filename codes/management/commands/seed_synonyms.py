"""Load the curated synonyms and the names the code sets give codes into the Synonym table."""

from django.core.management.base import BaseCommand, CommandError

from codes import synonyms
from codes.models import Synonym


class Command(BaseCommand):
    help = (
        "Replace the synonyms of each source (curated list, ICD-10-CM inclusion terms, index "
        "tables, PCS definitions); synonyms added by editors are kept. Run build_search_index after."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", action="append", choices=list(synonyms.SEEDERS), help="Only this source (repeatable)."
        )

    def handle(self, *args, source=None, verbosity=1, **options):
        try:
            counts = synonyms.seed(sources=source)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        if verbosity:
            for name, count in counts.items():
                self.stdout.write(f"{Synonym.Source(name).label}: {count}")
