"""The shared email task (codingahead/lib/mail.py): sent by the worker, retried after SMTP failures."""

import smtplib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from codingahead.lib.mail import queue_email, retry_delay

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO())


# The worker closes connections between tasks, which a test's wrapping transaction cannot survive.
@pytest.mark.django_db(transaction=True)
@pytest.mark.sqlite_smoke
def test_a_queued_email_waits_for_the_worker(database_tasks, mailoutbox):
    queue_email(subject="Hello", body="Plain", html="<p>Rich</p>", to=["a@example.com"], headers={"X-Test": "1"})
    assert mailoutbox == []
    assert DBTaskResult.objects.count() == 1
    run_worker()
    [message] = mailoutbox
    assert message.subject == "Hello"
    assert message.body == "Plain"
    assert message.alternatives[0][0] == "<p>Rich</p>"
    assert message.extra_headers["X-Test"] == "1"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


# The worker closes connections between tasks, which a test's wrapping transaction cannot survive.
@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_retried_later(database_tasks, mailoutbox, monkeypatch):
    calls = []

    def failing_send(self, fail_silently=False):
        calls.append(self.subject)
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", failing_send)
    queue_email(subject="Retry me", body="x", to=["a@example.com"])
    run_worker()
    assert calls == ["Retry me"]
    failed, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert failed.status == "FAILED"
    assert retry.status == "READY"
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    # The retry waits (1 minute after the first failure), so this batch run leaves it alone.
    assert retry.run_after > timezone.now() + timedelta(seconds=50)

    monkeypatch.undo()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()
    assert [m.subject for m in mailoutbox] == ["Retry me"]


def test_it_gives_up_after_the_last_attempt(mailoutbox, monkeypatch, settings):
    settings.EMAIL_TASK_ATTEMPTS = 3
    calls = []

    def failing_send(self, fail_silently=False):
        calls.append(1)
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", failing_send)
    queue_email(subject="Never", body="x", to=["a@example.com"])  # immediate backend: retries at once
    assert len(calls) == 3


def test_retry_delays_grow():
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 4, 16, 64]
