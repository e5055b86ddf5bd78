"""CaseConsultant: coding questions by email or from the site, an automated first answer, then a consultant's.

Plain functions the views, the webhook, the mail fetcher and the worker share. Every text a user
sends is redacted (casepilot/phi.py) before it is stored or handed to CasePilot; raw inbound mail
is kept only until it has been processed. Mail goes out through the task queue
(casepilot/tasks.py), never from a request.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts import quota
from accounts.models import QuotaCounter
from accounts.quota import plan_for

from . import engine, mail, phi, tasks
from .models import (
    Consultation,
    ConsultAttachment,
    ConsultMessage,
    InboundEmail,
    OutboundEmail,
)

logger = logging.getLogger(__name__)


class QuotaExceeded(Exception):
    pass


class RateLimited(Exception):
    pass


# --- Quotas and rate limits -------------------------------------------------------------


def monthly_quota(user) -> int:
    """Consultations a month on the user's plan (settings.PLANS)."""
    return quota.allowance_for(user, "consultations_per_month") or 0


def remaining_this_month(user) -> int:
    counters = quota.user_counters(user, "consultations", now=timezone.now())
    if not counters:
        return monthly_quota(user)
    used = QuotaCounter.objects.used(counters)
    return max(0, counters[0].allowance - used[(counters[0].meter, counters[0].subject)])


def quota_message(user) -> str:
    plan = plan_for(user)
    allowance = monthly_quota(user)
    renews = (timezone.now().replace(day=1) + timedelta(days=32)).replace(day=1)
    text = (
        f"Your {plan} plan includes {allowance} consultation{'s' if allowance != 1 else ''} a month and you have "
        f"used them all. You can open a new one from {renews:%B} 1, or reply to one of your open consultations."
    )
    if plan == "free":
        text += f" The Pro plan includes {quota.allowance('pro', 'consultations_per_month')} consultations a month."
    return text


def _spend_message(user) -> None:
    """One message of the user's hourly allowance (site and email alike), or RateLimited. Called inside
    the transaction that stores the message: a refusal stores nothing, a failure gives it back."""
    if not quota.spend_for_user(user, "consult_messages").allowed:
        raise RateLimited("You have sent many messages in the last hour. Please wait a little and try again.")


def is_consultant(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_staff
        and (user.is_superuser or user.groups.filter(name=settings.CONSULT_GROUP).exists())
    )


def user_for_address(address: str):
    """The user whose verified email this is, or None."""
    found = (
        EmailAddress.objects.filter(email__iexact=address, verified=True)
        .select_related("user")
        .filter(user__is_active=True)
        .first()
    )
    return found.user if found else None


# --- Messages ----------------------------------------------------------------------------


@dataclass
class Upload:
    filename: str
    content_type: str
    content: bytes


@dataclass
class Added:
    message: ConsultMessage
    redaction: phi.RedactionResult
    notes: list[str] = field(default_factory=list)


# Redaction reads at most this much text of one message (body and text attachments together):
# about 0.1 s of the redactor's worst case, and far more than any case note. The rest is not
# kept, and the sender is told.
MAX_TEXT_CHARS = 100_000


@dataclass
class Redacted:
    """A message made ready to store: every text redacted, before any transaction starts."""

    redaction: phi.RedactionResult
    uploads: list[Upload]
    notes: list[str]
    counts: dict[str, int]


def _redact_message(*, text: str, uploads: list[Upload] = (), notes: list[str] = ()) -> Redacted:
    """Redact a message and its text attachments, within MAX_TEXT_CHARS. Slow work, so it runs
    outside any transaction (on SQLite a transaction holds the database's write lock)."""
    notes = list(notes)
    budget = MAX_TEXT_CHARS
    if len(text) > budget:
        notes.append(f"Your message was longer than {budget:,} characters: we kept the first {budget:,}.")
        text = text[:budget]
    budget -= len(text)
    redaction = phi.redact(text)
    counts = dict(redaction.counts)
    kept: list[Upload] = []
    for upload in uploads:
        if upload.content_type == "application/pdf":
            content = mail.pdf_text(upload.content)
            if not content or not content.strip():
                notes.append(f"We did not keep {upload.filename}: it has no text we could read (a scan?).")
                continue
            upload = Upload(f"{upload.filename}.txt", "text/plain", content.encode())
        if upload.content_type.startswith("text/"):
            # Text attachments are notes too: keep only their redacted version.
            content = mail.part_text_of(upload.content)
            if len(content) > budget:
                notes.append(
                    f"We did not keep all of {upload.filename}: we read {MAX_TEXT_CHARS:,} characters per message."
                )
                content = content[:budget]
            budget -= len(content)
            cleaned = phi.redact(content)
            for kind, n in cleaned.counts.items():
                counts[kind] = counts.get(kind, 0) + n
            upload = Upload(upload.filename, "text/plain", cleaned.text.encode())
            kept.append(upload)
        # Anything else is never kept (mail.ALLOWED_TYPES): only text that was redacted is.
    return Redacted(redaction=redaction, uploads=kept, notes=notes, counts=counts)


