"""CareerCenter: job postings, reports, saved jobs and saved searches (email alerts)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorField
from django.db import connection, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from accounts.credentials import Credential, Specialty

from .scams import scam_flags
from .text import render_markdown

DEFAULT_DURATION_DAYS = 30
MAX_DURATION_DAYS = 90
HOURS_PER_YEAR = 2080  # 40 hours x 52 weeks: how hourly pay compares with yearly pay

US_STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
    ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", "District of Columbia"),
    ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
    ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"),
    ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
    ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
    ("PA", "Pennsylvania"), ("PR", "Puerto Rico"), ("RI", "Rhode Island"), ("SC", "South Carolina"),
    ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"),
    ("VA", "Virginia"), ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
]  # fmt: skip
STATE_NAMES = dict(US_STATES)


class Workplace(models.TextChoices):
    ONSITE = "onsite", "On site"
    REMOTE = "remote", "Remote"
    HYBRID = "hybrid", "Hybrid"


class WorkSetting(models.TextChoices):
    INPATIENT = "inpatient", "Inpatient"
    OUTPATIENT = "outpatient", "Outpatient / pro-fee"
    ASC = "asc", "Ambulatory surgery center"
    EMERGENCY = "emergency", "Emergency department"
    RISK = "risk_adjustment", "Risk adjustment"
    AUDITING = "auditing", "Auditing"
    CDI = "cdi", "Clinical documentation integrity"
    EDUCATION = "education", "Education"
    REVENUE_CYCLE = "revenue_cycle", "Revenue cycle"


class EmploymentType(models.TextChoices):
    FULL_TIME = "full_time", "Full time"
    PART_TIME = "part_time", "Part time"
    CONTRACT = "contract", "Contract"
    TEMPORARY = "temporary", "Temporary"
    PER_DIEM = "per_diem", "Per diem"
    INTERNSHIP = "internship", "Internship / apprenticeship"


class SalaryPeriod(models.TextChoices):
    HOUR = "hour", "per hour"
    YEAR = "year", "per year"


def default_expiry() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=DEFAULT_DURATION_DAYS)


def json_list_contains(field: str, value: str) -> Q:
    """Rows whose JSON list `field` holds `value`: GIN-friendly @> on PostgreSQL, text match elsewhere."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__contains": [value]})
    # SQLite's JSONField has no containment lookup; the quoted value only matches a whole item.
    return Q(**{f"{field}__icontains": f'"{value}"'})


