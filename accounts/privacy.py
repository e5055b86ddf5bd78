"""Everything the site holds about one user: exported as JSON, erased with the account.

Each app registers what it holds in PERSONAL_DATA from its `AppConfig.ready()`: an exporter
(the user -> sections of the export) and, for rows that do not go with the user row by CASCADE,
an eraser. accounts/ learns no other app's models this way. A test walks every foreign key to
the user model and every subject-keyed counter, so a new model that holds personal data and is
missing from its app's entry makes the suite fail.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from importlib import import_module

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, Plan, Profile, QuotaCounter
from .quota import METERS, user_subject

EXPORT_FORMAT = 1  # bumped when the shape of the export changes


@dataclass(frozen=True)
class PersonalData:
    # user -> {section name: JSON-ready value}; a list section two apps export is one list.
    export: Callable[..., dict]
    # Deletes what the app holds about `user` that CASCADE does not, inside the erasure's
    # transaction and before the user row goes: erase(user, addresses=[their email addresses]).
    erase: Callable[..., None] | None = None


# App label -> what it holds, in the order of INSTALLED_APPS' ready(): the order of the export.
PERSONAL_DATA: dict[str, PersonalData] = {}


def register(app_label: str, *, export: Callable[..., dict], erase: Callable[..., None] | None = None) -> None:
    PERSONAL_DATA[app_label] = PersonalData(export=export, erase=erase)


def iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def export_data(user) -> dict:
    """The user's data as plain JSON-ready values. Token hashes and session secrets are never in it."""
    document = {"format": EXPORT_FORMAT, "exported_at": iso(timezone.now()), "site": settings.SITE_ROOT}
    for holder in PERSONAL_DATA.values():
        for name, value in holder.export(user).items():
            if name not in document:
                document[name] = value
            elif isinstance(value, list) and isinstance(document[name], list):
                document[name] = document[name] + value  # e.g. usage counters: code views, then questions
            else:
                raise ValueError(f"two apps export the section {name!r}")
    return document


def erase(user) -> None:
    """Delete the user and every row about them. The rules (also in the delete view's docstring):

    - Deleted with the account (CASCADE): email addresses, profile, plans, API tokens, favourites,
      notes, code views, CasePilot questions and ratings, consultations with their messages,
      attachments and outgoing mail, saved jobs and searches, and job postings, live ones included
      (a posting no one can edit or close any more is not kept up).
    - Deleted by the apps' erasers (PERSONAL_DATA): usage counters keyed "u:<id>" (code views,
      CasePilot questions), stored inbound mail from the user's addresses or for their
      consultations, queued mail to their addresses, attachment files once the deletion commits;
      and here, their sessions on other devices.
    - Kept, anonymised (SET_NULL): reports they made on other people's job postings (moderators
      still need them), replies they wrote as a consultant on other users' consultations, plans
      they granted and postings they reviewed as staff.
    """
    addresses = list(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    if user.email:
        addresses.append(user.email)
    with transaction.atomic():
        for holder in PERSONAL_DATA.values():
            if holder.erase is not None:
                holder.erase(user, addresses=addresses)
        _delete_sessions(user)
        user.delete()


def export_accounts(user) -> dict:
    """accounts' own part of the export."""
    profile = Profile.objects.filter(user=user).first()
    return {
        "account": {
            "username": user.get_username(),
            "date_joined": iso(user.date_joined),
            "last_login": iso(user.last_login),
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
            "updated": iso(profile.updated),
        }
        if profile
        else None,
        "plans": [
            {"name": p.name, "starts": iso(p.starts), "ends": iso(p.ends), "created": iso(p.created)}
            for p in Plan.objects.filter(user=user).order_by("starts")
        ],
        "api_tokens": [
            {"name": t.name, "hint": t.hint, "created": iso(t.created), "last_used": iso(t.last_used)}
            for t in ApiToken.objects.filter(user=user).order_by("created")
        ],
        "usage_counters": [
            {"kind": METERS[c.meter].label, "period": c.period, "used": c.used}
            for c in sorted(
                QuotaCounter.objects.filter(subject=user_subject(user.pk)),
                key=lambda c: (list(METERS).index(c.meter), c.period),  # in METERS' order
            )
        ],
    }


def erase_accounts(user, *, addresses: list[str]) -> None:
    QuotaCounter.objects.filter(subject=user_subject(user.pk)).delete()


def _delete_sessions(user) -> None:
    """Sign the user out everywhere: database sessions carry their id inside the encoded data."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store, DatabaseStore):  # cached_db is one too
        return  # signed-cookie or cache-only sessions: nothing of theirs stays in the database
    user_id = str(user.pk)
    # One pass over live sessions: a deletion is rare, and sessions are not indexed by user.
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == user_id:
            store(session_key=session.session_key).delete()  # the cached copy too (cached_db)
