"""The codes of every system, their releases, changes, notes and plain-language descriptions."""

import hashlib
import json
import re

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

_NOT_CODE_CHARS = re.compile(r"[^A-Z0-9]")


def compact_code(code: str) -> str:
    """The lookup form of a code: upper case, letters and digits only ("m48.56xa" -> "M4856XA")."""
    return _NOT_CODE_CHARS.sub("", code.upper())


class System(models.TextChoices):
    """Code systems; the value is the URL slug."""

    ICD10CM = "icd-10-cm", "ICD-10-CM"
    ICD10PCS = "icd-10-pcs", "ICD-10-PCS"
    HCPCS = "hcpcs", "HCPCS Level II"
    CPT = "cpt", "CPT"
    MSDRG = "ms-drg", "MS-DRG"


class Kind(models.TextChoices):
    """Where a row sits in its system's hierarchy."""

    CHAPTER = "chapter", "Chapter"  # ICD-10-CM chapter ("19")
    SECTION = "section", "Section"  # ICD-10-CM block ("S50-S59"), PCS section ("0"), CPT range
    BODY_SYSTEM = "body_system", "Body system"  # PCS "0Q"
    TABLE = "table", "Table"  # PCS "0QU"
    MDC = "mdc", "Major diagnostic category"  # MS-DRG "MDC 08"
    CATEGORY = "category", "Category"  # ICD-10-CM 3-character code
    SUBCATEGORY = "subcategory", "Subcategory"  # ICD-10-CM 4-6 characters with children
    CODE = "code", "Code"  # anything reportable or a leaf
    MODIFIER = "modifier", "Modifier"  # HCPCS/CPT modifiers


# Kinds that only organise the hierarchy: shown as browse pages, not code pages.
BROWSE_KINDS = {Kind.CHAPTER, Kind.SECTION, Kind.BODY_SYSTEM, Kind.MDC}


class Release(models.Model):
    """One official release file that was imported (one per dataset and version)."""

    dataset = models.CharField(max_length=40, help_text="e.g. icd-10-cm, ncci-ptp-practitioner")
    version = models.CharField(max_length=40, help_text="e.g. 2026-04 or 2024Q3")
    title = models.CharField(max_length=200)
    source = models.TextField(blank=True, help_text="Publisher and file name")
    licence = models.CharField(max_length=200, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    file_name = models.CharField(max_length=300, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    row_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "version"], name="release_unique")]
        ordering = ["dataset", "-effective_date"]

    def __str__(self) -> str:
        return self.title


class CodeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(deleted=False)

    def pages(self):
        """Rows that have a code page (not the browse-only headers)."""
        return self.exclude(kind__in=BROWSE_KINDS)

    def search(self, query: str, **options):
        """Case2Code: the codes a query finds, best first (a `SearchResults`; see codes/search/).
        The options are those of `codes.search.search` (system, billable, limit, as_you_type...)."""
        # codes.search reads these models at import: imported here, where the cycle is closed.
        from codes.search import search

        return search(query, **options)


def page_url(system: str, code: str, kind: str) -> str:
    """The URL of a code's page from its row's values (a list of codes read as dicts has no `Code`)."""
    if kind == Kind.MODIFIER:
        return reverse("codes:modifier", args=[system, code])
    if kind in BROWSE_KINDS:
        return reverse("codes:browse_node", args=[system, code])
    return reverse("codes:code", args=[system, code])


