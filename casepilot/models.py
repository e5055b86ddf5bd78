import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

# --- Guides (the CasePilot knowledge base, imported from casepilot/guides/*.md) ---


class GuideTopic(models.TextChoices):
    EM = "em", "E/M"
    NCCI = "ncci", "NCCI"
    MODIFIERS = "modifiers", "Modifiers"
    GLOBAL_SURGERY = "global-surgery", "Global surgery"
    ICD10CM_CONVENTIONS = "icd-10-cm-conventions", "ICD-10-CM conventions"
    ICD10CM_CHAPTERS = "icd-10-cm-chapters", "ICD-10-CM chapter guidelines"
    ICD10PCS = "icd-10-pcs", "ICD-10-PCS"
    MSDRG = "ms-drg", "MS-DRG and CC/MCC"
    MUE = "mue", "MUEs"
    ABN = "abn", "ABN and medical necessity"
    COVERAGE = "coverage", "NCD/LCD coverage"
    COMPLIANCE = "compliance", "Documentation and compliance"
    HCPCS = "hcpcs", "HCPCS"


class Guide(models.Model):
    """One article of the knowledge base, written in the site's own words, citing its sources."""

    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    body = models.TextField(help_text="Markdown source")
    body_html = models.TextField(help_text="Sanitized HTML rendered from body at import")
    topic = models.CharField(max_length=24, choices=GuideTopic.choices)
    # Official documents summarised, each with its section and year.
    sources = models.JSONField(default=list)
    keywords = models.JSONField(default=list, blank=True)
    # Codes mentioned, as "system code" strings ("cpt 99213", "hcpcs GA").
    codes = models.JSONField(default=list, blank=True)
    word_count = models.PositiveIntegerField(default=0)
    updated = models.DateField(help_text="Last reviewed")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["topic", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("casepilot:guide", args=[self.slug])

    @property
    def code_refs(self) -> list[tuple[str, str]]:
        """The codes mentioned as (system, code) pairs."""
        return [tuple(ref.split(" ", 1)) for ref in self.codes]


# --- CasePilot questions and answers ---


def _permalink_slug() -> str:
    return secrets.token_urlsafe(12)


class QuestionQuerySet(models.QuerySet):
    def of(self, user) -> "QuestionQuerySet":
        """A signed-in user's history, newest first."""
        return self.filter(user=user).order_by("-created")


class Question(models.Model):
    """A question asked of CasePilot with the answer it got. PHI is redacted before it is saved."""

    class Rating(models.IntegerChoices):
        HELPFUL = 1, "Helpful"
        NOT_HELPFUL = -1, "Not helpful"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="casepilot_questions"
    )
    # A hash of a guest's session key: lets the guest rate the answer they got, nothing more.
    asker = models.CharField(max_length=64, blank=True)
    text = models.TextField(help_text="The question as asked, with PHI redacted")
    answer = models.TextField()
    citations = models.JSONField(default=list, blank=True)
    codes = models.JSONField(default=list, blank=True)
    intents = models.JSONField(default=list, blank=True)
    engine = models.CharField(max_length=20, default="default")
    redactions = models.JSONField(default=dict, blank=True, help_text="What was redacted, counted by kind")
    slug = models.CharField(max_length=24, unique=True, default=_permalink_slug, help_text="Permalink")
    rating = models.SmallIntegerField(null=True, blank=True, choices=Rating.choices)
    rated_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["user", "-created"], name="question_user_created")]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("casepilot:answer", args=[self.slug])


class QuestionCount(models.Model):
    """Questions one asker (a user, a guest session or a guest address, hashed) asked on one day."""

    subject = models.CharField(max_length=64)
    day = models.DateField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "day"], name="question_count_unique")]
