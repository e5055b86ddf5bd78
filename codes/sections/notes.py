"""ICD-10-CM tabular notes of a code page: the code's own notes and those it inherits
from every level above it (a category's Excludes1 applies to each code in it), grouped
by type, and the 7th-character table for codes under a 7th-character definition.

Inclusion terms defined on a category or subcategory apply to the codes beneath it too
(S72.001A is a "Fracture of hip NOS" because S72.0 says so); they are shown with the level
that lists them, as other inherited notes are, but never from a chapter or section. At most
three queries: the ancestors (shared with the page, `codes.sections.ancestors`), all their notes, and the 7th-character codes that exist.
"""

from __future__ import annotations

from codes.models import Code, Kind, Note, System, page_url
from codes.sections import ancestors
from codes.sections.guidelines import convention

# Display order: what the code covers, what it does not, then sequencing instructions.
ORDER = [
    Note.Type.NOTE,
    Note.Type.INCLUSION,
    Note.Type.INCLUDES,
    Note.Type.EXCLUDES1,
    Note.Type.EXCLUDES2,
    Note.Type.CODE_FIRST,
    Note.Type.USE_ADDITIONAL,
    Note.Type.CODE_ALSO,
]
HELP = {
    Note.Type.NOTE: "",
    Note.Type.INCLUSION: "Conditions coded here (examples, not a complete list).",
    Note.Type.INCLUDES: "Further defines or gives examples of the content of the code.",
    Note.Type.EXCLUDES1: "Not coded here: the excluded condition is never coded together with this one.",
    Note.Type.EXCLUDES2: "Not included here: the patient may have both conditions, and both may be coded.",
    Note.Type.CODE_FIRST: "Sequence the underlying condition first, then this code.",
    Note.Type.USE_ADDITIONAL: "Add another code to describe the condition fully.",
    Note.Type.CODE_ALSO: "Two codes may be needed; the sequencing depends on the encounter.",
}
LABELS = {**{t: t.label for t in Note.Type}, Note.Type.NOTE: "Notes"}


def _level(node: dict) -> dict:
    """How to name and link the level a note comes from."""
    kind = node["kind"]
    shown = node["data"].get("range", node["code"]) if kind == Kind.SECTION else node["code"]
    url = page_url(System.ICD10CM, node["code"], kind)
    kind_label = Kind(kind).label.lower() if kind in Kind.values else kind
    return {
        "code": shown,
        "kind": kind_label,
        "title": node["title"],
        "url": url,
        "label": f"From {kind_label} {shown} — {node['title']}",
    }


def _lists_inclusions(node: dict | None) -> bool:
    """Levels whose inclusion terms the codes below share: categories and subcategories (and a
    code that 7th characters extend), not chapters or sections."""
    return node is not None and node["kind"] in (Kind.CATEGORY, Kind.SUBCATEGORY, Kind.CODE)


def _seventh(code: Code, nodes: dict[int, dict], path: list[int], notes: list[dict]) -> dict | None:
    """The 7th-character table from the nearest level that defines one."""
    defined_at = next(
        (pk for pk in reversed(path) if any(n["code_id"] == pk and n["type"] == Note.Type.SEVENTH for n in notes)),
        None,
    )
    if defined_at is None:
        return None
    characters: list[dict] = []
    for note in notes:
        if note["code_id"] != defined_at or note["type"] != Note.Type.SEVENTH:
            continue
        if characters and characters[-1]["char"] == note["key"]:
            characters[-1]["also"].append(note["text"])  # an inclusion term of the character
        else:
            characters.append(
                {
                    "char": note["key"],
                    "text": note["text"],
                    "also": [],
                    "code": "",
                    "url": "",
                    "current": False,
                }
            )
    seventh_notes = [n["text"] for n in notes if n["code_id"] == defined_at and n["type"] == Note.Type.SEVENTH_NOTE]

    # The code the characters are added to: this code if it waits for one, or its parent
    # if it is one of the expanded codes. Higher headers get the table without codes.
    base = None
    if code.data.get("needs_seventh"):
        base = {"code": code.code, "compact": code.compact}
    elif code.data.get("seventh") and code.parent_id in nodes:
        parent = nodes[code.parent_id]
        base = {"code": parent["code"], "compact": parent["compact"]}
    placeholder = ""
    if base:
        padded = f"{base['compact']:X<6}"
        candidates = {c["char"]: f"{padded[:3]}.{padded[3:]}{c['char']}" for c in characters}
        existing = set(
            Code.objects.filter(system=System.ICD10CM, code__in=candidates.values(), deleted=False).values_list(
                "code", flat=True
            )
        )
        for c in characters:
            full = candidates[c["char"]]
            if full in existing:
                c["code"] = full
                c["url"] = page_url(System.ICD10CM, full, Kind.CODE)
            c["current"] = full == code.code
        if len(base["compact"]) < 6:
            missing = 6 - len(base["compact"])
            example = candidates[characters[0]["char"]] if characters else ""
            placeholder = (
                f"{base['code']} has {len(base['compact'])} characters: fill position"
                f"{'s' if missing > 1 else ''} {', '.join(str(p) for p in range(len(base['compact']) + 1, 7))} "
                f"with the placeholder X before the 7th character (for example {example})."
            )
    return {
        "from": _level(nodes[defined_at]) if defined_at != code.pk else None,
        "notes": seventh_notes,
        "characters": characters,
        "base": base["code"] if base else "",
        "placeholder": placeholder,
        # Codes whose 7th character does not apply are simply absent (e.g. S06 with 6th character 7 or 8).
        "partial": bool(base) and any(not c["code"] for c in characters),
    }


def context(code: Code) -> dict | None:
    if code.system != System.ICD10CM:
        return None
    path = [*code.lineage, code.pk]
    nodes = {
        a.pk: {"pk": a.pk, "code": a.code, "compact": a.compact, "kind": a.kind, "title": a.title, "data": a.data}
        for a in ancestors(code)
    }
    nodes[code.pk] = {
        "pk": code.pk, "code": code.code, "compact": code.compact, "kind": code.kind, "title": code.title, "data": code.data,
    }  # fmt: skip
    notes = list(
        Note.objects.filter(code_id__in=path).order_by("position").values("code_id", "type", "text", "key", "position")
    )
    if not notes:
        return None

    groups = []
    for note_type in ORDER:
        sources = []
        # Nearest level first: the code's own notes, then its parent's, up to the chapter.
        for pk in reversed(path):
            inherited = note_type in Note.INHERITED or (
                note_type == Note.Type.INCLUSION and _lists_inclusions(nodes.get(pk))
            )
            if pk != code.pk and not inherited:
                continue
            texts = [n["text"] for n in notes if n["code_id"] == pk and n["type"] == note_type]
            if texts and pk in nodes:
                sources.append(
                    {
                        "from": None if pk == code.pk else _level(nodes[pk]),
                        "notes": texts,
                    }
                )
        if sources:
            groups.append(
                {
                    "type": str(note_type),
                    "label": LABELS[note_type],
                    "help": HELP[note_type],
                    "sources": sources,
                    "guidelines": convention(note_type),
                }
            )

    seventh = _seventh(code, nodes, path, notes)
    if not groups and not seventh:
        return None
    return {"groups": groups, "seventh": seventh}
