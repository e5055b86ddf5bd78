"""Outbound consultation mail through a real SMTP server (aiosmtpd), and the worker's retry after a failure."""

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone

from casepilot import consult, consult_inbound, mail
from casepilot.models import Consultation, OutboundEmail

pytestmark = [pytest.mark.usefixtures("consult_env")]


class Inbox:
    """An SMTP handler that keeps what it receives; it refuses the first `fail` messages with 451."""

    def __init__(self, fail: int = 0) -> None:
        self.fail = fail
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.fail:
            self.fail -= 1
            return "451 4.3.0 Try again later"
        self.received.append((envelope.mail_from, envelope.rcpt_tos, envelope.original_content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    def start(fail: int = 0) -> Inbox:
        inbox = Inbox(fail)
        controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
        controller.start()
        started.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 5
        return inbox

    started: list[Controller] = []
    yield start
    for controller in started:
        controller.stop()


@pytest.mark.django_db
def test_a_threaded_answer_goes_out_over_smtp_and_the_reply_comes_back_to_the_thread(
    smtp, sample, coder, django_capture_on_commit_callbacks
):
    inbox = smtp()
    with django_capture_on_commit_callbacks(execute=True):
        consult_inbound.store_inbound(sample("plain.eml"), source="test")
    consultation = Consultation.objects.get()

    (sender, recipients, raw) = inbox.received[0]
    assert recipients == ["coder@example.com"]
    assert sender == "consult@localhost"
    sent = message_from_bytes(raw, policy=policy.default)
    assert sent["In-Reply-To"] == "<plain-1@mail.example.com>"
    assert sent["References"] == "<plain-1@mail.example.com>"
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["Reply-To"] == f"consult+{consultation.token}@localhost"
    assert sent.get_content_type() == "multipart/alternative"
    assert sent.get_body(("plain",)).get_content().startswith("AUTOMATED FIRST ANSWER")
    assert "Automated first answer" in sent.get_body(("html",)).get_content()

    # The user's mail client replies to what it received: the reply joins the same consultation.
    reply = sample("reply_quoted.eml", IN_REPLY_TO=sent["Message-ID"], REFERENCES=sent["Message-ID"])
    with django_capture_on_commit_callbacks(execute=True):
        consult_inbound.store_inbound(reply, source="test")
    assert Consultation.objects.count() == 1
    assert consultation.messages.last().body.startswith("Thanks. The E/M was for a new complaint")
    assert mail.parse(raw).automatic == "Auto-Submitted: auto-replied"  # our own answer never loops back


@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_after_an_smtp_failure(smtp, settings, coder, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr("codingahead.lib.mail.retry_delay", lambda attempt: timedelta(0))  # retried in this batch
    inbox = smtp(fail=1)
    outbound = consult.queue_email(to="coder@example.com", subject="Hello", body="Body", html="<p>Body</p>")

    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)

    outbound.refresh_from_db()
    assert outbound.status == OutboundEmail.Status.SENT
    assert outbound.attempts == 2
    assert "451" in outbound.last_error
    assert len(inbox.received) == 1


@pytest.mark.django_db
def test_it_gives_up_after_the_last_attempt_and_the_admin_can_resend(
    smtp, settings, coder, admin_client, django_capture_on_commit_callbacks
):
    settings.EMAIL_TASK_ATTEMPTS = 2
    inbox = smtp(fail=2)
    with django_capture_on_commit_callbacks(execute=True):
        outbound = consult.queue_email(to="coder@example.com", subject="Hello", body="Body")
    outbound.refresh_from_db()
    assert outbound.status == OutboundEmail.Status.FAILED
    assert outbound.attempts == 2
    assert inbox.received == []

    response = admin_client.post(
        "/admin/casepilot/outboundemail/", {"action": "resend", "_selected_action": [outbound.pk]}, follow=True
    )
    assert b"1 message(s) queued again." in response.content
    outbound.refresh_from_db()
    assert outbound.status == OutboundEmail.Status.SENT
    assert len(inbox.received) == 1


@pytest.mark.django_db
def test_a_header_that_cannot_be_sent_fails_at_once_with_the_error_in_the_admin(
    smtp, coder, admin_client, django_capture_on_commit_callbacks
):
    # What a CR/LF in a subject did before the form refused it: BadHeaderError, retried never,
    # and the row stayed "queued" with 0 attempts and no error, for ever.
    inbox = smtp()
    with django_capture_on_commit_callbacks(execute=True):
        outbound = consult.queue_email(to="coder@example.com", subject="Hello\r\nBcc: x@example.com", body="Body")
    outbound.refresh_from_db()
    assert outbound.status == OutboundEmail.Status.FAILED
    assert outbound.attempts == 1
    assert "BadHeaderError" in outbound.last_error
    assert inbox.received == []
    listing = admin_client.get("/admin/casepilot/outboundemail/").content.decode()
    assert "BadHeaderError" in listing
    assert "Failed" in listing


@pytest.mark.django_db
def test_a_permanent_refusal_is_not_retried(smtp, coder, monkeypatch, django_capture_on_commit_callbacks):
    import smtplib

    calls = []

    def refused(self, fail_silently=False):
        calls.append(1)
        raise smtplib.SMTPDataError(554, b"5.7.1 Message rejected")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refused)
    with django_capture_on_commit_callbacks(execute=True):
        outbound = consult.queue_email(to="coder@example.com", subject="Hello", body="Body")
    outbound.refresh_from_db()
    assert calls == [1]  # the immediate backend would have run every retry at once
    assert outbound.status == OutboundEmail.Status.FAILED
    assert "554" in outbound.last_error


@pytest.mark.django_db
def test_mail_a_killed_worker_left_behind_is_sent_by_requeue_consult_work(smtp, coder):
    from io import StringIO

    inbox = smtp()
    # Queued, but the worker died before sending (its task stays "running" for ever).
    outbound = consult.queue_email(to="coder@example.com", subject="Hello", body="Body")
    OutboundEmail.objects.filter(pk=outbound.pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    out = StringIO()
    call_command("requeue_consult_work", stdout=out)
    assert "0 inbound message(s), 0 draft(s) and 1 email(s) queued again" in out.getvalue()
    outbound.refresh_from_db()
    assert outbound.status == OutboundEmail.Status.SENT
    assert len(inbox.received) == 1
    # A message waiting for its retry, or just queued, is left alone.
    fresh = consult.queue_email(to="coder@example.com", subject="Later", body="Body")
    call_command("requeue_consult_work", stdout=out)
    fresh.refresh_from_db()
    assert fresh.status == OutboundEmail.Status.QUEUED
