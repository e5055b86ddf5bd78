import datetime

from django.core.management.base import BaseCommand, CommandError

from codes.importers.base import ImportFileError, Progress
from codes.importers.hcpcs import import_hcpcs


class Command(BaseCommand):
    help = (
        "Import a CMS HCPCS Level II release: the quarterly workbook (HCPC2025_OCT_ANWEB.xlsx) or "
        "the fixed-width text file (HCPC2020_ANWEB_w_disclaimer.txt[.gz]), with processing notes. "
        "Load older releases first: each newer one records what it added, revised and deleted."
    )

    def add_base_argument(self, parser, *args, **kwargs):
        # --version names the release here; Django's own --version is left out.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="HCPCS workbook (.xlsx) or ANWEB text file (.txt/.txt.gz)",
        )
        parser.add_argument(
            "--proc-notes",
            nargs="+",
            default=[],
            metavar="FILE",
            help="processing-note files: CMS proc_notes text or note<TAB>text TSV (later files win)",
        )
        parser.add_argument(
            "--version",
            dest="release_version",
            help="release version (default: from the file name, e.g. 2025-10)",
        )
        parser.add_argument(
            "--effective",
            type=datetime.date.fromisoformat,
            help="effective date YYYY-MM-DD (default: from the file name)",
        )

    def handle(self, *args, **options):
        if not options["path"] and not options["proc_notes"]:
            raise CommandError("give a HCPCS file, --proc-notes files, or both")
        verbosity = options["verbosity"]
        progress = Progress("hcpcs codes", stdout=self.stdout, verbosity=verbosity - 1)
        try:
            summary = import_hcpcs(
                path=options["path"],
                proc_notes=options["proc_notes"],
                version=options["release_version"],
                effective_date=options["effective"],
                progress=progress,
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity >= 1:
            if summary.result is not None:
                self.stdout.write(
                    f"HCPCS {summary.version}: {summary.codes:,} codes ({summary.terminated:,} terminated), "
                    f"{summary.modifiers:,} modifiers ({summary.modifiers_terminated:,} terminated), "
                    f"{summary.groups} browse groups"
                )
                self.stdout.write(f"  {summary.result}")
            if summary.notes:
                self.stdout.write(f"Processing notes: {summary.notes:,}")
