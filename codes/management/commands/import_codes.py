"""`manage.py import_codes KIND PATH [options]`: import a code-set file of any kind."""

import argparse

from django.core.management.base import BaseCommand

from codes.importers.registry import KINDS, add_arguments, run


class Command(BaseCommand):
    help = (
        "Import a code-set file of one kind, in one transaction (a bad file changes nothing and the error "
        "names its line). `import_codes KIND --help` shows a kind's file format and options. Kinds: " + ", ".join(KINDS)
    )

    def add_base_argument(self, parser, *args, **kwargs):
        # --version names the release here; Django's own --version is left out.
        if "--version" not in args:
            super().add_base_argument(parser, *args, **kwargs)

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", metavar="KIND", required=True, title="code-set kinds")
        for kind in KINDS.values():
            sub = kinds.add_parser(kind.name, help=kind.label, description=kind.help)
            add_arguments(sub, kind)
            # Django's options are the main parser's; repeated here so they may follow the kind too.
            sub.add_argument("-v", "--verbosity", type=int, choices=[0, 1, 2, 3], default=argparse.SUPPRESS)
            sub.add_argument("--traceback", action="store_true", default=argparse.SUPPRESS)

    def handle(self, *args, kind: str, **options):
        run(KINDS[kind], options=options, stdout=self.stdout, stderr=self.stderr)
