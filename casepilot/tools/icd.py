"""ICD-10-CM tools: tabular notes and conventions, CC/MCC severity, ICD-9-CM mappings (GEMs)."""

from __future__ import annotations

from codes.importers.gems import icd9_dotted
from codes.models import CcCode, Code, DrgCcExclusion, GemMapping, System, compact_code
from codes.sections import cc as cc_section
from codes.sections import notes as notes_section
from codes.sections.gems import NOTE, flags_in_words

from .base import Citation, ToolResult, code_citation, code_ref, find_codes, not_found


def icd10cm_notes(code: str, *, types: list[str] | None = None) -> ToolResult:
    """Tabular notes of an ICD-10-CM code and those it inherits; 7th characters and placeholder X.
    `types` narrows the notes to some kinds ("excludes1", "code_first", "seventh", ...)."""
    rows = find_codes(code, system=System.ICD10CM)
    if not rows:
        return not_found("icd10cm_notes", code, System.ICD10CM)
    row = rows[0]
    ctx = notes_section.context(row)
    cite = [code_citation(row)]
    if not ctx:
        return ToolResult(
            "icd10cm_notes",
            True,
            [f"ICD-10-CM {row.code} has no tabular notes of its own or from the levels above it."],
            cite,
            [code_ref(row)],
            {"code": row.code, "groups": [], "seventh": None},
        )
    facts = [f"ICD-10-CM {row.code} ({row.title}): its notes, with those it inherits from the levels above it."]
    wanted = set(types or [])
    shown_groups = [g for g in ctx["groups"] if not wanted or g["type"] in wanted]
    if wanted and not shown_groups and not ("seventh" in wanted and ctx["seventh"]):
        asked = ", ".join(sorted(wanted - {"seventh"})) or "7th character"
        facts.append(f"{row.code} has no {asked} note, of its own or inherited.")
    for group in shown_groups:
        for source in group["sources"]:
            where = f" (from {source['from']['kind']} {source['from']['code']})" if source["from"] else ""
            facts.append(f"{group['label']}{where}: " + "; ".join(source["notes"]) + ".")
            if source["from"] and source["from"]["url"] not in {c.url for c in cite}:
                cite.append(
                    Citation(f"ICD-10-CM {source['from']['code']}: {source['from']['title']}", source["from"]["url"])
                )
        if group["help"]:
            facts.append(f"({group['label']} means: {group['help']})")
    seventh = ctx["seventh"]
    if seventh and (not wanted or "seventh" in wanted or not shown_groups):
        chars = "; ".join(f"{c['char']} {c['text']}" for c in seventh["characters"])
        where = f" (defined at {seventh['from']['kind']} {seventh['from']['code']})" if seventh["from"] else ""
        facts.append(f"7th characters{where}: {chars}.")
        if seventh["placeholder"]:
            facts.append(seventh["placeholder"])
        for note in seventh["notes"]:
            facts.append(f"7th character note: {note}")
        if row.data.get("needs_seventh") or (not row.billable and seventh["base"] == row.code):
            facts.append(f"{row.code} needs a 7th character to be billable.")
    return ToolResult("icd10cm_notes", True, facts, cite, [code_ref(row)], {"code": row.code, **ctx})


