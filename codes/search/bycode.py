"""Queries that name codes: exact (`M48.56XA`, `m4856xa`, `M4856A` without the placeholder X),
partial (`E11.2` and its codes), ranges (`J1100-J1200`, `E11.2-`), a system named with its
code (`DRG 470`), modifiers (`mod 25`); and codes named beside words (`I10 hypertension`)."""

from __future__ import annotations

from django.db.models import Q

from codes.models import BROWSE_KINDS, Code, Kind, System, compact_code

from .filters import Filters
from .lexicon import is_abbreviation
from .parsing import MODIFIER, RANGE, SYSTEM_NAMED, looks_like_code, with_placeholder

SYSTEMS = [s.value for s in System]
# Columns of codes_code a result needs (its link, badges and title).
CODE_FIELDS = ["system", "code", "kind", "title", "short_title", "billable", "deleted", "termination_date"]


def all_systems(rows):
    # The (system, compact) index only serves lookups that name the systems.
    return rows.filter(system__in=SYSTEMS)


def code_matches(query: str, filters: Filters):
    """(exact codes, a queryset of the other codes it names, how) for a query that names codes;
    None for a word query."""
    text = query.strip()
    pages = filters.queryset(Code.objects.only(*CODE_FIELDS))
    none = pages.none()
    modifier = MODIFIER.match(text)
    if modifier:
        exact = list(all_systems(pages).filter(kind=Kind.MODIFIER, compact=modifier.group(1).upper()))
        return exact, none, "modifier"
    named = SYSTEM_NAMED.match(text)
    if named and looks_like_code(named.group("code")):
        name = named.group("system").lower().replace("-", "")
        system = {"msdrg": "ms-drg", "drg": "ms-drg", "cpt": "cpt", "hcpcs": "hcpcs", "icd10pcs": "icd-10-pcs"}.get(
            name, "icd-10-pcs" if name == "pcs" else "icd-10-cm"
        )
        compact = compact_code(named.group("code"))
        if system == "ms-drg":
            compact = compact.zfill(3)
        exact = list(pages.filter(system=system, compact__in=[compact, *with_placeholder(compact)]))
        others = pages.filter(system=system, compact__startswith=compact).exclude(pk__in=[c.pk for c in exact])
        return exact, others.exclude(kind__in=BROWSE_KINDS).order_by("compact"), "code"
    span = RANGE.match(text)
    if span and looks_like_code(span.group(1)) and looks_like_code(span.group(2)):
        low, high = compact_code(span.group(1)), compact_code(span.group(2))
        if low > high:
            low, high = high, low
        rows = all_systems(pages).filter(Q(compact__gte=low, compact__lte=high) | Q(compact__startswith=high))
        rows = rows.exclude(kind__in=BROWSE_KINDS).filter(compact__gte=low[:1], compact__lt=low[:1] + "~")
        return [], rows.order_by("system", "compact"), "range"
    tokens = text.split()
    if len(tokens) == 1 and text.endswith("-") and looks_like_code(text[:-1]):
        rows = all_systems(pages).filter(compact__startswith=compact_code(text))
        return [], rows.exclude(kind__in=BROWSE_KINDS).order_by("system", "compact"), "prefix"
    if tokens and all(looks_like_code(t) for t in tokens):
        compacts = [compact_code(t) for t in tokens]
        wanted = set(compacts)
        for c in compacts:
            wanted.update(with_placeholder(c))
        exact = list(all_systems(pages).filter(compact__in=wanted).order_by("system", "compact"))
        if len(tokens) > 1:
            return exact, none, "codes"
        prefix = all_systems(pages).filter(compact__startswith=compacts[0]).exclude(pk__in=[c.pk for c in exact])
        return exact, prefix.exclude(kind__in=BROWSE_KINDS).order_by("system", "compact"), "code"
    if len(tokens) == 1 and len(text) == 2 and text.isalpha():
        # Two letters are most likely a modifier (LT, GA); words still get searched too.
        exact = list(all_systems(pages).filter(kind=Kind.MODIFIER, compact=text.upper()))
        return (exact, none, "modifier") if exact else None
    return None


def codes_beside_words(query: str, filters: Filters) -> tuple[list[Code], str]:
    """(the codes a query names beside its words, the words): a code copied with its description
    ("I10 Essential (primary) hypertension", "99213 office visit") or asked about ("what is E11.9").
    A token counts when it is a code as written (three characters or more, not a chapter or block,
    not an abbreviation coders type: "DM2"): "covid 19", "vitamin b12" and "l5 radiculopathy" name
    no code. Fewer than five digits are a number ("ceftriaxone 250 mg"): a DRG is named as one
    ("DRG 250")."""
    tokens = query.split()
    forms = {
        t: {compact_code(t), *with_placeholder(compact_code(t))}
        for t in tokens
        if len(compact_code(t)) >= 3 and looks_like_code(t) and not (t.isdigit() and len(t) < 5)
    }
    if not forms or len(forms) == len(set(tokens)):
        return [], query
    pages = filters.queryset(Code.objects.only(*CODE_FIELDS))
    wanted = set().union(*forms.values())
    # A code one reports: a header named with words ("E11 with neuropathy") is searched as words.
    reported = all_systems(pages).filter(compact__in=wanted).filter(Q(billable=True) | ~Q(system=System.ICD10CM))
    exact = [c for c in reported.exclude(kind__in=BROWSE_KINDS).order_by("system") if not is_abbreviation(c.code)]
    found = {c.compact for c in exact}
    return exact, " ".join(t for t in tokens if not forms.get(t, set()) & found)
