"""The code sets: codes of every system, their notes and the data related to them.

One `Code` table holds every code of every system (and the header rows of each
hierarchy: ICD-10-CM chapters and sections, PCS sections, body systems and tables,
HCPCS ranges, MDCs). Data that belongs to a pair of codes or that has many rows
per code (NCCI edits, MUEs, RVUs, GEMs, index entries) has a table of its own keyed
by code *strings*, not foreign keys: the CMS files name codes that other files do
not define (a CPT code only known from the fee schedule), and a page joins them by
code at read time.
"""

import datetime
import hashlib
import json
import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from .personal import CodeNote, CodeView, FavouriteCode  # noqa: F401 (their models live there)

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
        if self.kind == Kind.MODIFIER:
            return reverse("codes:modifier", args=[self.system, self.code])
        if self.kind in BROWSE_KINDS:
            return reverse("codes:browse_node", args=[self.system, self.code])
        return reverse("codes:code", args=[self.system, self.code])

    @property
    def is_header(self) -> bool:
        return not self.billable and self.kind in {Kind.CATEGORY, Kind.SUBCATEGORY, Kind.TABLE}

    @cached_property
    def display_title(self) -> str:
        """What a page heading and <title> lead with: the official title, else (a CPT code
        without the licensed descriptor) our editors' short title, else the short one."""
        if self.title or self.system != System.CPT:
            return self.title or self.short_title
        ours = PlainDescription.objects.filter(
            system=self.system, code=self.code, status=PlainDescription.Status.PUBLISHED
        ).values_list("short_title", flat=True)
        return next(iter(ours), "") or self.short_title


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


class IndexTermQuerySet(models.QuerySet):
    def main_index(self):
        """The Index to Diseases and Injuries (the main Alphabetic Index)."""
        return self.filter(index=IndexTerm.Index.MAIN)

    def main_terms(self, letter: str):
        """The main terms of the main index under one letter, in book order."""
        return self.main_index().filter(level=0, letter=letter.upper()[:1]).order_by("position")

    def lookup(self, term: str):
        """Entries of the main index whose path (main term, subterms, nonessential modifiers)
        holds every word of `term`: a main term that is the term itself first, then main terms
        that start with it, then shallow entries before deep ones, in book order.

        `search_text` is the lower-case path; on PostgreSQL a trigram index answers the
        `LIKE '%word%'` of each word (codes/migrations/0005_index_guidelines.py)."""
        words = normalize_index_text(term).split()
        if not words:
            return self.none()
        rows = self.main_index()
        for word in words[:8]:
            rows = rows.filter(search_text__contains=word)
        phrase = " ".join(words)
        return rows.annotate(
            rank=models.Case(
                models.When(level=0, search_key=phrase, then=0),
                models.When(level=0, search_key__startswith=phrase, then=1),
                default=2,
                output_field=models.IntegerField(),
            )
        ).order_by("rank", "level", "position")

    def leading_to(self, compact: str, *, below: bool = False):
        """Entries of the ICD-10-CM indexes (main and external causes) whose code is `compact`
        or one of its headers (E11.22 is reached from "E11.2-" and "E11.-" too); with `below`,
        also the entries that point at codes under it (for a category page)."""
        prefixes = [compact[:n] for n in range(3, len(compact) + 1)]
        match = models.Q(code_compact__in=prefixes)
        if below:
            match |= models.Q(code_compact__startswith=compact)
        return (
            self.filter(match, index__in=[IndexTerm.Index.MAIN, IndexTerm.Index.EXTERNAL_CAUSE])
            .annotate(
                exact=models.Case(
                    models.When(code_compact=compact, then=0), default=1, output_field=models.IntegerField()
                )
            )
            .order_by("exact", "-code_compact", "index", "position")
        )


