"""ICD-9-CM equivalents of an ICD-10-CM code from the diagnosis GEMs, both ways: what the
code maps to (forward, ICD-10-CM to ICD-9-CM) and which ICD-9-CM codes map to it
(backward). One query for both directions."""

from __future__ import annotations

from codes.importers.gems import icd9_dotted
from codes.models import Code, GemMapping, Release, System

NOTE = (
    "The General Equivalence Mappings are a translation aid for data and research (for example, "
    "comparing ICD-9-CM and ICD-10-CM records), not a coding tool: code from the medical record "
    "with the ICD-10-CM index and tabular list."
)


def flags_in_words(mapping: GemMapping) -> list[str]:
    words = []
    if mapping.no_map:
        return ["no map: no equivalent code"]
    words.append("approximate" if mapping.approximate else "identical")
    if mapping.combination:
        words.append(f"combination: scenario {mapping.scenario}, choice list {mapping.choice_list}")
    return words


def _row(mapping: GemMapping) -> dict:
    icd9 = mapping.target if mapping.direction == GemMapping.Direction.TO_ICD9 else mapping.source
    return {
        "icd9": icd9_dotted(icd9),
        "approximate": mapping.approximate,
        "no_map": mapping.no_map,
        "combination": mapping.combination,
        "scenario": mapping.scenario,
        "choice_list": mapping.choice_list,
        "flags": flags_in_words(mapping),
    }


def context(code: Code) -> dict | None:
    if code.system != System.ICD10CM:
        return None
    mappings = list(
        GemMapping.objects.filter(icd10=code.code)
        .select_related("release")
        .order_by("direction", "scenario", "choice_list", "source", "target")
    )
    if not mappings:
        return None
    release: Release = mappings[0].release
    forward = [_row(m) for m in mappings if m.direction == GemMapping.Direction.TO_ICD9]
    backward = [_row(m) for m in mappings if m.direction == GemMapping.Direction.TO_ICD10]
    return {
        "release": release.title,
        "version": release.version,
        "note": NOTE,
        "forward": forward,
        "backward": backward,
        "combination": any(row["combination"] for row in forward + backward),
    }
