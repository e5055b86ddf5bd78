"""Queue again consultation work a lost worker left behind (run it from cron every few minutes)."""

from datetime import timedelta

from django.core.management.base import BaseCommand

from casepilot import consult


class Command(BaseCommand):
    help = (
        "Queue again what a stopped worker left behind: inbound mail not yet processed, consultations "
        "without an automated answer, outbound mail still unsent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--minutes", type=int, default=10, help="Only work older than this (default 10)")

    def handle(self, *args, minutes: int, **options) -> None:
        inbound, drafts, emails = consult.requeue_stalled(older_than=timedelta(minutes=minutes))
        if options["verbosity"] >= 1:
            self.stdout.write(f"{inbound} inbound message(s), {drafts} draft(s) and {emails} email(s) queued again")
