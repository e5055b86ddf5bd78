from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from codes.importers.base import ImportFileError
from codes.importers.plain_language import bundled_paths, parse_files
from codes.models import PlainDescription
from codes.plain_checks import check


class Command(BaseCommand):
    help = (
        "Check the published plain-language descriptions against the loaded code sets: every "
        "code they name exists and is current, and the global days, MUEs, RVUs and fee-schedule "
        "indicators they quote match the data. Exits with an error listing each problem."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bundled",
            action="store_true",
            help="Check the bundled fixtures/plain_language files instead of the rows in the database",
        )
        parser.add_argument("--system", help="Only this code system (URL slug, e.g. cpt)")

    def handle(self, *args, bundled: bool, system: str | None, verbosity: int, **options):
        if bundled:
            try:
                entries = [(e.system, e.code, e.text, e.sources) for e in parse_files(paths=bundled_paths())]
            except ImportFileError as exc:
                raise CommandError(str(exc)) from exc
        else:
            rows = PlainDescription.objects.filter(status=PlainDescription.Status.PUBLISHED)
            entries = list(rows.order_by("system", "code").values_list("system", "code", "text", "sources"))
        if system:
            entries = [entry for entry in entries if entry[0] == system]
        if not entries:
            raise CommandError("no descriptions to check (load them with import_plain_language)")
        report = check(entries=entries)
        for problem in report.problems:
            self.stdout.write(str(problem))
        summary = (
            f"Checked {report.descriptions:,} descriptions: {report.named:,} codes named, "
            f"{report.figures:,} figures quoted, {len(report.problems):,} problem{pluralize(len(report.problems))}"
        )
        if report.problems:
            raise CommandError(summary)
        self.stdout.write(summary)