class JobQuerySet(models.QuerySet):
    def open(self) -> "JobQuerySet":
        """Live postings that have not expired: the ones in listings, feeds, alerts and the sitemap."""
        return self.filter(status=Job.Status.LIVE, expires_on__gte=timezone.localdate())

    def expired(self) -> "JobQuerySet":
        return self.filter(status=Job.Status.LIVE, expires_on__lt=timezone.localdate())

    def text_search(self, q: str) -> "JobQuerySet":
        """Full text on PostgreSQL (websearch syntax, ranked, GIN-indexed); every word as a substring elsewhere."""
        if connection.vendor == "postgresql":
            query = SearchQuery(q, search_type="websearch", config="english")
            return self.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
        qs = self
        for word in q.split()[:10]:
            excluded = word.startswith("-")  # websearch syntax, as on PostgreSQL: -remote
            word = word.strip("-\"'()")
            if not word or word.lower() in {"and", "or", "the"}:
                continue
            contains = models.Q(search_document__icontains=word)
            qs = qs.exclude(contains) if excluded else qs.filter(contains)
        return qs.annotate(rank=models.Value(0.0, output_field=models.FloatField()))

    def update_search_vectors(self) -> int:
        """Refresh search_vector from search_document (a no-op off PostgreSQL)."""
        if connection.vendor != "postgresql":
            return 0
        return self.update(search_vector=SearchVector("search_document", config="english"))

    def matching(self, filters: dict) -> "JobQuerySet":
        """Apply the /jobs/ filters (as JobSearchForm.filters() returns them)."""
        qs = self
        if q := filters.get("q"):
            qs = qs.text_search(q)
        if credentials := filters.get("credential"):
            # A posting matches when it requires or prefers any of them; CPC-A holders also
            # match postings that welcome apprentices.
            wanted = Q()
            for code in credentials:
                wanted |= json_list_contains("required_credentials", code)
                wanted |= json_list_contains("preferred_credentials", code)
                if code == Credential.CPC_A:
                    wanted |= Q(cpc_a_welcome=True)
            qs = qs.filter(wanted)
        if filters.get("cpc_a"):
            qs = qs.filter(cpc_a_welcome=True)
        if workplace := filters.get("workplace"):
            qs = qs.filter(workplace=workplace)
        if state := filters.get("state"):
            # Jobs someone living in `state` can take: located there, or remote and open to that state.
            remote_ok = Q(workplace=Workplace.REMOTE) & (
                Q(remote_states=[]) | json_list_contains("remote_states", state)
            )
            qs = qs.filter(Q(state=state, workplace__in=[Workplace.ONSITE, Workplace.HYBRID]) | remote_ok)
        if setting := filters.get("setting"):
            qs = qs.filter(work_setting=setting)
        if employment_type := filters.get("type"):
            qs = qs.filter(employment_type=employment_type)
        if (min_salary := filters.get("min_salary")) is not None:
            qs = qs.filter(annual_pay__gte=min_salary)
        if specialty := filters.get("specialty"):
            qs = qs.filter(json_list_contains("specialties", specialty))
        if posted := filters.get("posted"):
            qs = qs.filter(published_at__gte=timezone.now() - datetime.timedelta(days=int(posted)))
        return qs

    def sorted_by(self, sort: str, *, has_query: bool) -> "JobQuerySet":
        if sort == "salary":
            return self.order_by(F("annual_pay").desc(nulls_last=True), "-published_at", "-pk")
        if sort == "relevance" and has_query:
            return self.order_by("-rank", "-published_at", "-pk")
        return self.order_by("-published_at", "-pk")

    def needing_review(self) -> "JobQuerySet":
        """Pending postings, and any other posting with a report nobody has looked at yet."""
        return self.filter(Q(status=Job.Status.PENDING) | Q(reports__resolved_at__isnull=True)).distinct()


