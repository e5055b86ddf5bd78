"""Read consultation mail from an IMAP mailbox (settings.CONSULT_IMAP_*) or a local maildir.

Each message is stored (once per Message-ID) before it is marked as read or moved, then
processed by the worker; running the command again never duplicates a consultation.
"""

import contextlib
import imaplib
import mailbox

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casepilot import consult_inbound


class Command(BaseCommand):
    help = "Fetch consultation mail from IMAP (settings.CONSULT_IMAP_*) or from --maildir PATH."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--maildir", help="Read this local maildir instead of IMAP; read messages move to cur/")

    def handle(self, *args, maildir: str | None = None, **options) -> None:
        stored = duplicates = 0
        for raw, done in self._maildir(maildir) if maildir else self._imap():
            _inbound, created = consult_inbound.store_inbound(raw, source="maildir" if maildir else "imap")
            stored += created
            duplicates += not created
            done()  # only once the message is safely in the database
        if options["verbosity"] >= 1:
            self.stdout.write(f"{stored} message(s) stored, {duplicates} already known")

    def _maildir(self, path: str):
        box = mailbox.Maildir(path, factory=None, create=False)
        for key in list(box.iterkeys()):
            message = box.get_message(key)
            if "S" in message.get_flags():
                continue

            def done(key=key, message=message) -> None:
                message.set_subdir("cur")
                message.add_flag("S")
                box[key] = message

            yield box.get_bytes(key), done

    def _imap(self):
        if not settings.CONSULT_IMAP_HOST:
            raise CommandError("Set CONSULT_IMAP_HOST (and _USER, _PASSWORD) or pass --maildir PATH.")
        cls = imaplib.IMAP4_SSL if settings.CONSULT_IMAP_SSL else imaplib.IMAP4
        try:
            client = cls(settings.CONSULT_IMAP_HOST, settings.CONSULT_IMAP_PORT)
            client.login(settings.CONSULT_IMAP_USER, settings.CONSULT_IMAP_PASSWORD)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise CommandError(f"Cannot reach the IMAP mailbox: {exc}") from exc
        try:
            client.select(settings.CONSULT_IMAP_FOLDER)
            _status, data = client.uid("SEARCH", None, "UNSEEN")
            for uid in data[0].split():
                # BODY.PEEK leaves the message unread until it is stored.
                _status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
                if raw is None:
                    continue

                def done(uid=uid) -> None:
                    client.uid("STORE", uid, "+FLAGS", "(\\Seen)")

                yield raw, done
        finally:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                client.logout()