def normalize_index_text(text: str) -> str:
    """Lower case, without accents or punctuation: how index paths are matched."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


class IndexTerm(models.Model):
    """An entry of an alphabetic index or table: the Index to Diseases and Injuries, the
    External Cause index, Table of Drugs and Chemicals, Neoplasm Table (ICD-10-CM) or the
    ICD-10-PCS index."""

    class Index(models.TextChoices):
        MAIN = "main", "Index to Diseases and Injuries"
        EXTERNAL_CAUSE = "eindex", "Index to External Causes"
        DRUGS = "drugs", "Table of Drugs and Chemicals"
        NEOPLASM = "neoplasm", "Neoplasm Table"
        PCS = "pcs", "ICD-10-PCS Index"

    class Status(models.TextChoices):
        """What the entry's code is in the current (FY2026) tabular."""

        NONE = "", "No code"
        VALID = "valid", "Valid code"
        INCOMPLETE = "incomplete", "Needs more characters"
        INVALID = "invalid", "Not a code in the current release"

    index = models.CharField(max_length=10, choices=Index.choices)
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    # The main term above a subterm (None for main terms): a subterm links to its main term's page.
    main = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(default=0, help_text="0 = main term")
    position = models.PositiveIntegerField(help_text="Document order within the index")
    letter = models.CharField(max_length=1, blank=True, db_index=True)
    title = models.TextField()
    slug = models.SlugField(max_length=120, blank=True, help_text="Main terms of the main index: URL within the letter")
    nemod = models.CharField(max_length=300, blank=True, help_text="Nonessential modifiers")
    code = models.CharField(max_length=16, blank=True)
    code_compact = models.CharField(max_length=16, blank=True, db_index=True)
    # Bracketed manifestation codes, when the file has them (the official XML; not the flat copy).
    manif = models.JSONField(default=list, blank=True)
    see = models.TextField(blank=True)
    see_also = models.TextField(blank=True)
    # The terms "see" and "see also" name, resolved at import (None: a general instruction
    # such as "see condition", or a name the index does not have).
    see_target = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    see_also_target = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # "Main term > subterm > subterm", and its lower-case form with the nonessential modifiers (search).
    path = models.TextField(blank=True)
    search_text = models.TextField(blank=True)
    search_key = models.CharField(max_length=300, blank=True, help_text="The title, normalised")
    # The code's FY2026 resolution: status, and for a header the valid codes under it (at most
    # COMPLETIONS_SHOWN; completion_count says how many there are).
    code_status = models.CharField(max_length=10, choices=Status.choices, blank=True, default="")
    completions = models.JSONField(default=list, blank=True)
    completion_count = models.PositiveIntegerField(default=0)
    # Table cells: the codes of the table's columns, in order ("" for "--").
    cells = models.JSONField(default=list, blank=True)
    # Per code in `code` and `cells`: is it a valid code in the current release?
    invalid_codes = models.JSONField(default=list, blank=True)

    objects = IndexTermQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["index", "letter", "position"], name="indexterm_letter"),
            models.Index(fields=["index", "letter", "slug"], name="indexterm_slug"),
        ]
        ordering = ["index", "position"]

    def __str__(self) -> str:
        return f"{self.get_index_display()}: {self.title[:60]}"

    def get_absolute_url(self) -> str:
        """A main-index term's place on its main term's page; other indexes: their letter's page."""
        if self.index == IndexTerm.Index.MAIN:
            main = self.main or self
            url = reverse("codes:index_term", args=[main.letter.lower(), main.slug])
            return url if main is self else f"{url}#{self.anchor}"
        if self.index == IndexTerm.Index.PCS:
            return f"{reverse('codes:pcs_index')}?letter={self.letter}"
        return f"{reverse('codes:index_table', args=[self.index])}?letter={self.letter}"

    @property
    def anchor(self) -> str:
        return f"t{self.position}"


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


class CcCode(models.Model):
    """MS-DRG severity of a secondary diagnosis (Tables 6I/6J/6K): CC or MCC, and the
    number of its PDX exclusion list."""

    class Level(models.TextChoices):
        CC = "CC", "CC (complication or comorbidity)"
        MCC = "MCC", "MCC (major complication or comorbidity)"

    code = models.CharField(max_length=10, help_text="ICD-10-CM code, canonical with dot")
    level = models.CharField(max_length=3, choices=Level.choices)
    exclusion_list = models.PositiveIntegerField(null=True, blank=True)
    discharged_alive_only = models.BooleanField(
        default=False, help_text="Table 6K part 2: a CC/MCC only if the patient is discharged alive"
    )
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "code"], name="cccode_unique")]
        indexes = [models.Index(fields=["code"], name="cccode_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.level}"


class DrgCcExclusion(models.Model):
    """MS-DRG CC exclusion list row (Table 6K part 2): a principal diagnosis on list
    `list_number` makes the CC/MCC codes that point to that list non-CC."""

    list_number = models.PositiveIntegerField()
    pdx = models.CharField(max_length=10, help_text="Principal diagnosis code, canonical form")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["list_number", "pdx"], name="ccexcl_list")]

    def __str__(self) -> str:
        return f"PDX list {self.list_number}: {self.pdx}"


