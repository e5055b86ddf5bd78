"""ICD-10-PCS: what each of a code's seven characters means, with the official definition
of the value (root operation, approach...) and the terms a body part or device includes;
for a table (first three characters), the official table grid. One query either way:
the axes are stored on the code, the definitions come from PcsDefinition (a code
deleted before the current tables takes one more query to read its table).
"""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from codes.models import Code, Kind, PcsDefinition, System

# Sample codes linked from each row of a table page.
SAMPLES_PER_ROW = 3


def _definitions(section: str, wanted: list[tuple[int, str]]) -> dict[tuple[int, str], PcsDefinition]:
    """The definitions of (axis, term) pairs of one section, in one query."""
    if not wanted:
        return {}
    query = Q()
    for axis, term in wanted:
        query |= Q(axis=axis, term=term)
    return {(d.axis, d.term): d for d in PcsDefinition.objects.filter(query, section=section)}


def _terms(axis: dict, body_system: str) -> list[str]:
    # Devices are defined per body system ("Synthetic Substitute in Lower Bones") or once.
    return [f"{axis['label']} in {body_system}", axis["label"]]


def _described(axis: dict, definitions: dict, body_system: str) -> dict:
    found = next(
        (definitions[(axis["pos"], term)] for term in _terms(axis, body_system) if (axis["pos"], term) in definitions),
        None,
    )
    return {
        "pos": axis["pos"],
        "title": axis["title"],
        "value": axis["value"],
        "label": axis["label"],
        "definition": found.definition if found else axis.get("definition", ""),
        "explanation": found.explanation if found else "",
        "includes": found.includes if found else [],
    }


def _axes_from_table(code: Code) -> list[dict]:
    """A code that only an older code list had (deleted since) stores no axes: read the
    labels its characters still have in its table. One query."""
    table = Code.objects.filter(pk=code.parent_id, kind=Kind.TABLE).values_list("data", flat=True).first()
    if not table or len(code.code) != 7:
        return []
    axes = [dict(axis) for axis in table.get("axes", [])]
    for pos in range(4, 8):
        char = code.code[pos - 1]
        found = next(
            (
                (axis["title"], value["label"])
                for row in table.get("rows", [])
                for axis in row
                if axis["pos"] == pos
                for value in axis["values"]
                if value["value"] == char
            ),
            None,
        )
        title, label = found or ("", "(not in the current table)")
        axes.append({"pos": pos, "title": title, "value": char, "label": label})
    return axes


def _code_context(code: Code) -> dict | None:
    axes = code.data.get("axes") or (_axes_from_table(code) if code.parent_id else [])
    if not axes:
        return None
    section, body_system = code.code[0], axes[1]["label"]
    wanted = [(axis["pos"], term) for axis in axes[2:] for term in _terms(axis, body_system)]
    definitions = _definitions(section, wanted)
    return {
        "kind": "code",
        "code": code.code,
        "table": {
            "code": code.code[:3],
            "url": reverse("codes:code", args=[System.ICD10PCS, code.code[:3]]),
        },
        "axes": [_described(axis, definitions, body_system) for axis in axes],
    }


def _row_samples(table: str, row: list[dict]) -> list[dict]:
    """A few valid codes of a row: the first value of each column, then the next values
    of the body part column (or of the first column with more than one value)."""
    firsts = [axis["values"][0]["value"] for axis in row]
    varying = next((i for i, axis in enumerate(row) if len(axis["values"]) > 1), None)
    codes = [table + "".join(firsts)]
    if varying is not None:
        for value in row[varying]["values"][1:SAMPLES_PER_ROW]:
            chars = [*firsts]
            chars[varying] = value["value"]
            codes.append(table + "".join(chars))
    return [{"code": c, "url": reverse("codes:code", args=[System.ICD10PCS, c])} for c in codes]


def _table_context(code: Code) -> dict | None:
    head, rows = code.data.get("axes"), code.data.get("rows")
    if not head or not rows:
        return None
    section, body_system = code.code[0], head[1]["label"]
    # The root operation's explanation and examples, and the definitions of the approaches.
    wanted = [(3, head[2]["label"])]
    wanted += sorted(
        {(axis["pos"], v["label"]) for row in rows for axis in row if axis["pos"] == 5 for v in axis["values"]}
    )
    definitions = _definitions(section, wanted)
    grid = []
    for row in rows:
        columns = []
        for axis in row:
            values = []
            for value in axis["values"]:
                found = definitions.get((axis["pos"], value["label"]))
                values.append({**value, "definition": found.definition if found else ""})
            columns.append({"pos": axis["pos"], "title": axis["title"], "values": values})
        count = 1
        for axis in row:
            count *= len(axis["values"])
        grid.append(
            {
                "columns": columns,
                "count": count,
                "samples": _row_samples(code.code, row),
            }
        )
    return {
        "kind": "table",
        "code": code.code,
        "axes": [_described(axis, definitions, body_system) for axis in head],
        "column_titles": [axis["title"] for axis in rows[0]],
        "rows": grid,
        "count": sum(row["count"] for row in grid),
    }


def context(code: Code) -> dict | None:
    if code.system != System.ICD10PCS:
        return None
    if code.kind == Kind.TABLE:
        return _table_context(code)
    if code.kind == Kind.CODE:
        return _code_context(code)
    return None
