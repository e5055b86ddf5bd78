"""Search's own tables: synonyms, the search entries and their words."""

import re

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from .codesets import Code, System

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