class FeeSchedule(models.Model):
    """Medicare Physician Fee Schedule RVU row (PPRRVU): numeric and indicator columns only."""

    code = models.CharField(max_length=5, db_index=True)
    modifier = models.CharField(max_length=2, blank=True)
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")
    status_code = models.CharField(max_length=1, blank=True)
    work_rvu = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    pe_nonfacility_rvu = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    pe_facility_rvu = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    mp_rvu = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    total_nonfacility = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    total_facility = models.DecimalField(max_digits=8, decimal_places=2, null=True)
    pctc = models.CharField(max_length=1, blank=True)
    global_days = models.CharField(max_length=3, blank=True)
    pre_op = models.DecimalField(max_digits=6, decimal_places=4, null=True)
    intra_op = models.DecimalField(max_digits=6, decimal_places=4, null=True)
    post_op = models.DecimalField(max_digits=6, decimal_places=4, null=True)
    mult_proc = models.CharField(max_length=1, blank=True)
    bilat_surg = models.CharField(max_length=1, blank=True)
    asst_surg = models.CharField(max_length=1, blank=True)
    co_surg = models.CharField(max_length=1, blank=True)
    team_surg = models.CharField(max_length=1, blank=True)
    endo_base = models.CharField(max_length=5, blank=True)
    conversion_factor = models.DecimalField(max_digits=8, decimal_places=4, null=True)
    supervision = models.CharField(max_length=2, blank=True)
    imaging_family = models.CharField(max_length=2, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "code", "modifier"], name="pfs_unique")]
        ordering = ["code", "modifier"]

    def __str__(self) -> str:
        return f"{self.code} {self.modifier}".strip()


class Locality(models.Model):
    """A Medicare payment locality with its GPCIs (GPCI file joined with the locality file)."""

    mac = models.CharField(max_length=5)
    number = models.CharField(max_length=2)
    state = models.CharField(max_length=2)
    name = models.CharField(max_length=120)
    counties = models.TextField(blank=True)
    gpci_work = models.DecimalField(max_digits=5, decimal_places=3)
    gpci_pe = models.DecimalField(max_digits=5, decimal_places=3)
    gpci_mp = models.DecimalField(max_digits=5, decimal_places=3)
    # gpci_work is what CMS pays with (the 1.0 floor applied, while the law extends it).
    gpci_work_unfloored = models.DecimalField(
        max_digits=5, decimal_places=3, null=True, blank=True, help_text="Work GPCI without the 1.0 floor"
    )
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "mac", "number"], name="locality_unique")]
        ordering = ["state", "name"]

    def __str__(self) -> str:
        return f"{self.state} {self.name}"


class Setting(models.TextChoices):
    """Claim type an NCCI edit applies to."""

    PRACTITIONER = "practitioner", "Practitioner"
    OUTPATIENT = "outpatient", "Outpatient hospital"
    DME = "dme", "DME supplier"