class Job(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING = "pending", "Waiting for review"
        LIVE = "live", "Live"
        CLOSED = "closed", "Closed"
        REJECTED = "rejected", "Rejected"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    title = models.CharField(max_length=120)
    employer_name = models.CharField(max_length=120)
    employer_website = models.URLField(blank=True, max_length=300)

    workplace = models.CharField(max_length=10, choices=Workplace.choices, default=Workplace.ONSITE)
    city = models.CharField(max_length=80, blank=True)
    state = models.CharField(max_length=2, blank=True, choices=US_STATES)
    zip_code = models.CharField("ZIP code", max_length=10, blank=True)
    # Remote jobs: the states applicants must live in; empty means anywhere in the US.
    remote_states = models.JSONField(default=list, blank=True)

    work_setting = models.CharField(max_length=20, choices=WorkSetting.choices)
    employment_type = models.CharField(max_length=20, choices=EmploymentType.choices)
    salary_min = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    salary_max = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    salary_period = models.CharField(max_length=4, choices=SalaryPeriod.choices, default=SalaryPeriod.YEAR)
    # The top of the range as yearly pay, so hourly and yearly postings filter and sort together.
    annual_pay = models.PositiveIntegerField(null=True, blank=True, editable=False)

    required_credentials = models.JSONField(default=list, blank=True)
    preferred_credentials = models.JSONField(default=list, blank=True)
    cpc_a_welcome = models.BooleanField("CPC-A welcome", default=False)
    specialties = models.JSONField(default=list, blank=True)
    years_experience = models.PositiveSmallIntegerField(default=0)
    productivity = models.CharField("productivity expectations", max_length=300, blank=True)

    description = models.TextField(help_text="Markdown")
    description_html = models.TextField(editable=False, default="")
    apply_to = models.CharField("how to apply", max_length=300, help_text="A web address or an email address")
    expires_on = models.DateField(default=default_expiry)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    flag_reasons = models.JSONField(default=list, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Text that full-text search reads: title, employer, place, description, credentials...
    search_document = models.TextField(editable=False, default="")
    # PostgreSQL only: search_document as a stored tsvector (GIN-indexed), so searching and
    # ranking never re-parse descriptions. Filled by save() and update_search_vectors().
    search_vector = SearchVectorField(null=True, editable=False)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    apply_count = models.PositiveIntegerField(default=0)

    objects = JobQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["status", "expires_on", "-published_at"], name="jobs_open_newest"),
            # Newest first without sorting every open job: the listing stops after a page.
            models.Index(fields=["status", "-published_at", "-id"], name="jobs_newest"),
            models.Index(fields=["status", "annual_pay"], name="jobs_pay"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.employer_name})"

    def save(self, *args, **kwargs) -> None:
        self.description_html = render_markdown(self.description)
        self.annual_pay = self.compute_annual_pay()
        self.search_document = self.build_search_document()
        super().save(*args, **kwargs)
        Job.objects.filter(pk=self.pk).update_search_vectors()

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk, self.slug])

    @property
    def slug(self) -> str:
        return slugify(f"{self.title} {self.employer_name}")[:80] or "job"

    # ---- derived facts -------------------------------------------------------------------

    def compute_annual_pay(self) -> int | None:
        top = self.salary_max or self.salary_min
        if top is None:
            return None
        if self.salary_period == SalaryPeriod.HOUR:
            top = Decimal(top) * HOURS_PER_YEAR
        return int(top)

    def build_search_document(self) -> str:
        parts = [
            self.title,
            self.employer_name,
            self.city,
            STATE_NAMES.get(self.state, ""),
            self.get_workplace_display(),
            self.get_work_setting_display() if self.work_setting else "",
            " ".join(self.required_credentials + self.preferred_credentials),
            " ".join(dict(Specialty.choices).get(s, s) for s in self.specialties),
            self.description,
        ]
        return "\n".join(p for p in parts if p)

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.LIVE and self.expires_on < timezone.localdate()

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.LIVE and not self.is_expired

    @property
    def dashboard_state(self) -> str:
        """draft, pending, live, expired, closed or rejected: how the employer dashboard groups it."""
        return "expired" if self.is_expired else self.status

    @property
    def apply_is_email(self) -> bool:
        return "@" in self.apply_to and not self.apply_to.lower().startswith(("http://", "https://"))

    @property
    def apply_target(self) -> str:
        return f"mailto:{self.apply_to}" if self.apply_is_email else self.apply_to

    @property
    def location_display(self) -> str:
        place = ", ".join(p for p in [self.city, self.state] if p)
        if self.workplace == Workplace.REMOTE:
            where = ", ".join(self.remote_states) if self.remote_states else "anywhere in the US"
            return f"Remote ({where})"
        if self.workplace == Workplace.HYBRID:
            return f"Hybrid, {place}"
        return place

    @property
    def salary_display(self) -> str:
        if self.salary_min is None and self.salary_max is None:
            return ""

        def money(value: Decimal) -> str:
            return f"${value:,.2f}" if self.salary_period == SalaryPeriod.HOUR else f"${value:,.0f}"

        values = [v for v in (self.salary_min, self.salary_max) if v is not None]
        amount = " to ".join(money(v) for v in dict.fromkeys(values))
        return f"{amount} {self.get_salary_period_display()}"

    def specialty_labels(self) -> list[str]:
        labels = dict(Specialty.choices)
        return [labels.get(s, s) for s in self.specialties]

    # ---- moderation and lifecycle ----------------------------------------------------------

    def submit(self) -> None:
        """Publish, or hold for review: an employer's first posting and flagged postings wait for staff."""
        self.flag_reasons = scam_flags(self)
        others = Job.objects.filter(owner=self.owner).exclude(pk=self.pk)
        trusted = (self.reviewed_at is not None and self.status != self.Status.REJECTED) or others.filter(
            reviewed_at__isnull=False
        ).exclude(status=self.Status.REJECTED).exists()
        # An employer with a rejected posting stays under review.
        if self.flag_reasons or not trusted or others.filter(status=self.Status.REJECTED).exists():
            self.status = self.Status.PENDING
        else:
            self.status = self.Status.LIVE
            self.published_at = self.published_at or timezone.now()
        self.save()

    def approve(self, *, by) -> None:
        self.status = self.Status.LIVE
        self.reviewed_by = by
        self.reviewed_at = timezone.now()
        self.published_at = self.published_at or timezone.now()
        self.save()
        self.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())

    def reject(self, *, by) -> None:
        self.status = self.Status.REJECTED
        self.reviewed_by = by
        self.reviewed_at = timezone.now()
        self.save()
        self.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())

    def close(self) -> None:
        self.status = self.Status.CLOSED
        self.closed_at = timezone.now()
        self.save()

    def renew(self) -> None:
        """Run again for the default duration from today (expired or closed postings come back)."""
        self.expires_on = default_expiry()
        self.closed_at = None
        if self.status == self.Status.CLOSED:
            self.status = self.Status.LIVE
        if self.status == self.Status.LIVE:
            self.published_at = timezone.now()
        self.save()

    def duplicate(self) -> "Job":
        """A new draft with the same content, for a similar opening."""
        copy = Job.objects.get(pk=self.pk)
        copy.pk = None
        copy.title = f"{self.title} (copy)"[:120]
        copy.status = self.Status.DRAFT
        copy.expires_on = default_expiry()
        copy.flag_reasons = []
        copy.reviewed_by = copy.reviewed_at = copy.published_at = copy.closed_at = None
        copy.view_count = copy.apply_count = 0
        copy.created_at = timezone.now()
        copy.save()
        return copy

    def record_view(self) -> None:
        Job.objects.filter(pk=self.pk).update(view_count=F("view_count") + 1)

    def record_apply_click(self) -> None:
        Job.objects.filter(pk=self.pk).update(apply_count=F("apply_count") + 1)


