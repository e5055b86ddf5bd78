"""Rebuild the Case2Code search index (run by load_codesets and after each import)."""

import time

from django.core.management.base import BaseCommand, CommandError

from codes import search, synonyms
from codes.models import System


class Command(BaseCommand):
    help = (
        "Seed the synonyms (curated list and the code sets' own names), then rebuild the search "
        "documents of every code system and the word list."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-synonyms", action="store_true", help="Keep the synonyms table as it is.")

    def handle(self, *args, no_synonyms=False, verbosity=1, **options):
        started = time.monotonic()
        if not no_synonyms:
            try:
                seeded = synonyms.seed()
            except (OSError, ValueError) as error:
                raise CommandError(str(error)) from error
            if verbosity:
                self.stdout.write("Synonyms: " + ", ".join(f"{n} {source}" for source, n in seeded.items()))
        counts = search.build_index(stdout=self.stdout if verbosity > 1 else None)
        if verbosity:
            indexed = ", ".join(f"{n} {System(s).label}" for s, n in counts.items())
            self.stdout.write(f"Search index: {indexed} codes in {time.monotonic() - started:.1f} s")