class PtpEdit(models.Model):
    """NCCI procedure-to-procedure edit: column 2 is not paid with column 1 on the same day
    unless the modifier indicator allows a modifier."""

    setting = models.CharField(max_length=12, choices=Setting.choices)
    column1 = models.CharField(max_length=5)
    column2 = models.CharField(max_length=5)
    deletion_date = models.DateField(null=True, blank=True)
    modifier_indicator = models.CharField(max_length=1)
    rationale = models.CharField(max_length=120, blank=True)
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [
            # deletion_date in the key: a page counts a code's edits in effect from the index alone.
            models.Index(fields=["column1", "setting", "deletion_date", "column2"], name="ptp_col1"),
            models.Index(fields=["column2", "setting", "deletion_date", "column1"], name="ptp_col2"),
        ]

    MODIFIER_INDICATORS = {
        "0": "Not allowed: no modifier lets the two codes be paid together on the same day.",
        "1": "Allowed: a modifier (59, XE, XS, XP, XU or an anatomic modifier such as RT, LT, F1, T2) on the "
        "column 2 code may bypass the edit when the services are truly separate.",
        "9": "Not applicable: the edit was deleted before it took effect.",
    }
    # NCCI policy manual, chapter XI: 59 and the X modifiers may not be used on an E/M code;
    # a separately identifiable E/M service takes 25, a decision for surgery 57.
    MODIFIER_ALLOWED_EM = (
        "Allowed: modifier 25 (a significant, separately identifiable E/M service) or 57 (the decision "
        "for surgery) on the E/M code may bypass the edit; 59 and the X modifiers may not be used on an E/M code."
    )

    def __str__(self) -> str:
        return f"{self.column1}/{self.column2} ({self.setting})"

    @staticmethod
    def is_em(code: str) -> bool:
        """CPT evaluation and management codes (99202-99499)."""
        return code.isdigit() and "99202" <= code <= "99499"

    @property
    def modifier_meaning(self) -> str:
        """What the indicator allows, worded for the kind of codes in the pair."""
        if self.modifier_indicator == "1" and self.is_em(self.column2):
            return self.MODIFIER_ALLOWED_EM
        return self.MODIFIER_INDICATORS.get(self.modifier_indicator, "")


class Mue(models.Model):
    """NCCI medically unlikely edit: the most units of service normally reported per day."""

    ADJUDICATION = {
        "1": "Line edit: each claim line is checked on its own.",
        "2": "Date of service edit (policy): an absolute limit per day, based on policy.",
        "3": "Date of service edit (clinical): a per-day limit that may be exceeded on appeal with documentation.",
    }

    setting = models.CharField(max_length=12, choices=Setting.choices)
    code = models.CharField(max_length=5, db_index=True)
    units = models.PositiveIntegerField()
    mai = models.CharField(max_length=1, help_text="MUE adjudication indicator")
    rationale = models.CharField(max_length=120, blank=True)
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "setting", "code"], name="mue_unique")]

    def __str__(self) -> str:
        return f"{self.code}: {self.units} ({self.setting})"

    @property
    def mai_meaning(self) -> str:
        return self.ADJUDICATION.get(self.mai, "")


class AddOnEditQuerySet(models.QuerySet):
    def in_effect(self, on: datetime.date | None = None) -> "AddOnEditQuerySet":
        """Edits in effect on a date (default: not deleted), by the CMS file's periods."""
        if on is None:
            return self.filter(deletion_date__isnull=True)
        return self.filter(
            models.Q(effective_date__isnull=True) | models.Q(effective_date__lte=on),
            models.Q(deletion_date__isnull=True) | models.Q(deletion_date__gte=on),
        )


class AddOnEdit(models.Model):
    """NCCI add-on code edit: an add-on code and a primary code it may be reported with."""

    EDIT_TYPES = {
        "1": "Type 1: only paid with the listed primary codes.",
        "2": "Type 2: no specific primary codes; the contractor decides what counts as primary.",
        "3": "Type 3: some primary codes are listed; the contractor may allow others.",
    }

    addon_code = models.CharField(max_length=5, db_index=True)
    primary_code = models.CharField(max_length=5, db_index=True, help_text="CCCCC = no specific primary code")
    edit_type = models.CharField(max_length=1)
    # The CMS file's period of the edit (a pair may be listed for several periods) and its
    # special instructions; files without them (the 2024 pin) leave them blank.
    effective_date = models.DateField(null=True, blank=True)
    deletion_date = models.DateField(null=True, blank=True, help_text="Last day in effect; blank = in effect")
    notes = models.TextField(blank=True, help_text="CMS special instructions")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")

    objects = AddOnEditQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.addon_code} with {self.primary_code}"


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
SLASHED_LETTERS = re.compile(r"(?<![a-z0-9])([a-z])/([a-z]?)(?![a-z0-9])")


def normalize_term(text: str) -> str:
    """Lower case words separated by single spaces: the form synonyms are stored and looked up in."""
    return " ".join(re.findall(r"[a-z0-9]+", SLASHED_LETTERS.sub(r"\1\2", text.lower())))


