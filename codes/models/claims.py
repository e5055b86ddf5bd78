"""Claims a signed-in user saved from the claim check (codes/claims/): the claim as entered (the
API's request shape), never its findings (they are checked again when it is opened, against the
data then loaded). Nothing is stored unless the user presses Save."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

MAX_SAVED = 200  # per user: the list is a working set, not an archive


class SavedClaim(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_claims")
    name = models.CharField(max_length=100)
    claim = models.JSONField(help_text="The claim as entered: date_of_service, setting, patient, diagnoses, lines")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated"]
        indexes = [models.Index(fields=["user", "-updated"], name="savedclaim_user")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("codes:saved_claim", args=[self.pk])
