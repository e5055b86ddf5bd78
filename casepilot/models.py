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


class GuideQuerySet(models.QuerySet):
    def search(self, query: str, limit: int = 5) -> list["Guide"]:
        """Guides ranked for a free-text question (see casepilot.guides.find_guides)."""
        from casepilot.guides import find_guides

        return find_guides(query, limit=limit, queryset=self)


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

    objects = GuideQuerySet.as_manager()

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
