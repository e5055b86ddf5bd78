"""CaseConsultant pages: open a consultation, its thread, the consultants' queue, and the inbound mail webhook."""

import hmac
import re
import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from . import consult, consult_inbound, mail, phi
from .forms import AnswerForm, ConsultationForm, ReplyForm
from .models import Consultation, ConsultAttachment, ConsultMessage, WebhookDelivery

# --- helpers ---


def _uploads(files) -> list[consult.Upload]:
    return [consult.Upload(f.name, f.content_type, f.read()) for f in files]


def _tell_redaction(request: HttpRequest, redaction: phi.RedactionResult) -> None:
    if redaction.total:
        messages.info(
            request,
            f"Before storing your message we removed {redaction.summary()}, "
            "so no patient can be identified from it. The rest of the text is kept as you wrote it.",
        )


def _consultation_for(request: HttpRequest, pk: int) -> tuple[Consultation, bool]:
    """The consultation if the user owns it or is a consultant (404 otherwise), and whether they consult."""
    consultation = get_object_or_404(Consultation.objects.select_related("user", "claimed_by"), pk=pk)
    is_consultant = consult.is_consultant(request.user)
    if consultation.user_id != request.user.id and not is_consultant:
        raise PermissionDenied
    return consultation, is_consultant


def _consultant_required(request: HttpRequest) -> None:
    if not consult.is_consultant(request.user):
        raise PermissionDenied


# --- the user's side ---


@require_safe
def consultant(request: HttpRequest) -> HttpResponse:
    context = {"address": settings.CONSULT_ADDRESS, "target_hours": settings.CONSULT_TARGET_HOURS}
    if request.user.is_authenticated:
        context |= {
            "form": ConsultationForm(),
            "consultations": consult.my_consultations(request.user, limit=50),
            "remaining": consult.remaining_this_month(request.user),
            "quota": consult.monthly_quota(request.user),
            "is_consultant": consult.is_consultant(request.user),
        }
    return render(request, "casepilot/consultant.html", context)


@require_POST
@login_required
@ratelimit(key="user", rate="30/h", method="POST", block=False)
def new(request: HttpRequest) -> HttpResponse:
    form = ConsultationForm(request.POST, request.FILES)
    status = 200
    if getattr(request, "limited", False):
        form.add_error(None, "You have sent many messages in the last hour. Please wait a little and try again.")
        status = 429
    elif form.is_valid():
        try:
            consultation, added = consult.open_consultation(
                user=request.user,
                subject=form.cleaned_data["subject"],
                question=form.cleaned_data["question"],
                codes=form.cleaned_data["codes"],
                uploads=_uploads(form.cleaned_data["attachments"]),
            )
        except consult.QuotaExceeded as exc:
            form.add_error(None, str(exc))
            status = 403
        except consult.RateLimited as exc:
            form.add_error(None, str(exc))
            status = 429
        else:
            _tell_redaction(request, added.redaction)
            messages.success(request, "Your question is in. The automated first answer will appear here shortly.")
            return redirect(consultation)
    else:
        status = 400
    context = {
        "form": form,
        "consultations": consult.my_consultations(request.user, limit=50),
        "remaining": consult.remaining_this_month(request.user),
        "quota": consult.monthly_quota(request.user),
        "address": settings.CONSULT_ADDRESS,
        "target_hours": settings.CONSULT_TARGET_HOURS,
    }
    return render(request, "casepilot/consultant.html", context, status=status)


@require_safe
@login_required
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    consultation, is_consultant = _consultation_for(request, pk)
    thread = list(consultation.messages.select_related("author").prefetch_related("attachments"))
    draft = next((m for m in thread if m.author_kind == ConsultMessage.Author.AUTOMATED), None)
    context = {
        "consultation": consultation,
        "thread": thread,
        "is_owner": consultation.user_id == request.user.id,
        "is_consultant": is_consultant,
        "reply_form": ReplyForm(),
        "answer_form": AnswerForm(initial={"text": draft.body if draft else ""}),
        "draft": draft,
        "reply_address": mail.reply_address(consultation.token),
        "phi_totals": consultation.phi_totals(),
        "target_hours": settings.CONSULT_TARGET_HOURS,
    }
    return render(request, "casepilot/consultation.html", context)


@require_POST
@login_required
@ratelimit(key="user", rate="60/h", method="POST", block=False)
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_object_or_404(Consultation, pk=pk, user=request.user)
    form = ReplyForm(request.POST, request.FILES)
    if getattr(request, "limited", False):
        messages.error(request, "You have sent many messages in the last hour. Please wait a little and try again.")
        return redirect(consultation)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(consultation)
    try:
        added = consult.add_user_message(
            consultation=consultation,
            text=form.cleaned_data["text"],
            uploads=_uploads(form.cleaned_data["attachments"]),
        )
    except consult.RateLimited as exc:
        messages.error(request, str(exc))
        return redirect(consultation)
    _tell_redaction(request, added.redaction)
    messages.success(request, "Your reply is in the thread; the consultant will see it.")
    return redirect(consultation)


