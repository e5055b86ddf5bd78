"""CaseConsultant's background work, on the project's task queue (`manage.py db_worker`).

Every task retries as all background work does (codingahead/lib/mail.py `retry_later`: growing
delays, settings.EMAIL_TASK_ATTEMPTS attempts in all) and raises, so the failed attempt stays in
the admin's task results with its traceback. Outbound mail is tracked in OutboundEmail rows:
a send that fails for good (a 5xx answer, a header that cannot be sent) is marked failed at once,
with the error, in the admin, which has a resend action. A worker killed mid-task leaves work
behind: `manage.py requeue_consult_work` queues it again (consult.requeue_stalled).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.utils import timezone
from django_tasks import TaskContext, task

from codingahead.lib.mail import retry_delay, retry_later, send_or_retry

from . import consult, consult_inbound
from .models import Consultation, InboundEmail, OutboundEmail

logger = logging.getLogger(__name__)


def build_email(outbound: OutboundEmail) -> EmailMultiAlternatives:
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
    if outbound is None or outbound.status != OutboundEmail.Status.QUEUED:
        return "nothing to send"

    def failed(error: str, final: bool) -> None:
        OutboundEmail.objects.filter(pk=outbound_id).update(
            attempts=F("attempts") + 1,
            last_error=error,
            status=OutboundEmail.Status.FAILED if final else OutboundEmail.Status.QUEUED,
            next_attempt_at=None if final else timezone.now() + retry_delay(attempt),
        )

    send_or_retry(
        context,
        build_email(outbound),
        attempt=attempt,
        retry=lambda: retry_later(context, deliver_email_task, attempt=attempt, outbound_id=outbound_id),
        failed=failed,
    )
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, next_attempt_at=None
    )
    return "sent"


@task(takes_context=True)
def process_inbound_task(context: TaskContext, *, inbound_id: int, attempt: int = 1) -> str:
    inbound = InboundEmail.objects.filter(pk=inbound_id).first()
    if inbound is None:
        return "gone"
    try:
        return consult_inbound.process_inbound(inbound)
    except Exception as exc:
        last = attempt >= settings.EMAIL_TASK_ATTEMPTS
        InboundEmail.objects.filter(pk=inbound_id).update(
            attempts=attempt,
            last_error=repr(exc)[:2000],
            status=InboundEmail.Status.FAILED if last else InboundEmail.Status.PENDING,
        )
        retry_later(context, process_inbound_task, attempt=attempt, inbound_id=inbound_id)
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
        retry_later(context, draft_answer_task, attempt=attempt, consultation_id=consultation_id)
        raise
    return "drafted" if message else "already drafted"
