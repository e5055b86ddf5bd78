from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from codes.importers.base import ImportFileError
from codes.importers.plain_language import bundled_paths, load_descriptions, parse_files
from codes.search import index_after_import


class Command(BaseCommand):
    help = (
        "Load the plain-language descriptions (JSON lines: system, code, author, text). "
        "Without paths, loads every fixtures/plain_language/*.jsonl. Rows an editor has "
        "taken over (another author) or withdrawn (draft) in the admin are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            type=Path,
            help="JSONL files (default: the bundled ones)",
        )

    def handle(self, *args, paths: list[Path], verbosity: int, **options):
        paths = paths or bundled_paths()
        if not paths:
            raise CommandError("no plain-language files given or bundled")
        try:
            entries = parse_files(paths=paths)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            self.stdout.write(f"Read {len(entries):,} descriptions from {len(paths)} file(s)")
        result = load_descriptions(entries=entries, paths=paths)
        for system in {entry.system for entry in entries}:
            index_after_import(system)  # CPT codes are found by their plain-language text
        self.stdout.write(f"Plain-language descriptions: {result}")
        if result.kept and verbosity >= 2:
            self.stdout.write("  Kept: " + ", ".join(result.kept))
        for system, codes in result.unknown.items():
            shown = ", ".join(codes[:10]) + (" ..." if len(codes) > 10 else "")
            self.stderr.write(f"Warning: {len(codes):,} {system} codes not in the code table: {shown}")
