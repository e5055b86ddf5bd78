from django.core.management.base import BaseCommand

from jobs.alerts import due_searches
from jobs.tasks import send_saved_search_digest


class Command(BaseCommand):
    help = (
        "Queue the email digests of saved job searches that are due (daily or weekly). "
        "Run it often (bin/run runs it hourly); searches that are not due are skipped."
    )

    def handle(self, *args, **options) -> None:
        ids = due_searches()
        for pk in ids:
            send_saved_search_digest.enqueue(pk)
        if options["verbosity"]:
            self.stdout.write(f"Queued {len(ids)} saved-search digest(s).")
