"""CaseConsultant's background work, on the project's task queue (codingahead/tasks.py, `manage.py db_worker`).

Each task re-enqueues itself with a growing delay when it fails (django-tasks has no retries of
its own), and raises so the failed attempt stays in the admin's task results with its traceback.
Outbound mail is tracked in OutboundEmail rows, whose admin has a resend action.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.utils import timezone
from django_tasks import TaskContext, task

from . import consult
from .models import Consultation, InboundEmail, OutboundEmail

logger = logging.getLogger(__name__)

ATTEMPTS = 5


def retry_delay(attempt: int) -> timedelta:
    """Wait after failed attempt `attempt`: 1, 4, 16, 64... minutes by default (as codingahead/tasks.py does)."""
    return timedelta(seconds=settings.CONSULT_RETRY_SECONDS * 4 ** (attempt - 1))


def _retry(context: TaskContext, task_function, attempt: int, **kwargs) -> None:
    retry = task_function
    if context.task_result.task.get_backend().supports_defer:
        retry = retry.using(run_after=timezone.now() + retry_delay(attempt))
    retry.enqueue(attempt=attempt + 1, **kwargs)


def build_email(outbound) -> EmailMultiAlternatives:
    """The message for an OutboundEmail row: threading headers, plain text and HTML parts."""
    headers = {"Message-ID": outbound.message_id}
    if outbound.in_reply_to:
        headers["In-Reply-To"] = outbound.in_reply_to
    if outbound.references:
        headers["References"] = outbound.references
    if outbound.auto_submitted:
        # RFC 3834: an automatic answer; well-behaved responders will not answer it back.
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    message = EmailMultiAlternatives(
        subject=outbound.subject,
        body=outbound.body,
        from_email=settings.CONSULT_FROM_EMAIL,
        to=[outbound.to],
        reply_to=[outbound.reply_to] if outbound.reply_to else None,
        headers=headers,
    )
    if outbound.html:
        message.attach_alternative(outbound.html, "text/html")
    return message


@task(takes_context=True)
def deliver_email_task(context: TaskContext, *, outbound_id: int, attempt: int = 1) -> str:
    outbound = OutboundEmail.objects.filter(pk=outbound_id).first()
    if outbound is None or outbound.status == OutboundEmail.Status.SENT:
        return "nothing to send"
    try:
        build_email(outbound).send()
    except (smtplib.SMTPException, OSError) as exc:
        outbound.refresh_from_db()
        outbound.attempts += 1
        outbound.last_error = f"attempt {attempt}: {exc!r}"
        if attempt >= settings.EMAIL_TASK_ATTEMPTS:
            outbound.status = OutboundEmail.Status.FAILED
        # Saved before the retry is queued: a retry that runs at once must not be overwritten.
        outbound.save(update_fields=["attempts", "last_error", "status"])
        logger.warning("Consultation email %s to %s failed (attempt %d)", outbound.pk, outbound.to, attempt)
        if attempt < settings.EMAIL_TASK_ATTEMPTS:
            _retry(context, deliver_email_task, attempt, outbound_id=outbound_id)
        raise
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1
    )
    return "sent"


@task(takes_context=True)
def process_inbound_task(context: TaskContext, *, inbound_id: int, attempt: int = 1) -> str:
    inbound = InboundEmail.objects.filter(pk=inbound_id).first()
    if inbound is None:
        return "gone"
    try:
        return consult.process_inbound(inbound)
    except Exception as exc:
        InboundEmail.objects.filter(pk=inbound_id).update(
            attempts=attempt,
            last_error=repr(exc)[:2000],
            status=InboundEmail.Status.PENDING if attempt < ATTEMPTS else InboundEmail.Status.FAILED,
        )
        if attempt < ATTEMPTS:
            _retry(context, process_inbound_task, attempt, inbound_id=inbound_id)
        raise


@task(takes_context=True)
def draft_answer_task(context: TaskContext, *, consultation_id: int, attempt: int = 1) -> str:
    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is None:
        return "gone"
    try:
        message = consult.draft_answer(consultation)
    except Exception:
        # CasePilot down or failing: try again later; a consultant answers regardless.
        if attempt < 3:
            _retry(context, draft_answer_task, attempt, consultation_id=consultation_id)
        raise
    return "drafted" if message else "already drafted"