def _store_message(
    *,
    consultation: Consultation,
    author_kind: str,
    author,
    redacted: Redacted,
    via: str,
    message_id: str = "",
) -> Added:
    message = ConsultMessage.objects.create(
        consultation=consultation,
        author_kind=author_kind,
        author=author,
        via=via,
        body=redacted.redaction.text,
        phi_counts=dict(redacted.counts),
        notes=list(redacted.notes),
        message_id=message_id or mail.new_message_id(),
    )
    for upload in redacted.uploads:
        attachment = ConsultAttachment(
            message=message, filename=upload.filename, content_type=upload.content_type, size=len(upload.content)
        )
        attachment.file.save(upload.filename, ContentFile(upload.content), save=False)
        attachment.save()
    return Added(message=message, redaction=redacted.redaction, notes=list(redacted.notes))


def open_consultation(
    *,
    user,
    subject: str,
    question: str,
    codes: str = "",
    uploads: list[Upload] = (),
    via: str = ConsultMessage.Via.WEB,
    message_id: str = "",
    notes: list[str] = (),
) -> tuple[Consultation, Added]:
    """Open a consultation (quota and rate limit spent), store the redacted question, queue the draft.

    The text is redacted first, outside any transaction (the slow part; on SQLite a transaction
    holds the write lock). The allowances are spent in the transaction that opens the consultation:
    parallel requests cannot both take the last one, and a failure to open gives it back."""
    # The subject and the codes field are free text too: redacted like the question.
    subject_redacted, codes_redacted = phi.redact(subject[:300]), phi.redact(codes[:300])
    redacted = _redact_message(text=question, uploads=uploads, notes=notes)
    for extra in (subject_redacted, codes_redacted):
        for kind, n in extra.counts.items():
            redacted.counts[kind] = redacted.counts.get(kind, 0) + n
            redacted.redaction.counts[kind] = redacted.redaction.counts.get(kind, 0) + n
    with transaction.atomic():
        _spend_message(user)
        if not quota.spend_for_user(user, "consultations").allowed:
            raise QuotaExceeded(quota_message(user))
        consultation = Consultation.objects.create(
            user=user, subject=subject_redacted.text[:200] or "Coding question", codes=codes_redacted.text[:300]
        )
        added = _store_message(
            consultation=consultation,
            author_kind=ConsultMessage.Author.USER,
            author=user,
            redacted=redacted,
            via=via,
            message_id=message_id,
        )
        transaction.on_commit(lambda: tasks.draft_answer_task.enqueue(consultation_id=consultation.pk))
    return consultation, added


def add_user_message(
    *,
    consultation: Consultation,
    text: str,
    uploads: list[Upload] = (),
    via: str = ConsultMessage.Via.WEB,
    message_id: str = "",
    notes: list[str] = (),
) -> Added:
    """A reply from the user, on the site or by email: lands in the thread and reopens it."""
    redacted = _redact_message(text=text, uploads=uploads, notes=notes)
    with transaction.atomic():
        _spend_message(consultation.user)
        added = _store_message(
            consultation=consultation,
            author_kind=ConsultMessage.Author.USER,
            author=consultation.user,
            redacted=redacted,
            via=via,
            message_id=message_id,
        )
        consultation.reopen()
    return added


