"""Everything the site holds about one user: exported as JSON, erased with the account.

`export_data()` and `erase()` read the same list of models; a test walks every foreign key to
the user model and every subject-keyed counter, so a new model that holds personal data and is
missing here makes the suite fail.
"""

from datetime import date, datetime
from importlib import import_module

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casepilot.models import Consultation, InboundEmail, OutboundEmail, Question, QuestionCount
from jobs.models import Job, JobReport, SavedJob, SavedSearch

from .models import ApiToken, CodeNote, CodeView, FavouriteCode, Plan, Profile, QuotaCounter
from .quota import user_subject

EXPORT_FORMAT = 1  # bumped when the shape of the export changes


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def _code(system: str, code: str) -> dict:
    return {"system": system, "code": code}


def _consultations(user) -> list[dict]:
    consultations = Consultation.objects.filter(user=user).prefetch_related("messages__attachments").order_by("created")
    return [
        {
            "id": c.pk,
            "subject": c.subject,
            "codes": c.codes,
            "status": c.status,
            "created": _iso(c.created),
            "updated": _iso(c.updated),
            "answered_at": _iso(c.answered_at),
            "closed_at": _iso(c.closed_at),
            "messages": [
                {
                    "author": m.author_kind,
                    "via": m.via,
                    "body": m.body,
                    "created": _iso(m.created),
                    "attachments": [a.filename for a in m.attachments.all()],
                }
                for m in c.messages.all()
            ],
        }
        for c in consultations
    ]


def export_data(user) -> dict:
    """The user's data as plain JSON-ready values. Token hashes and session secrets are never in it."""
    profile = Profile.objects.filter(user=user).first()
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "site": settings.SITE_ROOT,
        "account": {
            "username": user.get_username(),
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "email_addresses": [
                {"email": e.email, "primary": e.primary, "verified": e.verified}
                for e in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
            ],
        },
        "profile": {
            "name": profile.name,
            "credentials": profile.credentials,
            "specialties": profile.specialties,
            "employer": profile.employer,
            "updated": _iso(profile.updated),
        }
        if profile
        else None,
        "plans": [
            {"name": p.name, "starts": _iso(p.starts), "ends": _iso(p.ends), "created": _iso(p.created)}
            for p in Plan.objects.filter(user=user).order_by("starts")
        ],
        "api_tokens": [
            {"name": t.name, "hint": t.hint, "created": _iso(t.created), "last_used": _iso(t.last_used)}
            for t in ApiToken.objects.filter(user=user).order_by("created")
        ],
        "favourites": [
            {**_code(f.code.system, f.code.code), "created": _iso(f.created)}
            for f in FavouriteCode.objects.filter(user=user).select_related("code").order_by("created")
        ],
        "notes": [
            {**_code(n.code.system, n.code.code), "text": n.text, "updated": _iso(n.updated)}
            for n in CodeNote.objects.filter(user=user).select_related("code").order_by("updated")
        ],
        "code_views": [
            {**_code(v.code.system, v.code.code), "period": v.period, "viewed": _iso(v.viewed)}
            for v in CodeView.objects.filter(user=user).select_related("code").order_by("viewed")
        ],
        "usage_counters": [
            {"kind": "code views", "period": c.period, "used": c.used}
            for c in QuotaCounter.objects.filter(subject=user_subject(user.pk)).order_by("period")
        ]
        + [
            {"kind": "CasePilot questions", "period": _iso(c.day), "used": c.used}
            for c in QuestionCount.objects.filter(subject=user_subject(user.pk)).order_by("day")
        ],
        "casepilot_questions": [
            {
                "question": q.text,
                "answer": q.answer,
                "codes": q.codes,
                "rating": q.get_rating_display() if q.rating else None,
                "rated_at": _iso(q.rated_at),
                "created": _iso(q.created),
                "url": settings.SITE_ROOT + q.get_absolute_url(),
            }
            for q in Question.objects.filter(user=user).order_by("created")
        ],
        "consultations": _consultations(user),
        "saved_jobs": [
            {"job": s.job.title, "employer": s.job.employer_name, "saved": _iso(s.created_at)}
            for s in SavedJob.objects.filter(user=user).select_related("job").order_by("created_at")
        ],
        "saved_searches": [
            {
                "name": s.name,
                "query": s.query,
                "frequency": s.frequency,
                "active": s.active,
                "created": _iso(s.created_at),
                "last_sent_at": _iso(s.last_sent_at),
            }
            for s in SavedSearch.objects.filter(user=user).order_by("created_at")
        ],
        "job_postings": [
            {
                "title": j.title,
                "employer_name": j.employer_name,
                "status": j.status,
                "description": j.description,
                "apply_to": j.apply_to,
                "created": _iso(j.created_at),
                "published_at": _iso(j.published_at),
                "expires_on": _iso(j.expires_on),
            }
            for j in Job.objects.filter(owner=user).order_by("created_at")
        ],
        "job_reports": [
            {"job": r.job.title, "reason": r.reason, "details": r.details, "created": _iso(r.created_at)}
            for r in JobReport.objects.filter(reporter=user).select_related("job").order_by("created_at")
        ],
    }


def erase(user) -> None:
    """Delete the user and every row about them. The rules (also in the delete view's docstring):

    - Deleted with the account (CASCADE): email addresses, profile, plans, API tokens, favourites,
      notes, code views, CasePilot questions and ratings, consultations with their messages,
      attachments and outgoing mail, saved jobs and searches, and job postings, live ones included
      (a posting no one can edit or close any more is not kept up).
    - Deleted here: usage counters keyed "u:<id>" (code views, CasePilot questions), stored inbound
      mail from the user's addresses or for their consultations, queued mail to their addresses,
      and their sessions on other devices.
    - Kept, anonymised (SET_NULL): reports they made on other people's job postings (moderators
      still need them), replies they wrote as a consultant on other users' consultations, plans
      they granted and postings they reviewed as staff.
    """
    subject = user_subject(user.pk)
    addresses = list(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    if user.email:
        addresses.append(user.email)
    # Files are removed after the transaction commits: a rollback must not leave rows without files.
    files = [
        a.file
        for c in Consultation.objects.filter(user=user).prefetch_related("messages__attachments")
        for m in c.messages.all()
        for a in m.attachments.all()
    ]
    with transaction.atomic():
        QuotaCounter.objects.filter(subject=subject).delete()
        QuestionCount.objects.filter(subject=subject).delete()
        inbound = Q(consultation__user=user)
        outbound = Q(consultation__user=user)
        for address in addresses:
            inbound |= Q(sender__iexact=address)
            outbound |= Q(to__iexact=address)
        InboundEmail.objects.filter(inbound).delete()
        OutboundEmail.objects.filter(outbound).delete()
        _delete_sessions(user)
        user.delete()
        transaction.on_commit(lambda: [f.delete(save=False) for f in files if f])


def _delete_sessions(user) -> None:
    """Sign the user out everywhere: database sessions carry their id inside the encoded data."""
    from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store, DatabaseStore):  # cached_db is one too
        return  # signed-cookie or cache-only sessions: nothing of theirs stays in the database
    user_id = str(user.pk)
    # One pass over live sessions: a deletion is rare, and sessions are not indexed by user.
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == user_id:
            store(session_key=session.session_key).delete()  # the cached copy too (cached_db)
