"""Outbound email through the task queue, and the one retry rule every background task follows.

Requests never wait on SMTP: they call `queue_email(...)`, which stores a task; the worker
(`python manage.py db_worker`) sends it. django-tasks has no retries of its own, so a task that
fails re-enqueues itself (`retry_later`) after 1, 4, 16, 64... minutes, up to
settings.EMAIL_TASK_ATTEMPTS attempts in all; each failed attempt raises, so it stays in the task
results (admin: "Task results") with its traceback.

Only a failure that may pass is retried (`is_transient`): a dropped connection, a 4xx answer. A
message the server refuses for good (5xx) or that cannot be built (BadHeaderError: a CR or LF in
a header) fails the same way every time; retrying it only hides it.
"""

import logging
import smtplib
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks import TaskContext, task

logger = logging.getLogger(__name__)


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1-based): 1, 4, 16, 64... minutes."""
    return timedelta(minutes=4 ** (attempt - 1))


def is_transient(exc: BaseException) -> bool:
    """Whether sending again later may work."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500 or isinstance(exc, smtplib.SMTPServerDisconnected)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | OSError)


def retry_later(context: TaskContext, task_function, *, attempt: int, **kwargs) -> bool:
    """Queue attempt `attempt + 1` of a task after retry_delay(attempt); False once attempts are used up."""
    if attempt >= settings.EMAIL_TASK_ATTEMPTS:
        return False
    retry = task_function
    if context.task_result.task.get_backend().supports_defer:
        retry = retry.using(run_after=timezone.now() + retry_delay(attempt))
    retry.enqueue(attempt=attempt + 1, **kwargs)
    return True


def send_or_retry(
    context: TaskContext,
    message: EmailMultiAlternatives,
    *,
    attempt: int,
    retry: Callable[[], bool],
    failed: Callable[[str, bool], None] = lambda error, final: None,
) -> int:
    """Send `message`; on failure call failed(error, final) (final: no retry follows), then
    `retry()` when the failure may pass, and raise so the attempt is recorded with its traceback."""
    try:
        return message.send()
    except Exception as exc:
        error = f"attempt {attempt}: {exc!r}"[:2000]
        will_retry = is_transient(exc) and attempt < settings.EMAIL_TASK_ATTEMPTS
        # Recorded before the retry is queued: a retry that runs at once must not be overwritten.
        failed(error, not will_retry)
        if will_retry and retry():
            logger.warning("Sending %r to %s failed (attempt %d); retrying", message.subject, message.to, attempt)
        else:
            logger.error("Sending %r to %s failed for good: %s", message.subject, message.to, error)
        raise


@task(takes_context=True)
def send_email_task(
    context: TaskContext,
    *,
    subject: str,
    body: str,
    to: list[str],
    html: str | None = None,
    from_email: str | None = None,
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
    attempt: int = 1,
) -> int:
    """Send one message (plain text, plus an HTML alternative when given)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to or None,
        headers=headers or {},
    )
    if html:
        message.attach_alternative(html, "text/html")
    fields = {"subject": subject, "body": body, "to": to, "html": html, "from_email": from_email}
    fields |= {"reply_to": reply_to, "headers": headers}
    return send_or_retry(
        context,
        message,
        attempt=attempt,
        retry=lambda: retry_later(context, send_email_task, attempt=attempt, **fields),
    )


def queue_email(
    *,
    subject: str,
    body: str,
    to: list[str],
    html: str | None = None,
    from_email: str | None = None,
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Hand a message to the worker. Inside a transaction the task row commits with it."""
    send_email_task.enqueue(
        subject=subject, body=body, to=to, html=html, from_email=from_email, reply_to=reply_to, headers=headers
    )