def add_consultant_reply(*, consultation: Consultation, consultant, text: str) -> ConsultMessage:
    redacted = _redact_message(text=text)
    with transaction.atomic():
        if consultation.claimed_by_id is None:
            consultation.claim(consultant)
        added = _store_message(
            consultation=consultation,
            author_kind=ConsultMessage.Author.CONSULTANT,
            author=consultant,
            redacted=redacted,
            via=ConsultMessage.Via.WEB,
        )
        consultation.set_status(Consultation.Status.ANSWERED)
        email_message(consultation=consultation, message=added.message)
    return added.message


# --- The automated first answer ---------------------------------------------------------------


@dataclass
class Draft:
    text: str
    citations: list[dict]
    codes: list[dict]


def _as_citation(item) -> dict:
    if isinstance(item, dict):
        return {"title": str(item.get("title") or item.get("url") or ""), "url": str(item.get("url") or "")}
    title = getattr(item, "title", None) or getattr(item, "label", None) or str(item)
    return {"title": str(title), "url": str(getattr(item, "url", "") or "")}


def _as_code(item) -> dict:
    """A code the answer names, as {"system", "code", "url"} for links at the consultant's hand."""
    if isinstance(item, str):
        system, _, code = item.rpartition(" ")
        return {"system": system, "code": code, "url": ""}
    get = item.get if isinstance(item, dict) else lambda name, default="": getattr(item, name, default)
    return {"system": str(get("system", "")), "code": str(get("code", "")), "url": str(get("url", "") or "")}


def casepilot_draft(question: str) -> Draft:
    """Ask CasePilot's engine for an answer to an already redacted question."""
    answer = engine.answer(question)
    text = getattr(answer, "text", None) or (answer.get("text") if isinstance(answer, dict) else str(answer))
    citations = getattr(answer, "citations", None) or (answer.get("citations", []) if isinstance(answer, dict) else [])
    codes = getattr(answer, "codes", None) or (answer.get("codes", []) if isinstance(answer, dict) else [])
    return Draft(text=str(text), citations=[_as_citation(c) for c in citations], codes=[_as_code(c) for c in codes])


def draft_answer(consultation: Consultation) -> ConsultMessage | None:
    """Draft the automated answer from the thread's redacted text, store it and email it. Idempotent."""
    if consultation.messages.filter(author_kind=ConsultMessage.Author.AUTOMATED).exists():
        return None
    first = consultation.messages.filter(author_kind=ConsultMessage.Author.USER).first()
    if first is None:
        return None
    question = f"{consultation.subject}\n\nCodes involved: {consultation.codes or 'none given'}\n\n{first.body}"
    draft = casepilot_draft(question)
    with transaction.atomic():
        # Two workers may draft at once (a requeued task): only the first one's answer is kept.
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if consultation.messages.filter(author_kind=ConsultMessage.Author.AUTOMATED).exists():
            return None
        message = ConsultMessage.objects.create(
            consultation=consultation,
            author_kind=ConsultMessage.Author.AUTOMATED,
            body=draft.text,
            citations=draft.citations,
            answer_codes=draft.codes,
            message_id=mail.new_message_id(),
        )
        if consultation.status == Consultation.Status.RECEIVED:
            consultation.set_status(Consultation.Status.AUTO_ANSWERED)
        email_message(consultation=consultation, message=message, first=first)
    return message


# --- Outbound mail ---------------------------------------------------------------------------


def _subject(consultation: Consultation) -> str:
    return f"Re: [Consultation #{consultation.pk}] {consultation.subject}"


def email_message(*, consultation: Consultation, message: ConsultMessage, first: ConsultMessage | None = None) -> None:
    """Email a message of the thread to the user, threaded under everything before it."""
    earlier = list(
        consultation.messages.filter(created__lte=message.created).exclude(pk=message.pk).exclude(message_id="")
    )
    references = [m.message_id for m in earlier]
    user_messages = [m for m in earlier if m.author_kind == ConsultMessage.Author.USER]
    in_reply_to = user_messages[-1].message_id if user_messages else (references[-1] if references else "")
    # Tell the user by email too what was removed from the message this one answers.
    answered = user_messages[-1] if user_messages and message.author_kind != ConsultMessage.Author.USER else None
    redacted = phi.RedactionResult(text="", counts=answered.phi_counts).summary() if answered else ""
    context = {
        "redacted": redacted,
        "consultation": consultation,
        "message": message,
        "url": settings.SITE_ROOT + consultation.get_absolute_url(),
        "account_url": settings.SITE_ROOT + reverse("casepilot:consultant"),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_ROOT": settings.SITE_ROOT,
    }
    queue_email(
        consultation=consultation,
        to=consultation.user.email,
        subject=_subject(consultation),
        body=render_to_string("casepilot/email/consult_message.txt", context),
        html=render_to_string("casepilot/email/consult_message.html", context),
        message_id=message.message_id,
        in_reply_to=in_reply_to,
        references=references,
        auto_submitted=message.author_kind == ConsultMessage.Author.AUTOMATED,
    )