class Code(models.Model):
    system = models.CharField(max_length=12, choices=System.choices)
    code = models.CharField(max_length=16, help_text="Canonical form, e.g. M48.56XA")
    compact = models.CharField(
        max_length=16, help_text="Upper case without dots or spaces, e.g. M4856XA; used for lookup"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CODE)
    title = models.TextField(blank=True, help_text="Official long description")
    short_title = models.CharField(max_length=120, blank=True)
    billable = models.BooleanField(
        default=False, help_text="Valid for submission on a claim (ICD-10-CM/PCS leaf, HCPCS code, ...)"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    # Primary keys of the ancestors, root first: breadcrumbs and inherited notes in one query.
    lineage = models.JSONField(default=list, blank=True)
    sort_key = models.CharField(max_length=40, blank=True, help_text="Order among siblings")
    # System-specific attributes (PCS axes, HCPCS coverage/BETOS/..., DRG weights, CC/MCC).
    data = models.JSONField(default=dict, blank=True)

    release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_release = models.ForeignKey(Release, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    effective_date = models.DateField(null=True, blank=True)
    termination_date = models.DateField(null=True, blank=True)
    deleted = models.BooleanField(default=False, help_text="Not in the latest release, or terminated")
    replaced_by = models.CharField(max_length=100, blank=True, help_text="Codes that replaced a deleted code")

    objects = CodeQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="code_unique")]
        indexes = [
            models.Index(fields=["system", "compact"], name="code_compact"),
            models.Index(fields=["system", "kind", "sort_key"], name="code_kind_sort"),
            models.Index(fields=["parent", "sort_key"], name="code_parent_sort"),
        ]
        ordering = ["system", "sort_key", "code"]

    def __str__(self) -> str:
        return f"{self.get_system_display()} {self.code}"

    def get_absolute_url(self) -> str:
        return page_url(self.system, self.code, self.kind)

    @property
    def is_header(self) -> bool:
        return not self.billable and self.kind in {Kind.CATEGORY, Kind.SUBCATEGORY, Kind.TABLE}

    @cached_property
    def display_title(self) -> str:
        """What a page heading and <title> lead with: the official title, else (a CPT code
        without the licensed descriptor) our editors' short title, else the short one."""
        if self.title or self.system != System.CPT:
            return self.title or self.short_title
        plain = self.published_plain
        return (plain.short_title if plain else "") or self.short_title

    @cached_property
    def published_plain(self) -> "PlainDescription | None":
        """Our editors' published plain-language description, read once per code object: the
        page shows it and (a CPT code) leads its heading with its short title."""
        return PlainDescription.objects.filter(
            system=self.system, code=self.code, status=PlainDescription.Status.PUBLISHED
        ).first()


class CodeChange(models.Model):
    """What a release changed: a code added, its title revised, or the code deleted."""

    class Change(models.TextChoices):
        ADDED = "added", "Added"
        REVISED = "revised", "Title revised"
        DELETED = "deleted", "Deleted"
        RESTORED = "restored", "Reinstated"

    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="changes")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="changes")
    change = models.CharField(max_length=10, choices=Change.choices)
    old_title = models.TextField(blank=True)
    new_title = models.TextField(blank=True)

    class Meta:
        ordering = ["-release__effective_date", "code__code"]

    def __str__(self) -> str:
        return f"{self.get_change_display()}: {self.code_id} in {self.release_id}"


class Note(models.Model):
    """A tabular note on a code or a header (ICD-10-CM), inherited by everything under it."""

    class Type(models.TextChoices):
        INCLUSION = "inclusion", "Inclusion terms"
        INCLUDES = "includes", "Includes"
        EXCLUDES1 = "excludes1", "Excludes1"
        EXCLUDES2 = "excludes2", "Excludes2"
        CODE_FIRST = "code_first", "Code first"
        USE_ADDITIONAL = "use_additional", "Use additional code"
        CODE_ALSO = "code_also", "Code also"
        NOTE = "note", "Note"
        SEVENTH = "seventh", "7th character"
        SEVENTH_NOTE = "seventh_note", "7th character note"

    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="notes")
    type = models.CharField(max_length=16, choices=Type.choices)
    text = models.TextField()
    # For 7th characters: the character itself ("A"); otherwise blank.
    key = models.CharField(max_length=4, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["code", "type", "position"], name="note_code_type")]
        ordering = ["code", "type", "position"]

    # Every type but inclusion terms applies to the code's children too.
    INHERITED = frozenset(Type) - {Type.INCLUSION}

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.text[:60]}"


