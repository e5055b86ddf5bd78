"""Accounts: each user's profile, personal API tokens, favourite codes and private notes.

The plan and metering models (Plan, code-view records) follow in their own block at the end.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from .credentials import Specialty

# Tokens look like "ca_<40 random characters>"; the prefix makes a leaked token easy to recognise
# (secret scanners, logs) and the first characters after it identify the token on the account page.
TOKEN_PREFIX = "ca_"
TOKEN_HINT_LENGTH = 8


class Profile(models.Model):
    """What a coder tells us about themselves. The job board and CasePilot read it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    name = models.CharField(max_length=120, blank=True)
    # Lists of Credential / Specialty values: a JSON list works the same on SQLite and PostgreSQL.
    credentials = models.JSONField(default=list, blank=True)
    specialties = models.JSONField(default=list, blank=True)
    employer = models.CharField(max_length=160, blank=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name or str(self.user)

    def specialty_labels(self) -> list[str]:
        return [Specialty(s).label for s in self.specialties if s in Specialty.values]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def for_secret(self, secret: str) -> "ApiToken | None":
        """The token with this secret. The lookup is by hash, so no secret is compared byte by byte."""
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
            return None
        return self.select_related("user").filter(digest=_digest(secret)).first()


class ApiToken(models.Model):
    """A personal API token. Only the SHA-256 of the secret is stored; the secret is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    hint = models.CharField(max_length=20, help_text="The token's first characters, to tell tokens apart")
    digest = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, *, user, name: str) -> tuple["ApiToken", str]:
        """Create a token; returns it with its secret, which is not stored anywhere."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(30)
        token = cls.objects.create(
            user=user, name=name, hint=secret[: len(TOKEN_PREFIX) + TOKEN_HINT_LENGTH], digest=_digest(secret)
        )
        return token, secret

    def touch(self, *, every: int = 300) -> None:
        """Record use, at most once every `every` seconds: a write per API call would cost more than the call."""
        now = timezone.now()
        if self.last_used is None or (now - self.last_used).total_seconds() >= every:
            ApiToken.objects.filter(pk=self.pk).update(last_used=now)
            self.last_used = now


class FavouriteCode(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favourite_codes")
    code = models.ForeignKey("codes.Code", on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created"]
        constraints = [models.UniqueConstraint(fields=["user", "code"], name="favourite_unique")]

    def __str__(self) -> str:
        return f"{self.user} ★ {self.code_id}"


class CodeNote(models.Model):
    """A private note a user keeps on a code. Only its owner ever sees it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="code_notes")
    code = models.ForeignKey("codes.Code", on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated"]
        constraints = [models.UniqueConstraint(fields=["user", "code"], name="code_note_unique")]

    def __str__(self) -> str:
        return f"{self.user} note on {self.code_id}"


# --- Plans and metering (accounts/quota.py does the counting) ---------------------------------


class PlanQuerySet(models.QuerySet):
    def current(self, *, today: datetime.date | None = None) -> "PlanQuerySet":
        """Plans in effect today: a plan expires by itself after its end date."""
        today = today or timezone.now().date()
        return self.filter(starts__lte=today, ends__gte=today)


class Plan(models.Model):
    """A paid plan on an account, granted by staff in the admin (no payment integration yet)."""

    class Name(models.TextChoices):
        PRO = "pro", "Pro"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(max_length=20, choices=Name.choices, default=Name.PRO)
    starts = models.DateField(default=datetime.date.today, help_text="First day of the plan")
    ends = models.DateField(help_text="Last day of the plan (inclusive); it lapses by itself after that")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why it was granted (invoice, trial...)")
    created = models.DateTimeField(default=timezone.now)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-ends"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends__gte=models.F("starts")), name="plan_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.get_name_display()} for {self.user} ({self.starts} to {self.ends})"

    def clean(self) -> None:
        if self.starts and self.ends and self.ends < self.starts:
            raise ValidationError({"ends": "The plan must end on or after its first day."})

    @property
    def is_current(self) -> bool:
        return self.starts <= timezone.now().date() <= self.ends


class ProRequest(models.Model):
    """Someone asking for a Pro plan on the pricing page. Kept as a row (staff work them in the
    admin) as well as mailed to staff: while payments are not built, this is how Pro is bought.
    A sales enquiry, not account data: it holds no key to an account (the sender may have none)."""

    name = models.CharField(max_length=100)
    email = models.EmailField()
    organisation = models.CharField(max_length=200, blank=True)
    seats = models.PositiveSmallIntegerField(default=1, help_text="How many people need Pro")
    message = models.TextField(max_length=2000, blank=True)
    handled = models.BooleanField(default=False, help_text="A staff member has answered it")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["handled", "-created"]

    def __str__(self) -> str:
        return f"Pro request from {self.name} <{self.email}> ({self.seats} seat{'s' if self.seats != 1 else ''})"


class CodeView(models.Model):
    """A code opened by one visitor in one metering period; a view of a code already opened in the
    period is free. The unique row is what makes parallel requests count once. Signed-in users'
    rows carry the user, and are their "recently viewed" list."""

    # "u:<user id>", "g:<hash of the guest cookie's key>" or "a:<keyed hash of an address>"
    # (accounts/quota.py).
    subject = models.CharField(max_length=80)
    period = models.CharField(max_length=10, help_text="YYYY-MM")
    # A row is written on every new code page view, guests' most of all: each index costs every
    # one of those writes. The code's is not kept (codes are marked deleted, never removed); the
    # user's is the partial index below, which guests' rows stay out of.
    code = models.ForeignKey("codes.Code", on_delete=models.CASCADE, related_name="+", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="code_views",
        db_index=False,
    )
    viewed = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "period", "code"], name="code_view_unique")]
        indexes = [
            models.Index(fields=["user", "-viewed"], name="code_view_recent", condition=models.Q(user__isnull=False))
        ]

    def __str__(self) -> str:
        return f"{self.subject} viewed {self.code_id} in {self.period}"


class QuotaCounter(models.Model):
    """How many views one subject has spent in one period, never more than `allowance`.

    Subjects: a user or a guest session per month, a guest client address (hashed) per day."""

    subject = models.CharField(max_length=80)
    period = models.CharField(max_length=10, help_text="YYYY-MM, or YYYY-MM-DD for a client address")
    used = models.PositiveIntegerField(default=0)
    allowance = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "period"], name="quota_counter_unique")]

    def __str__(self) -> str:
        return f"{self.subject} {self.period}: {self.used}/{self.allowance}"