class Synonym(models.Model):
    """A word or phrase coders type that the code sets word differently.

    Either a *text* synonym (`replacement` set: "heart attack" is also searched as
    "myocardial infarction") applied when a query contains the term, or a *code*
    synonym (`code` set: "cyclothymia" names F34.0) added to that code's search
    document when the index is built.
    """

    class Source(models.TextChoices):
        CURATED = "curated", "Curated list (fixtures/synonyms)"
        INCLUSION = "inclusion", "ICD-10-CM inclusion term"
        INDEX = "index", "ICD-10-CM / PCS index"
        PCS_DEFINITION = "pcs_definition", "ICD-10-PCS definitions (includes)"
        SHORTHAND = "shorthand", "Clinical shorthand (fixtures/shorthand)"
        EDITOR = "editor", "Added by an editor"

    term = models.CharField(max_length=200, help_text="What people type, e.g. heart attack")
    replacement = models.CharField(
        max_length=300, blank=True, help_text="Words to search for as well, e.g. myocardial infarction"
    )
    system = models.CharField(max_length=12, choices=System.choices, blank=True)
    code = models.CharField(max_length=16, blank=True, help_text="Or: the code this term names")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.EDITOR)
    note = models.CharField(max_length=200, blank=True, help_text="Where it comes from")

    class Meta:
        indexes = [
            models.Index(fields=["term"], name="synonym_term"),
            models.Index(fields=["system", "code"], name="synonym_code"),
        ]
        ordering = ["term"]

    def __str__(self) -> str:
        target = self.replacement or f"{self.system} {self.code}"
        return f"{self.term} → {target}"

    def save(self, *args, **kwargs):
        self.term = normalize_term(self.term)
        self.replacement = normalize_term(self.replacement)
        super().save(*args, **kwargs)


class SearchEntry(models.Model):
    """One code's search document, rebuilt by `build_search_index` after every import.

    `title` is the code's own wording (weight A), `extra` its other names: short title,
    plain-language text, inclusion and index terms, code synonyms (weight B). On
    PostgreSQL `vector` holds the weighted tsvector (GIN index); on SQLite an FTS5
    table `codes_search_fts` (rowid = this row's id) holds the same two columns.
    """

    code = models.OneToOneField(Code, on_delete=models.CASCADE, related_name="search_entry")
    system = models.CharField(max_length=12, choices=System.choices)
    title = models.TextField(blank=True)
    extra = models.TextField(blank=True)
    # The title as plain words without its nonessential parts ("(primary)", "unspecified"):
    # a query that is the whole title, or its start, ranks first.
    phrase = models.TextField(blank=True)
    # Copies of the code's columns that filter and rank, so a search reads this table alone.
    compact = models.CharField(max_length=16, blank=True)
    kind = models.CharField(max_length=12, blank=True)
    billable = models.BooleanField(default=False)
    deleted = models.BooleanField(default=False)
    effective_date = models.DateField(null=True, blank=True)
    termination_date = models.DateField(null=True, blank=True)
    vector = SearchVectorField(null=True, blank=True)  # PostgreSQL only; NULL on SQLite
    # What the data says of the code before any query: more index paths lead to it, it is the
    # default (unspecified) code of its category. A factor of the score (codes.search.index).
    prior = models.FloatField(default=1.0)
    # The Alphabetic Index paths leading to the code, for the reason shown ("Fracture, traumatic >
    # hip → S72.00-", one a line), and their words as "|path|path|" for a query that is a path.
    paths = models.TextField(blank=True)
    path_keys = models.TextField(blank=True)

    # Rows are written best first (billable, current, short titles): a word found in tens of
    # thousands of codes is ranked among the first few thousand in table order, not all of them.

    class Meta:
        indexes = [models.Index(fields=["system"], name="searchentry_system")]

    def __str__(self) -> str:
        return f"{self.system} {self.compact}"


class SearchWord(models.Model):
    """Every word of the search documents: the lexicon misspellings are corrected against."""

    word = models.CharField(max_length=60, unique=True)
    count = models.PositiveIntegerField(default=0)
    # {system: share}: how much more often the word is in one code set's documents than in the
    # others' (per document of each set, summing to 1). "injection" is HCPCS, "fracture" ICD-10-CM.
    systems = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.word


