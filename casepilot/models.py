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
    # The permalink opens for the asker only (the user, or the guest's session) until they share it.
    shared = models.BooleanField(default=False, help_text="Anyone with the permalink can read it")
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

    def is_asker(self, *, user, asker: str) -> bool:
        """Whether this is who asked: the signed-in user, or the guest's session (`asker`, its hash)."""
        if self.user_id:
            return user.is_authenticated and user.pk == self.user_id
        return bool(self.asker) and self.asker == asker

    def visible_to(self, *, user, asker: str) -> bool:
        return self.shared or self.is_asker(user=user, asker=asker)


# --- CaseConsultant: coding questions by email (casepilot/consult.py, casepilot/mail.py) ---


def _consult_token() -> str:
    """Random lower-case hex: survives mail systems that change the case of addresses."""
    return secrets.token_hex(8)


class ConsultationQuerySet(models.QuerySet):
    def open(self) -> "ConsultationQuerySet":
        """Waiting for a consultant: everything not yet answered or closed, oldest first."""
        return self.filter(status__in=Consultation.OPEN_STATUSES).order_by("created")

    def for_user(self, user) -> "ConsultationQuerySet":
        return self.filter(user=user).order_by("-updated")

    def opened_this_month(self, user, *, now=None) -> "ConsultationQuerySet":
        start = (now or timezone.now()).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        return self.filter(user=user, created__gte=start)


class Consultation(models.Model):
    """A coding question and its thread: the user's messages, the automated answer, the consultant's."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        AUTO_ANSWERED = "auto-answered", "Automated answer sent"
        WITH_CONSULTANT = "with-consultant", "With a consultant"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    OPEN_STATUSES = (Status.RECEIVED, Status.AUTO_ANSWERED, Status.WITH_CONSULTANT)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="consultations")
    subject = models.CharField(max_length=200)
    codes = models.CharField(max_length=300, blank=True, help_text="Codes involved, as the user typed them")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    # The per-consultation reply address, consult+<token>@domain: threading when headers are lost.
    token = models.CharField(max_length=24, unique=True, default=_consult_token)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="claimed_consultations"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["status", "created"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("casepilot:consultation", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def age(self):
        return timezone.now() - self.created

    def set_status(self, status: str) -> None:
        self.status = status
        self.updated = timezone.now()
        if status == self.Status.ANSWERED:
            self.answered_at = self.updated
        if status == self.Status.CLOSED:
            self.closed_at = self.updated
        self.save(update_fields=["status", "updated", "answered_at", "closed_at"])

    def reopen(self) -> None:
        """A new message from the user puts an answered or closed consultation back in the queue."""
        if not self.is_open:
            self.closed_at = None
            self.set_status(self.Status.WITH_CONSULTANT if self.claimed_by_id else self.Status.RECEIVED)
        else:
            self.updated = timezone.now()
            self.save(update_fields=["updated"])

    def claim(self, consultant) -> None:
        self.claimed_by = consultant
        self.claimed_at = timezone.now()
        self.save(update_fields=["claimed_by", "claimed_at"])
        if self.is_open:
            self.set_status(self.Status.WITH_CONSULTANT)

    def phi_totals(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for counts in self.messages.values_list("phi_counts", flat=True):
            for kind, n in (counts or {}).items():
                totals[kind] = totals.get(kind, 0) + n
        return totals


class ConsultMessage(models.Model):
    """One message of a consultation. The body is stored only after PHI redaction."""

    class Author(models.TextChoices):
        USER = "user", "User"
        AUTOMATED = "automated", "Automated answer (CasePilot)"
        CONSULTANT = "consultant", "Consultant"

    class Via(models.TextChoices):
        WEB = "web", "Website"
        EMAIL = "email", "Email"

    consultation = models.ForeignKey(Consultation, models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=12, choices=Author.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True)
    via = models.CharField(max_length=8, choices=Via.choices, default=Via.WEB)
    body = models.TextField()
    # The automated answer's sources ([{"title", "url"}]) and the codes it names (["cpt 99213"]).
    citations = models.JSONField(default=list, blank=True)
    answer_codes = models.JSONField(default=list, blank=True)
    # PHI removed from this message before it was stored: {"name": 2, "dob": 1}.
    phi_counts = models.JSONField(default=dict, blank=True)
    # Notes for the user about this message: attachments refused, text cut.
    notes = models.JSONField(default=list, blank=True)
    # The Message-ID it arrived with, or that its email went out with (threading).
    message_id = models.CharField(max_length=250, blank=True, db_index=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.get_author_kind_display()} on #{self.consultation_id}"


def _attachment_path(instance: "ConsultAttachment", filename: str) -> str:
    return f"consult/{instance.message.consultation_id}/{_consult_token()}-{filename}"


class ConsultAttachment(models.Model):
    message = models.ForeignKey(ConsultMessage, models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.filename


class InboundEmail(models.Model):
    """A raw inbound message, stored before it is acknowledged; processed (and retried) by the worker.

    The raw bytes hold PHI, so they are kept only until processing succeeds: then they are
    replaced by nothing and only the redacted consultation message remains.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        # A worker has it (since started_at); one killed mid-way leaves it so: requeue_consult_work.
        PROCESSING = "processing", "Processing"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"
        FAILED = "failed", "Failed"

    message_id = models.CharField(max_length=250, unique=True)
    raw = models.BinaryField(blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=12, default="webhook")
    sender = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    outcome = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    consultation = models.ForeignKey(Consultation, models.SET_NULL, null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.message_id


class WebhookDelivery(models.Model):
    """Signatures already accepted by the inbound webhook: a replayed request is refused."""

    signature = models.CharField(max_length=64, unique=True)
    timestamp = models.BigIntegerField()
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.signature[:12]


class OutboundEmail(models.Model):
    """A message the consultation service sends; the worker delivers it and retries with backoff."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    consultation = models.ForeignKey(Consultation, models.CASCADE, null=True, blank=True, related_name="emails")
    to = models.EmailField()
    subject = models.CharField(max_length=250)
    body = models.TextField()
    html = models.TextField(blank=True)
    message_id = models.CharField(max_length=250, unique=True)
    in_reply_to = models.CharField(max_length=250, blank=True)
    references = models.TextField(blank=True)
    reply_to = models.CharField(max_length=254, blank=True)
    # RFC 3834: automated answers say so, and carry no reply loop.
    auto_submitted = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    # When the worker should have it: on queueing, then after each failed attempt (retry_delay).
    # A queued message long past it was lost with a worker (consult.requeue_stalled).
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"
