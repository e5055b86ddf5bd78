"""What CasePilot and CaseConsultant hold about a user, for the export and the erasure
(accounts/privacy.py; registered in CasepilotConfig.ready())."""

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from accounts.privacy import iso

from .models import Consultation, InboundEmail, OutboundEmail, Question


def _consultations(user) -> list[dict]:
    consultations = Consultation.objects.filter(user=user).prefetch_related("messages__attachments").order_by("created")
    return [
        {
            "id": c.pk,
            "subject": c.subject,
            "codes": c.codes,
            "status": c.status,
            "created": iso(c.created),
            "updated": iso(c.updated),
            "answered_at": iso(c.answered_at),
            "closed_at": iso(c.closed_at),
            "messages": [
                {
                    "author": m.author_kind,
                    "via": m.via,
                    "body": m.body,
                    "created": iso(m.created),
                    "attachments": [a.filename for a in m.attachments.all()],
                }
                for m in c.messages.all()
            ],
        }
        for c in consultations
    ]


def export(user) -> dict:
    return {
        "casepilot_questions": [
            {
                "question": q.text,
                "answer": q.answer,
                "codes": q.codes,
                "rating": q.get_rating_display() if q.rating else None,
                "rated_at": iso(q.rated_at),
                "created": iso(q.created),
                "url": settings.SITE_ROOT + q.get_absolute_url(),
            }
            for q in Question.objects.filter(user=user).order_by("created")
        ],
        "consultations": _consultations(user),
    }


def erase(user, *, addresses: list[str]) -> None:
    """Stored inbound mail from the user's addresses or for their consultations,
    queued mail to their addresses; attachment files once the deletion commits (a rollback must
    not leave rows without files). Consultations, messages and attachments go by CASCADE."""
    files = [
        a.file
        for c in Consultation.objects.filter(user=user).prefetch_related("messages__attachments")
        for m in c.messages.all()
        for a in m.attachments.all()
    ]
    inbound = Q(consultation__user=user)
    outbound = Q(consultation__user=user)
    for address in addresses:
        inbound |= Q(sender__iexact=address)
        outbound |= Q(to__iexact=address)
    InboundEmail.objects.filter(inbound).delete()
    OutboundEmail.objects.filter(outbound).delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in files if f])
