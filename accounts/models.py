"""Accounts: each user's profile, personal API tokens, plans and the meter's counters.

Per-code user data (favourites, notes, code views) lives in codes/personal.py.
"""

import datetime
import hashlib
import secrets
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
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


class Counter(NamedTuple):
    """One allowance a spend must fit in: `meter` ("code_views", "casepilot_questions"...), whose
    (a user, a guest or a hashed address), which period ("2026-12", "2026-12-02", "2026-12-02T13")."""

    meter: str
    subject: str
    period: str
    allowance: int


class QuotaCounterQuerySet(models.QuerySet):
    def spend(self, counters: list[Counter], *, savepoint: bool = True) -> tuple[bool, dict[tuple[str, str], int]]:
        """Take one from every counter, or from none when one has no room: the site's only meter.

        Returns (allowed, {(meter, subject): used afterwards}); on a refusal the full counters read
        as full. One statement moves every counter that has room (an upsert whose update only
        happens `WHERE used < allowance`: the database re-checks the row it locked, so parallel
        spends cannot both take the last one), inside a transaction that is rolled back when fewer
        counters moved than were asked. Counters go in one order, so two spends never deadlock. The
        same SQL runs on PostgreSQL and SQLite (3.35+). Inside a transaction, savepoint=False joins
        it: a refusal then rolls back what the caller wrote there too (the caller must not query
        again before its block ends)."""
        counters = sorted(counters)
        if not counters:
            return True, {}
        if any(c.allowance <= 0 for c in counters):
            return False, {(c.meter, c.subject): max(c.allowance, 0) for c in counters}
        connection = connections[self.db]
        table = connection.ops.quote_name(self.model._meta.db_table)
        rows = ", ".join(["(%s, %s, %s, 1, %s)"] * len(counters))
        sql = (
            f"INSERT INTO {table} (meter, subject, period, used, allowance) VALUES {rows}"
            " ON CONFLICT (meter, subject, period) DO UPDATE"
            f" SET used = {table}.used + 1, allowance = excluded.allowance"
            f" WHERE {table}.used < excluded.allowance RETURNING meter, subject, used"
        )
        params = [value for c in counters for value in c]
        with transaction.atomic(using=self.db, savepoint=savepoint), connection.cursor() as cursor:
            cursor.execute(sql, params)
            used = {(meter, subject): n for meter, subject, n in cursor.fetchall()}
            if len(used) == len(counters):
                return True, used
            transaction.set_rollback(True, using=self.db)
        # What moved went back with the rollback; what did not move was full.
        return False, {
            (c.meter, c.subject): used[c.meter, c.subject] - 1 if (c.meter, c.subject) in used else c.allowance
            for c in counters
        }

    def used(self, counters: list[Counter]) -> dict[tuple[str, str], int]:
        """{(meter, subject): used} of these counters, without spending (missing ones are unused)."""
        if not counters:
            return {}
        found = self.none()
        for c in counters:
            found |= self.filter(meter=c.meter, subject=c.subject, period=c.period)
        rows = found.values_list("meter", "subject", "used")
        return {(c.meter, c.subject): 0 for c in counters} | {(m, s): n for m, s, n in rows}


class QuotaCounter(models.Model):
    """How much of one allowance one subject has spent in one period, never more than `allowance`.

    Every meter of the site is one of these (accounts/quota.py METERS): code page views a month
    (per account or guest, and per hashed client address a day), CasePilot questions a day,
    consultations a month, consultation messages an hour."""

    meter = models.CharField(max_length=40, default="code_views")
    subject = models.CharField(max_length=80)
    period = models.CharField(max_length=13, help_text="YYYY-MM, YYYY-MM-DD or YYYY-MM-DDTHH (UTC)")
    used = models.PositiveIntegerField(default=0)
    allowance = models.PositiveIntegerField(default=0)

    objects = QuotaCounterQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meter", "subject", "period"], name="quota_counter_unique")]

    def __str__(self) -> str:
        return f"{self.meter} {self.subject} {self.period}: {self.used}/{self.allowance}"