def cc_mcc(code: str, *, principal: str | None = None) -> ToolResult:
    """MS-DRG severity of an ICD-10-CM code as a secondary diagnosis; with a `principal` diagnosis,
    whether the principal's PDX exclusion (Table 6K) cancels it."""
    rows = find_codes(code, system=System.ICD10CM)
    if not rows:
        return not_found("cc_mcc", code, System.ICD10CM)
    row = rows[0]
    ctx = cc_section.context(row)
    if ctx is None:
        why = "it is not billable" if not row.billable else "the MS-DRG tables are not loaded"
        return ToolResult(
            "cc_mcc", False, [f"No CC/MCC status for {row.code}: {why}."], [code_citation(row)], [code_ref(row)]
        )
    facts = [f"{row.code} as a secondary diagnosis: {ctx['explanation']} ({ctx['release']})."]
    level = ctx["level"]
    if not level:
        facts.insert(0, f"No: {row.code} is not a CC or MCC (a non-CC) as a secondary diagnosis.")
    elif not principal:
        # The answer first, in the words of the question ("Is J96.01 an MCC?"), then its terms.
        facts.insert(
            0,
            f"{row.code} is {'an' if level == 'MCC' else 'a'} {level} as a secondary diagnosis, unless the principal "
            "diagnosis is on its PDX exclusion list.",
        )
    # Table 6K part 2, as the MS-DRG files list it: a few codes count only for a patient discharged alive.
    if ctx["discharged_alive_only"]:
        facts.append(
            f"{row.code} counts as {'an' if level == 'MCC' else 'a'} {level} only if the patient is discharged alive "
            "(Table 6K part 2); for a patient who died during the stay it is a non-CC."
        )
    excluded = None
    if principal and level:
        pdx = find_codes(principal, system=System.ICD10CM)
        cc = CcCode.objects.filter(code=row.code).first()
        if pdx and cc and cc.exclusion_list is not None:
            pdx_code = pdx[0].code
            excluded = DrgCcExclusion.objects.filter(list_number=cc.exclusion_list, pdx=pdx_code).exists()
            if excluded:
                facts.insert(
                    0,
                    f"No: with {pdx_code} as the principal diagnosis, {row.code} is excluded as a {level} and counts as "
                    f"a non-CC: {pdx_code} is on its PDX exclusion list {cc.exclusion_list:04d} (Table 6K).",
                )
            else:
                facts.insert(
                    0,
                    f"Yes: with {pdx_code} as the principal diagnosis, {row.code} is {'an' if level == 'MCC' else 'a'} "
                    f"{level}: {pdx_code} is not on its PDX exclusion list {cc.exclusion_list:04d} (Table 6K).",
                )
    if ctx["exclusions"] and excluded is None:
        ex = ctx["exclusions"]
        facts.append(
            f"It is excluded as a CC/MCC with {ex['count']} principal diagnoses (PDX exclusion list {ex['list_number']})."
        )
    return ToolResult(
        "cc_mcc",
        True,
        facts,
        [code_citation(row)],
        [code_ref(row)],
        {"code": row.code, "level": ctx["level"] or "non-CC"},
    )


def crosswalk(code: str) -> ToolResult:
    """General Equivalence Mappings: ICD-9-CM to ICD-10-CM, or an ICD-10-CM code back to ICD-9-CM."""
    compact = compact_code(code)
    icd10 = (
        find_codes(code, system=System.ICD10CM)
        if "." in code or (compact[:1].isalpha() and compact[:1] not in "VE")
        else []
    )
    if icd10:
        row = icd10[0]
        maps = list(
            GemMapping.objects.filter(icd10=row.code, direction=GemMapping.Direction.TO_ICD9).select_related("release")
        )
        if not maps:
            return ToolResult(
                "crosswalk",
                False,
                [f"ICD-10-CM {row.code} has no ICD-9-CM mapping in the GEMs."],
                [code_citation(row)],
                [code_ref(row)],
            )
        targets = (
            "; ".join(f"{icd9_dotted(m.target)} ({', '.join(flags_in_words(m))})" for m in maps if not m.no_map)
            or "no equivalent code"
        )
        facts = [f"ICD-10-CM {row.code} ({row.title}) maps to ICD-9-CM {targets} in the {maps[0].release.title}.", NOTE]
        return ToolResult(
            "crosswalk",
            True,
            facts,
            [code_citation(row)],
            [code_ref(row)],
            {"icd10": row.code, "icd9": [m.target for m in maps]},
        )
    maps = list(
        GemMapping.objects.filter(source=compact, direction=GemMapping.Direction.TO_ICD10).select_related("release")
    )
    shown = icd9_dotted(compact)
    if not maps:
        return ToolResult(
            "crosswalk", False, [f"ICD-9-CM {shown} is not in the diagnosis GEMs loaded here."], data={"icd9": shown}
        )
    if all(m.no_map for m in maps):
        return ToolResult(
            "crosswalk",
            True,
            [f"ICD-9-CM {shown} has no ICD-10-CM equivalent in the GEMs (no map).", NOTE],
            data={"icd9": shown},
        )
    rows = {c.code: c for c in Code.objects.filter(system=System.ICD10CM, code__in=[m.icd10 for m in maps])}
    parts = [
        f"{m.icd10} {rows[m.icd10].title if m.icd10 in rows else ''} ({', '.join(flags_in_words(m))})".replace(
            "  ", " "
        )
        for m in maps
        if not m.no_map
    ]
    facts = [f"ICD-9-CM {shown} maps to ICD-10-CM {'; '.join(parts)} in the {maps[0].release.title}.", NOTE]
    refs = [code_ref(r) for r in rows.values()]
    return ToolResult(
        "crosswalk",
        True,
        facts,
        [code_citation(r) for r in rows.values()][:5],
        refs,
        {"icd9": shown, "icd10": [m.icd10 for m in maps]},
    )
