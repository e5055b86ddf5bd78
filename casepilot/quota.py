"""How many questions a day each asker may put to CasePilot, counted atomically in the database.

Plans come from accounts.quota (guest, free, pro, staff); the allowances from
settings.CASEPILOT_QUOTAS. A signed-in user is counted by account; a guest by a keyed hash of
the client address and, when they have one, by a hash of their session (the same subjects as
the code-page meter), so clearing cookies does not reset a guest's allowance.

A counter only moves `WHERE used < allowance`, inside one transaction for all of an asker's
counters: two parallel questions cannot both take the last one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from accounts.quota import address_subject, client_address, plan_for, session_subject, user_subject

from .models import QuestionCount


@dataclass
class Spent:
    allowed: bool
    plan: str
    allowance: int
    used: int

    @property
    def remaining(self) -> int:
        return max(0, self.allowance - self.used)

    @property
    def message(self) -> str:
        if self.allowed:
            return ""
        if self.plan == "guest":
            return (
                f"You have asked the {self.allowance} questions a guest may ask CasePilot today. "
                "Sign in or create a free account to ask more; the allowance starts over tomorrow (UTC)."
            )
        return (
            f"You have asked the {self.allowance} questions your {self.plan} plan allows today. "
            "The allowance starts over tomorrow (UTC)."
        )


def _user(request: HttpRequest):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def subjects(request: HttpRequest) -> list[str]:
    user = _user(request)
    if user is not None:
        return [user_subject(user.pk)]
    found = [address_subject(client_address(request))]
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        found.append(session_subject(session.session_key))
    return found


def allowance_for(plan: str) -> int:
    return settings.CASEPILOT_QUOTAS.get(plan, 0)


def spend(request: HttpRequest) -> Spent:
    """Count one question against every counter of the asker, or none when one is full."""
    plan = plan_for(_user(request))
    allowance = allowance_for(plan)
    today = timezone.now().date()
    keys = subjects(request)
    with transaction.atomic():
        QuestionCount.objects.bulk_create(
            [QuestionCount(subject=key, day=today) for key in keys], ignore_conflicts=True
        )
        moved = QuestionCount.objects.filter(subject__in=keys, day=today, used__lt=allowance).update(used=F("used") + 1)
        used = max(QuestionCount.objects.filter(subject__in=keys, day=today).values_list("used", flat=True))
        if moved < len(keys):
            transaction.set_rollback(True)  # a counter with room gives its question back
            return Spent(allowed=False, plan=plan, allowance=allowance, used=max(used, allowance))
    return Spent(allowed=True, plan=plan, allowance=allowance, used=used)


def remaining(request: HttpRequest) -> Spent:
    """The asker's allowance and use today, without spending."""
    plan = plan_for(_user(request))
    allowance = allowance_for(plan)
    used = QuestionCount.objects.filter(subject__in=subjects(request), day=timezone.now().date()).values_list(
        "used", flat=True
    )
    return Spent(allowed=True, plan=plan, allowance=allowance, used=max(used, default=0))
