"""Browsable ICD-10-CM index tables: the Index to External Causes, the Table of Drugs
and Chemicals and the Neoplasm Table, one letter at a time.

A letter's terms are read in one query and split into pages of PAGE_SIZE rows
(the External Cause index has over 3,000 terms under "A"); a page that starts inside
a term repeats that term's ancestors as "continued" rows so the indentation makes
sense. Code cells link to the code page; codes that are not valid in the imported
tabular (see codes/importers/icd10cm_index.py) carry a visible warning.
"""

from __future__ import annotations

from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from .models import IndexTerm, Release

PAGE_SIZE = 250
INDEXES = {
    IndexTerm.Index.EXTERNAL_CAUSE: {
        "title": "Index to External Causes",
        "term": "Term",
        "columns": ["Code"],
        "about": "External cause codes (V00-Y99) by the event, place or activity that caused an injury.",
    },
    IndexTerm.Index.DRUGS: {
        "title": "Table of Drugs and Chemicals",
        "term": "Substance",
        "columns": [
            "Poisoning, accidental (unintentional)",
            "Poisoning, intentional self-harm",
            "Poisoning, assault",
            "Poisoning, undetermined",
            "Adverse effect",
            "Underdosing",
        ],
        "about": "Poisoning, adverse effect and underdosing codes for each drug or chemical.",
    },
    IndexTerm.Index.NEOPLASM: {
        "title": "Neoplasm Table",
        "term": "Neoplasm site",
        "columns": [
            "Malignant primary",
            "Malignant secondary",
            "Ca in situ",
            "Benign",
            "Uncertain behavior",
            "Unspecified behavior",
        ],
        "about": "Neoplasm codes by site and behavior. Sites are listed by their first letter.",
    },
}
FIELDS = (
    "id",
    "parent_id",
    "level",
    "title",
    "nemod",
    "code",
    "see",
    "see_also",
    "cells",
    "invalid_codes",
)


def _fiscal_year(release: Release | None) -> str:
    if release is None:
        return "the current release"
    return f"FY{release.version[:4]}" if release.version[:4].isdigit() else release.version


def _cell(code: str, invalid: set[str], url_template: str) -> dict | None:
    if not code:
        return None
    target = code.rstrip("-")
    return {
        "code": code,
        "url": url_template.replace("__code__", quote(target)),
        "invalid": code in invalid,
    }


def _row(term: dict, *, table: bool, url_template: str, continued: bool = False) -> dict:
    invalid = set(term["invalid_codes"])
    codes = term["cells"] if table else [term["code"]]
    return {
        "level": term["level"],
        "indent": term["level"] * 1.5,
        "title": term["title"],
        "nemod": term["nemod"],
        "see": term["see"],
        "see_also": term["see_also"],
        "continued": continued,
        "cells": [] if continued else [_cell(code, invalid, url_template) for code in codes],
        "has_code": any(codes),
    }


def _ancestors(first: dict, by_id: dict[int, dict]) -> list[dict]:
    """The terms above `first`, root first, read from the page's letter or the database."""
    chain, parent_id = [], first["parent_id"]
    while parent_id:
        term = by_id.get(parent_id) or IndexTerm.objects.filter(pk=parent_id).values(*FIELDS).first()
        if term is None:
            break
        chain.append(term)
        parent_id = term["parent_id"]
    return chain[::-1]


def index_table(request: HttpRequest, index: str) -> HttpResponse:
    if index not in INDEXES:
        raise Http404("No such table")
    meta = INDEXES[index]
    table = index != IndexTerm.Index.EXTERNAL_CAUSE
    terms = IndexTerm.objects.filter(index=index)
    letters = list(terms.order_by("letter").values_list("letter", flat=True).distinct())
    letter = (request.GET.get("letter") or (letters[0] if letters else "")).upper()[:1]
    if letters and letter not in letters:
        raise Http404("No terms under that letter")

    rows, page = [], None
    if letters:
        letter_terms = list(terms.filter(letter=letter).order_by("position").values(*FIELDS))
        page = Paginator(letter_terms, PAGE_SIZE).get_page(request.GET.get("page"))
        url_template = reverse("codes:code", args=["icd-10-cm", "__code__"])
        on_page = list(page.object_list)
        by_id = {term["id"]: term for term in letter_terms}
        rows = [_row(t, table=table, url_template=url_template, continued=True) for t in _ancestors(on_page[0], by_id)]
        rows += [_row(t, table=table, url_template=url_template) for t in on_page]

    source = Release.objects.filter(dataset=f"icd-10-cm-{index}").order_by("-effective_date").first()
    current = Release.objects.filter(dataset="icd-10-cm").order_by("-effective_date").first()
    context = {
        "index": index,
        "meta": meta,
        "table": table,
        "letters": letters,
        "letter": letter,
        "page": page,
        "rows": rows,
        "source": source,
        "current": current,
        "fiscal_year": _fiscal_year(current),
        "indexes": [(slug, info["title"]) for slug, info in INDEXES.items()],
    }
    return render(request, "codes/index_table.html", context)
