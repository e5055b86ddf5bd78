"""The ICD-10-CM Alphabetic Index and the Official Guidelines for Coding and Reporting."""

import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection, models
from django.urls import reverse

from .codesets import Release, System


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
