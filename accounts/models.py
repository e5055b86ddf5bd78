"""Accounts: each user's profile, personal API tokens, favourite codes and private notes.

The plan and metering models (Plan, code-view records) follow in their own block at the end.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from .credentials import Credential, Specialty

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

    def credential_labels(self) -> list[str]:
        return [Credential(c).label for c in self.credentials if c in Credential.values]

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
