"""End-to-end time of CaseConsultant's automated first answer.

    DATABASE_URL=sqlite:////tmp/consult-bench.sqlite3 python bench/consult.py [--messages 10]

Starts the site (gunicorn), one task worker (`manage.py db_worker`) and a local SMTP server
(aiosmtpd), then posts signed raw messages to the inbound webhook one after another and times
each from the POST until the automated answer (threaded with In-Reply-To) reaches the SMTP
server: webhook -> stored -> worker parses, redacts, opens the consultation -> CasePilot
draft -> outbound mail handed to SMTP. Run `python manage.py migrate` on the database first;
use a copy of a fully loaded database so that CasePilot answers from real data.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from email.utils import make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTION = """Patient: John Smith, DOB 03/14/1956, MRN 00123456.
Seen 05/30/2024 for an established patient visit (99214) and a tangential biopsy of one lesion (11102)
on the same day. Can I bill both, and does 99214 need modifier 25? Dx L82.1.
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.event = threading.Condition()

    async def handle_DATA(self, server, session, envelope) -> str:
        from email import message_from_bytes

        message = message_from_bytes(envelope.original_content)
        with self.event:
            self.arrived[str(message.get("In-Reply-To", ""))] = time.perf_counter()
            self.event.notify_all()
        return "250 OK"


def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the site did not start at {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    smtp_port, web_port = _free_port(), _free_port()
    secret = "bench-secret"
    env = {
        **os.environ,
        "CONSULT_WEBHOOK_SECRET": secret,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "False",
        "METERING_ENABLED": "False",
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": "/tmp/consult-bench-media",
    }
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "codingahead.settings")
    import django

    django.setup()
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from casepilot import mail
    from casepilot.models import Consultation

    user, _ = get_user_model().objects.get_or_create(
        username="bench-coder", defaults={"email": "bench-coder@example.com", "is_staff": True}
    )
    user.is_staff = True  # unlimited consultations for the run
    user.save()
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    Consultation.objects.filter(user=user).delete()

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    manage = [sys.executable, str(ROOT / "manage.py")]
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "codingahead.wsgi", "-b", f"127.0.0.1:{web_port}", "-w", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [*manage, "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open("/tmp/consult-bench-worker.log", "w"),  # noqa: SIM115
    )
    try:
        _wait_http(f"http://127.0.0.1:{web_port}/consult/")
        acks, totals = [], []
        for i in range(args.messages):
            message_id = make_msgid(domain="bench.example.com")
            raw = (
                f"From: Bench Coder <{user.email}>\r\nTo: consult@localhost\r\nSubject: Modifier 25 question {i}\r\n"
                f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                + QUESTION.replace("\n", "\r\n")
            ).encode()
            timestamp = str(int(time.time()))
            request = urllib.request.Request(
                f"http://127.0.0.1:{web_port}/consult/inbound/",
                data=raw,
                headers={
                    "Content-Type": "message/rfc822",
                    "X-Consult-Timestamp": timestamp,
                    "X-Consult-Signature": mail.sign(timestamp=timestamp, body=raw, secret=secret),
                },
            )
            start = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status == 202, response.status
            acks.append(time.perf_counter() - start)
            with inbox.event:
                if not inbox.event.wait_for(lambda message_id=message_id: message_id in inbox.arrived, timeout=60):
                    raise SystemExit(f"no answer to {message_id} within 60 s")
            totals.append(inbox.arrived[message_id] - start)
        print(f"{args.messages} messages, one at a time, 2 gunicorn workers + 1 task worker (poll 0.1 s)")
        for label, values in (("webhook ack (stored)", acks), ("answer handed to SMTP", totals)):
            ms = sorted(v * 1000 for v in values)
            print(
                f"{label:<24} median {statistics.median(ms):7.0f} ms   "
                f"p90 {ms[int(0.9 * (len(ms) - 1))]:7.0f} ms   max {ms[-1]:7.0f} ms"
            )
    finally:
        worker.terminate()
        web.terminate()
        worker.wait(10)
        web.wait(10)
        controller.stop()


if __name__ == "__main__":
    main()
