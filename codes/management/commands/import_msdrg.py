from django.core.management.base import BaseCommand, CommandError

from codes.importers.base import ImportFileError
from codes.importers.msdrg import MDC_TITLES, import_msdrg


class Command(BaseCommand):
    help = (
        "Import MS-DRGs from the CMS IPPS Final Rule tables: Table 5 (DRGs, weights, mean LOS), "
        "6I (MCC list), 6J (CC list) and 6K (CC exclusions), as CMS ships them (.gz accepted). "
        "The MS-DRG version follows the fiscal year in Table 5's title (FY2026 = v43.0)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--weights",
            required=True,
            help="Table 5, e.g. fixtures/ms_drg/drg_weights.txt.gz",
        )
        parser.add_argument("--mcc", required=True, help="Table 6I, complete MCC list")
        parser.add_argument("--cc", required=True, help="Table 6J, complete CC list")
        parser.add_argument(
            "--exclusions",
            required=True,
            help="Table 6K, complete list of CC exclusions",
        )
        parser.add_argument(
            "--mdc-titles",
            default=str(MDC_TITLES),
            help="TSV of MDC titles (default: %(default)s)",
        )

    def handle(self, *args, **options):
        try:
            result = import_msdrg(
                weights=options["weights"],
                mcc=options["mcc"],
                cc=options["cc"],
                exclusions=options["exclusions"],
                mdc_titles=options["mdc_titles"],
                stdout=self.stdout,
                verbosity=options["verbosity"],
            )
        except ImportFileError as e:
            raise CommandError(str(e)) from e
        if options["verbosity"] >= 1:
            self.stdout.write(f"{result.release}: {result.drgs:,} DRGs in {result.mdcs} MDC nodes; {result.codes}")
            self.stdout.write(
                f"{result.mcc:,} MCC and {result.cc:,} CC codes; "
                f"{result.exclusion_rows:,} exclusion rows in {result.exclusion_lists:,} PDX lists"
            )
