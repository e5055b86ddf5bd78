"""Background tasks shared by every app: outbound email through the task queue.

Requests never wait on SMTP: they call `queue_email(...)`, which stores a task; the worker
(`python manage.py db_worker`) sends it. django-tasks has no retries of its own, so a failed
send re-enqueues itself with a growing delay, up to settings.EMAIL_TASK_ATTEMPTS attempts in
all. Each failed attempt stays in the task results (admin: "Task results") with its traceback.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks import TaskContext, task

logger = logging.getLogger(__name__)


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1-based): 1, 4, 16, 64... minutes."""
    return timedelta(minutes=4 ** (attempt - 1))


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
    """Send one message (plain text, plus an HTML alternative when given); retry on SMTP errors."""
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
    try:
        return message.send()
    except (smtplib.SMTPException, OSError):
        if attempt < settings.EMAIL_TASK_ATTEMPTS:
            retry = send_email_task
            if context.task_result.task.get_backend().supports_defer:
                retry = retry.using(run_after=timezone.now() + retry_delay(attempt))
            retry.enqueue(
                subject=subject,
                body=body,
                to=to,
                html=html,
                from_email=from_email,
                reply_to=reply_to,
                headers=headers,
                attempt=attempt + 1,
            )
            logger.warning("Sending %r to %s failed (attempt %d); retrying", subject, to, attempt)
        else:
            logger.error("Sending %r to %s failed %d times; giving up", subject, to, attempt)
        # Raise anyway so this attempt is recorded as failed, with its traceback.
        raise


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
