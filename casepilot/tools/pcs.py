"""ICD-10-PCS root operations from the CMS definitions file (PcsDefinition, section 0, axis 3).

A question names a root operation ("What is the root operation Excision?", "Excision vs Resection")
or describes a procedure ("root operation for a balloon angioplasty"): the first gets the
definition, explanation and examples as CMS writes them; the second the root operations whose
examples ("includes") and definition share the procedure's words, best first.
"""

from __future__ import annotations

import itertools
import re

from django.db.models.functions import Lower

from codes.models import Code, IndexTerm, PcsDefinition, System, normalize_index_text

from .base import Citation, ToolResult

DEFINITIONS = (
    "ICD-10-PCS Definitions (CMS), Medical and Surgical section, character 3 (root operation)",
    "https://www.cms.gov/medicare/coding-billing/icd-10-codes/icd-10-pcs",
)
ROOT_AXIS = 3
MEDICAL_SURGICAL = "0"
# Word endings that name a procedure (the Greek and Latin surgical suffixes) and a few plain names.
PROCEDURE_WORD = re.compile(
    r"(plasty|ectomy|otomy|ostomy|scopy|pexy|rrhaphy|centesis|lysis|tripsy|desis|biopsy|graft|reduction|"
    r"repair|implant\w*|transplant\w*|amputation|drainage|suture|suturing|bypass|fusion|release)$"
)
STOP = {
    "what", "which", "is", "the", "a", "an", "of", "for", "root", "operation", "operations", "pcs", "icd", "10",
    "code", "does", "mean", "meaning", "and", "or", "to", "in", "on", "with", "vs", "versus", "between",
    "difference", "how", "do", "i", "it", "this", "that", "procedure", "patient", "body", "part",
}  # fmt: skip


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ations", "ation", "ing", "ies", "es", "s", "y"):
        if len(word) > 5 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word.rstrip("e")[:6] if len(word) > 4 else word[:6]  # "suture" and "suturing" alike


def _words(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[a-z]+", text.lower()) if w not in STOP and len(w) > 2}


def _fact(row: PcsDefinition) -> str:
    fact = f"Root operation {row.term} (3rd character {row.value}): {row.definition}."
    if row.explanation:
        fact += f" {row.explanation}."
    if row.includes:
        fact += f" Examples: {', '.join(row.includes)}."
    return fact


def root_operations() -> list[PcsDefinition]:
    return list(
        PcsDefinition.objects.filter(section=MEDICAL_SURGICAL, axis=ROOT_AXIS)
        .select_related("release")
        .order_by("term")
    )


def pcs_root_operation(question: str) -> ToolResult:
    """The root operation(s) a question names, or those whose definition and examples fit the
    procedure it describes (Medical and Surgical section)."""
    rows = root_operations()
    if not rows:
        return ToolResult("pcs_root_operation", False, ["The ICD-10-PCS definitions are not loaded on this site."])
    # "Root operation for removal of a kidney stone" describes a procedure (Extirpation), whatever
    # root operation's name its words happen to use; without "for" the question names them.
    describes = re.search(r"\b(for|to code|when)\b", question, re.I)
    named = [] if describes else [r for r in rows if re.search(rf"\b{re.escape(r.term)}\b", question, re.I)]
    how = "named"
    if not named:
        asked = _words(question)
        # A procedure's name ("angioplasty", "biopsy") says what was done, the other words mostly where
        # ("coronary artery"): the root operation is the objective, so the name weighs most.
        procedure = {_stem(w) for w in re.findall(r"[a-z]+", question.lower()) if PROCEDURE_WORD.search(w)}
        scored = []
        for row in rows:
            examples = _words(" ".join(row.includes))
            score = sum(4 if w in procedure else 1 for w in asked & examples) + len(
                asked & _words(f"{row.term} {row.definition} {row.explanation}")
            )
            if score:
                scored.append((score, row))
        scored.sort(key=lambda pair: -pair[0])
        # The best, and a close second (the coder decides between them by the definitions).
        named = [row for score, row in scored[:2] if score >= max(2, scored[0][0] - 1)] if scored else []
        how = "matched"
    if not named:
        return ToolResult(
            "pcs_root_operation",
            False,
            ["No root operation's definition or examples match this procedure; name the procedure's objective "
             "(taking out, putting in, repairing...) or the root operation."],
        )  # fmt: skip
    facts = []
    if how == "matched":
        facts.append(
            f"The root operation for this procedure is {named[0].term} (ICD-10-PCS 3rd character {named[0].value}): "
            "it is chosen by the objective of the procedure, as the definitions say (guideline B3.1a)."
        )
    facts += [_fact(r) for r in named]
    release = named[0].release.title if named[0].release_id else ""
    cite = Citation(f"{DEFINITIONS[0]}{f' ({release})' if release else ''}", DEFINITIONS[1])
    return ToolResult(
        "pcs_root_operation",
        True,
        facts,
        [cite],
        [],
        {"root_operations": [{"term": r.term, "value": r.value, "definition": r.definition} for r in named]},
    )


def names_procedure(text: str) -> bool:
    """Whether a question with no code set named describes a procedure: a word with a surgical
    suffix ("cholecystectomy"), or a main term of the ICD-10-PCS Index that leads to a root
    operation or a code ("Cesarean section", see Extraction, Products of Conception 10D0), not
    one that only names a body part or a device."""
    words = normalize_index_text(text).split()
    if any(PROCEDURE_WORD.search(word) for word in words):
        return True
    keys = set(words) | {" ".join(pair) for pair in itertools.pairwise(words)}
    return (
        IndexTerm.objects.filter(index=IndexTerm.Index.PCS, level=0)
        .annotate(key=Lower("title"))
        .filter(key__in=keys)
        .exclude(see="", code="")
        .exists()
    )


DIAGNOSTIC = re.compile(r"\bbiops(y|ies)\b", re.I)


def as_documented(query: str, rows: list[Code]) -> list[Code]:
    """ICD-10-PCS codes as the procedure's words read: a biopsy is the root operation with the
    qualifier Diagnostic (Index: Biopsy, see Excision with qualifier Diagnostic; guideline B3.4a),
    so a code found without it gives way to its sibling with it (0DBN8ZZ -> 0DBN8ZX)."""
    if not DIAGNOSTIC.search(query):
        return rows
    wanted = {row.code[:6] + "X" for row in rows if row.system == System.ICD10PCS and row.code[6:] != "X"}
    diagnostic = {c.code[:6]: c for c in Code.objects.filter(system=System.ICD10PCS, code__in=wanted, deleted=False)}
    found, seen = [], set()
    for row in rows:
        if row.system == System.ICD10PCS:
            row = diagnostic.get(row.code[:6], row)
        if row.pk not in seen:
            seen.add(row.pk)
            found.append(row)
    return found