def queue_email(
    *,
    to: str,
    subject: str,
    body: str,
    html: str = "",
    consultation: Consultation | None = None,
    message_id: str = "",
    in_reply_to: str = "",
    references: list[str] = (),
    auto_submitted: bool = False,
) -> OutboundEmail:
    """Record an outbound message and hand it to the worker once the transaction commits."""
    outbound = OutboundEmail.objects.create(
        consultation=consultation,
        to=to,
        subject=subject[:250],
        body=body,
        html=html,
        message_id=message_id or mail.new_message_id(),
        in_reply_to=in_reply_to,
        references=" ".join(references),
        reply_to=mail.reply_address(consultation.token) if consultation else settings.CONSULT_ADDRESS,
        auto_submitted=auto_submitted,
    )
    transaction.on_commit(lambda: tasks.deliver_email_task.enqueue(outbound_id=outbound.pk))
    return outbound


def send_notice(*, to: str, subject: str, text: str, parsed: mail.ParsedEmail | None = None) -> OutboundEmail:
    """An automatic reply outside any consultation (unknown sender, quota, too large), marked as such."""
    context = {"text": text, "SITE_NAME": settings.SITE_NAME, "SITE_ROOT": settings.SITE_ROOT}
    references = ([*parsed.references, parsed.message_id]) if parsed else []
    return queue_email(
        to=to,
        subject=subject if subject.lower().startswith("re:") else f"Re: {subject}",
        body=render_to_string("casepilot/email/notice.txt", context),
        html=render_to_string("casepilot/email/notice.html", context),
        in_reply_to=parsed.message_id if parsed else "",
        references=references,
        auto_submitted=True,
    )


def requeue_stalled(*, older_than: timedelta = timedelta(minutes=10)) -> tuple[int, int, int]:
    """Queue again what a lost worker left behind: inbound mail pending or claimed and never
    finished, consultations with no draft, outbound mail long past its attempt.

    A worker killed mid-task leaves its task "running" for ever; every step is idempotent
    (processing checks its status, a draft checks for one, a send checks it is still queued),
    so queueing them again is safe. Returns (inbound messages, drafts, emails) queued.
    """
    cutoff = timezone.now() - older_than
    # Claimed by a worker that never finished: pending again, so exactly one new task claims it.
    InboundEmail.objects.filter(status=InboundEmail.Status.PROCESSING, started_at__lt=cutoff).update(
        status=InboundEmail.Status.PENDING
    )
    stalled = InboundEmail.objects.filter(
        Q(status=InboundEmail.Status.PENDING, received_at__lt=cutoff)
        | Q(status=InboundEmail.Status.PENDING, started_at__lt=cutoff)
    )
    inbound = list(stalled.values_list("pk", flat=True))
    for pk in inbound:
        tasks.process_inbound_task.enqueue(inbound_id=pk)
    drafts = list(
        Consultation.objects.filter(status=Consultation.Status.RECEIVED, created__lt=cutoff)
        .exclude(messages__author_kind=ConsultMessage.Author.AUTOMATED)
        .values_list("pk", flat=True)
    )
    for pk in drafts:
        tasks.draft_answer_task.enqueue(consultation_id=pk)
    emails = list(
        OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED, next_attempt_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for pk in emails:
        OutboundEmail.objects.filter(pk=pk).update(next_attempt_at=timezone.now())
        tasks.deliver_email_task.enqueue(outbound_id=pk)
    return len(inbound), len(drafts), len(emails)


def my_consultations(user, limit: int = 10) -> list[Consultation]:
    """The user's latest consultations for the account page (templates/casepilot/_my_consultations.html)."""
    if not user.is_authenticated:
        return []
    return list(Consultation.objects.for_user(user)[:limit])