class JobReport(models.Model):
    class Reason(models.TextChoices):
        SCAM = "scam", "Scam or asks applicants for money"
        MISLEADING = "misleading", "Misleading or inaccurate"
        NOT_CODING = "not_coding", "Not a coding, billing or auditing job"
        OFFENSIVE = "offensive", "Offensive or discriminatory"
        FILLED = "filled", "Already filled or gone"
        OTHER = "other", "Something else"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    details = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on job {self.job_id}"


class SavedJob(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_jobs")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "job"], name="jobs_savedjob_once")]

    def __str__(self) -> str:
        return f"{self.user} saved {self.job_id}"


class SavedSearch(models.Model):
    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    # The search as a query string of /jobs/ (filters only, no page or sort).
    query = models.CharField(max_length=1000)
    name = models.CharField(max_length=200)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.DAILY)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "query"], name="jobs_savedsearch_once")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("jobs:index") + (f"?{self.query}" if self.query else "")

    def is_due(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        if not self.active:
            return False
        if self.last_sent_at is None:
            return True
        # An hour's slack so a daily run at a drifting time still sends every day.
        period = datetime.timedelta(days=1 if self.frequency == self.Frequency.DAILY else 7)
        return now - self.last_sent_at >= period - datetime.timedelta(hours=1)


class SentAlert(models.Model):
    """A job that went out in a saved search's digest: each job is sent once per saved search."""

    saved_search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="sent")
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["saved_search", "job"], name="jobs_sentalert_once")]

    def __str__(self) -> str:
        return f"job {self.job_id} sent to search {self.saved_search_id}"
