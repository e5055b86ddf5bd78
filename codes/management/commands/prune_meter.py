"""Delete the meter's rows no longer needed (run daily: every guest address adds a counter a day)."""

from django.core.management.base import BaseCommand

from accounts import quota
from codes.models import CodeView


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--keep-user-months",
            type=int,
            default=12,
            help="months of accounts' view rows to keep (their recently viewed codes); default 12",
        )

    def handle(self, *args, keep_user_months: int, **options) -> None:
        deleted = {"counters": quota.prune_counters(), **CodeView.objects.prune(keep_user_months=keep_user_months)}
        for what, count in deleted.items():
            self.stdout.write(f"{what}: {count:,} deleted")
