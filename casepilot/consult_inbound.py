"""CaseConsultant's inbound mail: a raw message stored durably, then turned into a consultation or a
reply by a worker (casepilot/tasks.py). The webhook and `manage.py fetch_consult_mail` store; nothing
else reads raw mail.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import mail, tasks
from .consult import (
    QuotaExceeded,
    RateLimited,
    Upload,
    add_user_message,
    open_consultation,
    send_notice,
    user_for_address,
)
from .models import Consultation, ConsultMessage, InboundEmail, OutboundEmail


def store_inbound(raw: bytes, *, source: str) -> tuple[InboundEmail, bool]:
    """Store a raw message durably (before it is acknowledged) and queue its processing.

    Returns (inbound, created); a message whose Message-ID is already stored is not stored again.
    """
    message_id = mail.message_id_of(raw)
    existing = InboundEmail.objects.filter(message_id=message_id).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            inbound = InboundEmail.objects.create(
                message_id=message_id,
                raw=raw,
                sha256=hashlib.sha256(raw).hexdigest(),
                size=len(raw),
                source=source,
            )
            transaction.on_commit(lambda: tasks.process_inbound_task.enqueue(inbound_id=inbound.pk))
    except IntegrityError:  # the same message arrived twice at once
        return InboundEmail.objects.get(message_id=message_id), False
    return inbound, True


def _find_consultation(parsed: mail.ParsedEmail, user) -> Consultation | None:
    """The consultation a reply belongs to: by threading headers, else by the +token reply address."""
    ids = parsed.thread_ids
    if ids:
        found = (
            ConsultMessage.objects.filter(message_id__in=ids, consultation__user=user)
            .select_related("consultation")
            .first()
        )
        if found:
            return found.consultation
        outbound = OutboundEmail.objects.filter(message_id__in=ids, consultation__user=user).first()
        if outbound:
            return outbound.consultation
    tokens = parsed.reply_tokens()
    if tokens:
        return Consultation.objects.filter(token__in=tokens, user=user).first()
    return None


def process_inbound(inbound: InboundEmail) -> str:
    """Turn a stored inbound message into a consultation or a reply. Safe to run again.

    The row is claimed in a short transaction; parsing, redaction and storing the message run
    outside it (a transaction held over that work would hold the write lock on SQLite, and a
    row lock for as long as a large message takes). A worker killed after claiming leaves the
    row "processing": requeue_stalled() hands it back.
    """
    with transaction.atomic():
        inbound = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
        if inbound.status != InboundEmail.Status.PENDING:
            return inbound.outcome  # done, or another worker has it
        inbound.status = InboundEmail.Status.PROCESSING
        inbound.started_at = timezone.now()
        inbound.save(update_fields=["status", "started_at"])
    outcome, consultation = _process(bytes(inbound.raw))
    InboundEmail.objects.filter(pk=inbound.pk).update(
        status=InboundEmail.Status.IGNORED if outcome.startswith("ignored") else InboundEmail.Status.PROCESSED,
        outcome=outcome[:200],
        consultation=consultation,
        processed_at=timezone.now(),
        raw=b"",  # PHI: the redacted message is all we keep
    )
    return outcome


def _recently_noticed(address: str) -> bool:
    """At most one automatic notice per address a day, so a misbehaving robot cannot loop with us."""
    return OutboundEmail.objects.filter(
        to__iexact=address, consultation=None, created__gte=timezone.now() - timedelta(days=1)
    ).exists()


def _process(raw: bytes) -> tuple[str, Consultation | None]:
    parsed = mail.parse(raw)
    if parsed.automatic:
        return f"ignored: automatic mail ({parsed.automatic})", None
    if not parsed.sender or "@" not in parsed.sender:
        return "ignored: no sender", None
    local, _, domain = settings.CONSULT_ADDRESS.lower().partition("@")
    sender_local, _, sender_domain = parsed.sender.partition("@")
    if sender_domain == domain and (sender_local == local or sender_local.startswith(local + "+")):
        return "ignored: our own mail", None

    if parsed.spoofed:
        return "ignored: sender address failed DMARC", None

    # An address the receiving server did not authenticate could be anyone's: an unknown sender.
    user = user_for_address(parsed.sender) if parsed.authenticated else None
    if user is None:
        if not _recently_noticed(parsed.sender):
            send_notice(
                to=parsed.sender,
                subject=parsed.subject or "Your coding question",
                text=render_to_string(
                    "casepilot/email/unknown_sender.txt",
                    {"signup_url": settings.SITE_ROOT + reverse("account_signup"), "SITE_NAME": settings.SITE_NAME},
                ),
                parsed=parsed,
            )
        if not parsed.authenticated:
            return "ignored: sender not authenticated (treated as unknown), told how to register", None
        return "ignored: unknown sender, told how to register", None

    if parsed.too_large:
        if not _recently_noticed(parsed.sender):
            send_notice(to=parsed.sender, subject=parsed.subject, text=" ".join(parsed.notes), parsed=parsed)
        return "ignored: too large", None

    # Stored already by a run that was stopped before it could say so: do not store it twice.
    earlier = ConsultMessage.objects.filter(
        message_id=parsed.message_id, via=ConsultMessage.Via.EMAIL, consultation__user=user
    ).first()
    if earlier:
        return "already stored", earlier.consultation

    uploads = [Upload(a.filename, a.content_type, a.content) for a in parsed.attachments]
    text = parsed.text or "(no text)"
    consultation = _find_consultation(parsed, user)
    try:
        if consultation:
            add_user_message(
                consultation=consultation,
                text=text,
                uploads=uploads,
                via=ConsultMessage.Via.EMAIL,
                message_id=parsed.message_id,
                notes=parsed.notes,
            )
            return "reply added", consultation
        consultation, _added = open_consultation(
            user=user,
            subject=parsed.subject or "Coding question",
            question=text,
            uploads=uploads,
            via=ConsultMessage.Via.EMAIL,
            message_id=parsed.message_id,
            notes=parsed.notes,
        )
        return "consultation opened", consultation
    except (QuotaExceeded, RateLimited) as refusal:
        if not _recently_noticed(parsed.sender):
            send_notice(
                to=parsed.sender, subject=parsed.subject or "Your coding question", text=str(refusal), parsed=parsed
            )
        return f"ignored: {type(refusal).__name__}", None