class PlainDescription(models.Model):
    """A plain-language ("Common Language") description written by the site's editors.

    `bundled_sha` is the digest of the row's editorial fields as the last import wrote them:
    while the row still matches it, the bundled file owns the row; once an editor changes
    anything in the admin (or elsewhere), it no longer matches and imports leave it alone."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    system = models.CharField(max_length=12, choices=System.choices)
    code = models.CharField(max_length=16, help_text="Canonical code, as on the code page")
    short_title = models.CharField(
        max_length=70, blank=True, help_text="Our own title (CPT): the page heading, <title> and search results"
    )
    text = models.TextField()
    sources = models.JSONField(default=list, blank=True, help_text="Public sources that confirm the text")
    reviewed = models.DateField(null=True, blank=True, help_text="When the text was last checked")
    author = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)
    published = models.DateTimeField(null=True, blank=True)
    bundled_sha = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "code"], name="plain_unique")]

    def __str__(self) -> str:
        return f"{self.system} {self.code}"

    def content_sha(self) -> str:
        return editorial_sha(
            short_title=self.short_title,
            text=self.text,
            sources=self.sources,
            reviewed=self.reviewed,
            author=self.author,
        )

    @property
    def edited(self) -> bool:
        """Changed since the bundled file last wrote it (or never written by an import)."""
        return self.content_sha() != self.bundled_sha


def editorial_sha(*, short_title: str, text: str, sources: list[str], reviewed, author: str) -> str:
    """Digest of the fields an editor may change; `reviewed` is a date, its ISO string or None."""
    reviewed = reviewed.isoformat() if hasattr(reviewed, "isoformat") else reviewed or ""
    fields = [short_title, text, list(sources), reviewed, author]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


class PcsDefinition(models.Model):
    """ICD-10-PCS definition of an axis value (root operation, approach, device, body part...)."""

    section = models.CharField(max_length=1)
    axis = models.PositiveSmallIntegerField(help_text="Character position, 1-7")
    axis_title = models.CharField(max_length=60)
    value = models.CharField(max_length=1, blank=True)
    term = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    explanation = models.TextField(blank=True)
    includes = models.JSONField(default=list, blank=True)
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["section", "axis", "term"], name="pcsdef_term")]

    def __str__(self) -> str:
        return f"{self.section}/{self.axis} {self.term}"


class ProcessingNote(models.Model):
    """HCPCS processing note text, referenced by number from the HCPCS record."""

    number = models.CharField(max_length=4, unique=True)
    text = models.TextField()

    def __str__(self) -> str:
        return f"Processing note {self.number}"


class GemMapping(models.Model):
    """General Equivalence Mapping between ICD-9-CM and ICD-10-CM diagnosis codes."""

    class Direction(models.TextChoices):
        TO_ICD9 = "10to9", "ICD-10-CM to ICD-9-CM"
        TO_ICD10 = "9to10", "ICD-9-CM to ICD-10-CM"

    direction = models.CharField(max_length=5, choices=Direction.choices)
    source = models.CharField(max_length=8, help_text="As in the GEM file, no dot")
    target = models.CharField(max_length=8, help_text="As in the GEM file, no dot")
    icd10 = models.CharField(max_length=8, db_index=True, help_text="The ICD-10-CM side, canonical with dot")
    approximate = models.BooleanField(default=False)
    no_map = models.BooleanField(default=False)
    combination = models.BooleanField(default=False)
    scenario = models.PositiveSmallIntegerField(default=0)
    choice_list = models.PositiveSmallIntegerField(default=0)
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.source} -> {self.target} ({self.direction})"


# ---------------------------------------------------------------------------
# Case2Code search (codes/search.py): synonyms, the search index and its word list.


# One-letter shorthand joined by a slash is one word: "s/p" -> "sp", "w/o" -> "wo", "w/" -> "w"
# (else "s" and "t", stop words, would vanish from "s/p" and "t/o"). The search reads queries the same way.