@require_safe
@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    item = get_object_or_404(ConsultAttachment.objects.select_related("message__consultation"), pk=pk)
    _consultation_for(request, item.message.consultation_id)
    # Served through this view, not MEDIA_URL: only the owner and consultants may read them.
    response = FileResponse(item.file.open("rb"), content_type=item.content_type, filename=item.filename)
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- the consultants' side ---


@require_safe
@login_required
def queue(request: HttpRequest) -> HttpResponse:
    _consultant_required(request)
    items = list(Consultation.objects.open().select_related("user", "claimed_by"))
    target = timedelta(hours=settings.CONSULT_TARGET_HOURS)
    now = timezone.now()
    rows = [{"c": c, "age": now - c.created, "overdue": now - c.created > target} for c in items]
    return render(
        request,
        "casepilot/consult_queue.html",
        {"rows": rows, "target_hours": settings.CONSULT_TARGET_HOURS, "mine": request.user},
    )


@require_POST
@login_required
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    _consultant_required(request)
    consultation = get_object_or_404(Consultation, pk=pk)
    if consultation.claimed_by_id and consultation.claimed_by_id != request.user.id:
        messages.error(request, f"Already claimed by {consultation.claimed_by}.")
    else:
        consultation.claim(request.user)
        messages.success(request, f"You have claimed consultation #{consultation.pk}.")
    return redirect(consultation)


@require_POST
@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    _consultant_required(request)
    consultation = get_object_or_404(Consultation, pk=pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write an answer before sending it.")
        return redirect(consultation)
    consult.add_consultant_reply(consultation=consultation, consultant=request.user, text=form.cleaned_data["text"])
    messages.success(request, "Your answer has been sent to the user.")
    return redirect(consultation)


@require_POST
@login_required
def close(request: HttpRequest, pk: int) -> HttpResponse:
    consultation, is_consultant = _consultation_for(request, pk)
    consultation.set_status(Consultation.Status.CLOSED)
    messages.success(request, f"Consultation #{consultation.pk} is closed. A new reply reopens it.")
    return redirect("casepilot:consult_queue" if is_consultant else consultation)


# --- inbound mail webhook ---


def _refuse(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=status)


@csrf_exempt
@require_POST
@ratelimit(key="ip", rate="600/m", block=False)
def inbound(request: HttpRequest) -> JsonResponse:
    """Receive one raw RFC 5322 message, signed with the shared secret; 202 once stored durably.

    Headers: X-Consult-Timestamp (Unix seconds) and X-Consult-Signature (hex HMAC-SHA256 of
    "<timestamp>." followed by the body). Old, unsigned, wrongly signed or replayed requests are refused.
    """
    secret = settings.CONSULT_WEBHOOK_SECRET
    if not secret:
        return _refuse(403, "inbound webhook is not configured")
    if getattr(request, "limited", False):
        return _refuse(429, "too many requests")
    timestamp = request.headers.get("X-Consult-Timestamp", "")
    signature = request.headers.get("X-Consult-Signature", "").strip().lower()
    if not timestamp or not signature:
        return _refuse(401, "missing X-Consult-Timestamp or X-Consult-Signature")
    # ASCII digits only: str.isdigit() also accepts "\u00b2", which int() refuses.
    if (
        not re.fullmatch(r"[0-9]{1,12}", timestamp)
        or abs(time.time() - int(timestamp)) > settings.CONSULT_WEBHOOK_TOLERANCE
    ):
        return _refuse(403, "timestamp outside the allowed window")
    limit = settings.CONSULT_MAX_MESSAGE_BYTES
    # The size read, not the Content-Length claimed (Django already bounds the read by it).
    body = request.read(limit * 2 + 1)
    if len(body) > limit * 2:
        return _refuse(413, "message too large")
    if not hmac.compare_digest(signature, mail.sign(timestamp=timestamp, body=body, secret=secret)):
        return _refuse(403, "bad signature")
    if not body.strip():
        return _refuse(400, "empty message")
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(signature=signature, timestamp=int(timestamp))
    except IntegrityError:
        return _refuse(403, "replayed request")
    # A message over the limit is still stored (headers matter) and answered with a note.
    inbound, created = consult_inbound.store_inbound(body, source="webhook")
    return JsonResponse(
        {"stored": True, "duplicate": not created, "id": inbound.pk, "message_id": inbound.message_id},
        status=202 if created else 200,
    )