# The Official Guidelines for Coding and Reporting (ICD-10-CM and ICD-10-PCS), section by section.


class GuidelineSectionQuerySet(models.QuerySet):
    def get_section(self, number: str, *, system: str = System.ICD10CM) -> "GuidelineSection":
        """The section numbered `number` as the guidelines write it ("I.C.4.a", "Section I.C.4.a.",
        "i.c.4.a"; PCS "B3.1a"); raises GuidelineSection.DoesNotExist."""
        return self.get(system=system, number__iexact=GuidelineSection.clean_number(number))

    def search(self, query: str, *, system: str | None = None):
        """Sections whose title or text holds the words of `query`, best first: full-text
        ranking on PostgreSQL (title weighted above text), every word as a substring on SQLite."""
        rows = self.filter(system=system) if system else self.all()
        words = re.findall(r"\w+", query.lower())[:12]
        if not words:
            return rows.none()
        if connection.vendor == "postgresql":
            search = SearchQuery(" ".join(words), config="english", search_type="plain")
            return (
                rows.filter(search_vector=search)
                .annotate(rank=SearchRank(models.F("search_vector"), search))
                .order_by("-rank", "system", "position")
            )
        for word in words:
            rows = rows.filter(models.Q(title__icontains=word) | models.Q(body__icontains=word))
        return rows.annotate(
            rank=models.Case(
                models.When(title__icontains=words[0], then=1.0), default=0.5, output_field=models.FloatField()
            )
        ).order_by("-rank", "system", "position")


class GuidelineSection(models.Model):
    """One numbered section of the Official Guidelines: "I.C.4.a" (ICD-10-CM) or "B3.1a"
    (ICD-10-PCS), with its own text; the text of its subsections is in their rows."""

    system = models.CharField(max_length=12, choices=System.choices)
    number = models.CharField(max_length=40, help_text="The official numbering, e.g. I.C.4.a")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    level = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveIntegerField(help_text="Document order")
    title = models.TextField(blank=True)
    # Paragraphs separated by blank lines; "• " starts a list item (see codes/guidelines.py).
    body = models.TextField(blank=True)
    page = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Page of the PDF it starts on")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")
    search_vector = SearchVectorField(null=True, blank=True)  # PostgreSQL only; NULL on SQLite

    objects = GuidelineSectionQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "number"], name="guideline_unique")]
        indexes = [models.Index(fields=["system", "position"], name="guideline_position")]
        ordering = ["system", "position"]

    def __str__(self) -> str:
        return f"{self.get_system_display()} guidelines {self.number} {self.title[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("codes:guideline", args=[self.system, self.number])

    @staticmethod
    def clean_number(number: str) -> str:
        """ "Section I.C.4.a." -> "I.C.4.a"; "Appendix I" -> "Appendix-I"."""
        number = re.sub(r"^\s*(section\s+)?", "", number.strip(), flags=re.IGNORECASE)
        number = re.sub(r"^appendix[\s-]*", "Appendix-", number, flags=re.IGNORECASE)
        return number.strip().rstrip(".").replace(" ", "")

    @property
    def label(self) -> str:
        """How the guidelines cite it: "Section I.C.4.a" (ICD-10-CM) or "B3.1a" (PCS)."""
        return f"Section {self.number}" if self.system == System.ICD10CM else self.number

    @property
    def citation(self) -> str:
        """The reference a quote carries: document, edition, section, title and page."""
        page = f", page {self.page}" if self.page else ""
        return f"{self.release.title}, {self.label} ({self.title}){page}"

    def descendants(self):
        """The subsections at every depth, in document order: the rows up to the next section
        at this level or above."""
        rows = GuidelineSection.objects.filter(system=self.system)
        end = rows.filter(position__gt=self.position, level__lte=self.level).order_by("position").first()
        rows = rows.filter(position__gt=self.position)
        return (rows.filter(position__lt=end.position) if end else rows).order_by("position")

    def full_text(self) -> str:
        """The section's text with its subsections', each under its number and title (for quoting)."""
        parts = [self.body]
        for sub in self.descendants():
            parts.append(f"{sub.number} {sub.title}\n{sub.body}".strip())
        return "\n\n".join(p for p in parts if p)
