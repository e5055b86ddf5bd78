"""The claim check page's form: repeated inputs (one per diagnosis, four per service line) read into
the API's request shape, so the page and the API share one validation (`claim.parse`).

Without JavaScript the form is plain HTML: it shows the rows entered plus a few empty ones, and
"Add rows" submits it to get more. The script (static/js/claim_check.js) adds and removes rows in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms

from .claim import MAX_DIAGNOSES, MAX_LINES, SETTINGS, SEXES

EMPTY_DIAGNOSES = 4  # empty inputs shown under those entered
EMPTY_LINES = 2
POINTER_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXY"  # the CMS-1500 points with letters A-L


@dataclass
class Row:
    code: str = ""
    modifiers: str = ""
    units: str = ""
    pointers: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class ClaimForm:
    """What the page shows in its inputs, and the request it makes of them."""

    date_of_service: str = ""
    setting: str = "practitioner"
    age: str = ""
    sex: str = ""
    diagnoses: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    settings = SETTINGS
    sexes = SEXES

    @classmethod
    def from_post(cls, post) -> ClaimForm:
        codes, modifiers = post.getlist("line_code"), post.getlist("line_modifiers")
        units, pointers = post.getlist("line_units"), post.getlist("line_pointers")
        rows = []
        for i in range(min(len(codes), MAX_LINES * 2)):
            row = Row(
                code=codes[i].strip(),
                modifiers=_at(modifiers, i),
                units=_at(units, i),
                pointers=_at(pointers, i),
            )
            if row.code or row.modifiers or row.units or row.pointers:
                rows.append(row)
        return cls(
            date_of_service=post.get("date_of_service", "").strip(),
            setting=post.get("setting", "practitioner"),
            age=post.get("age", "").strip(),
            sex=post.get("sex", "").strip().upper(),
            diagnoses=[d.strip() for d in post.getlist("dx")[: MAX_DIAGNOSES * 2] if d.strip()],
            rows=rows,
        )

    @classmethod
    def from_claim(cls, data: dict) -> ClaimForm:
        """A saved claim (the request shape) back in the form's inputs."""
        patient = data.get("patient") or {}
        return cls(
            date_of_service=data.get("date_of_service", ""),
            setting=data.get("setting", "practitioner"),
            age="" if patient.get("age") is None else str(patient["age"]),
            sex=patient.get("sex", ""),
            diagnoses=list(data.get("diagnoses", [])),
            rows=[
                Row(
                    code=line["code"],
                    modifiers=" ".join(line.get("modifiers", [])),
                    units=str(line.get("units", 1)),
                    pointers=" ".join(map(str, line.get("diagnosis_pointers", []))),
                )
                for line in data.get("lines", [])
            ],
        )

    def request(self) -> dict:
        """The API's request shape; values the form cannot read are passed on for parse() to refuse."""
        patient = {}
        if self.age:
            patient["age"] = int(self.age) if self.age.isdigit() else self.age
        if self.sex:
            patient["sex"] = self.sex
        return {
            "date_of_service": self.date_of_service,
            "setting": self.setting,
            "patient": patient,
            "diagnoses": self.diagnoses,
            "lines": [
                {
                    "code": row.code,
                    "modifiers": _split(row.modifiers),
                    "units": int(row.units) if row.units.isdigit() else (row.units or 1),
                    "diagnosis_pointers": [_pointer(p) for p in _split(row.pointers)],
                }
                for row in self.rows
            ],
        }

    def refuse(self, errors: dict[str, str]) -> None:
        """Put parse()'s messages beside the inputs they are about."""
        self.errors = errors
        for name, message in errors.items():
            where = re.match(r"lines\[(\d+)\]\.?(\w*)", name)
            if where and int(where.group(1)) <= len(self.rows):
                label = where.group(2).replace("_", " ") or "line"
                self.rows[int(where.group(1)) - 1].errors.append(f"{label}: {message}")

    def messages(self) -> list[str]:
        """Every error in words, for the summary above the form."""
        return [f"{_label(name)}: {message}" for name, message in self.errors.items()]

    def shown_diagnoses(self) -> list[str]:
        return self.diagnoses + [""] * max(EMPTY_DIAGNOSES, 1 if not self.diagnoses else 0)

    def shown_rows(self, extra: int = EMPTY_LINES) -> list[Row]:
        return self.rows + [Row() for _ in range(extra if self.rows else max(extra, 2))]


def _at(values: list[str], i: int) -> str:
    return values[i].strip() if i < len(values) else ""


def _split(value: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", value.strip().upper()) if part]


def _pointer(value: str):
    if value.isdigit():
        return int(value)
    if len(value) == 1 and value in POINTER_LETTERS:
        return POINTER_LETTERS.index(value) + 1
    return value  # parse() says what a pointer must be


def _label(name: str) -> str:
    """ "lines[2].units" -> "Line 2, units"; "diagnoses[3]" -> "Diagnosis 3"."""
    name = re.sub(r"^lines\[(\d+)\]\.?", lambda m: f"Line {m.group(1)}, ", name)
    name = re.sub(r"^diagnoses\[(\d+)\]", lambda m: f"Diagnosis {m.group(1)}", name)
    return name.replace("_", " ").replace("patient.", "patient ").rstrip(", ").capitalize()


class BatchForm(forms.Form):
    file = forms.FileField(
        label="CSV file of service lines",
        help_text="Up to 10,000 service lines, with the header below. UTF-8.",
    )

    MAX_BYTES = 2_000_000

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB: split it.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text: save it as CSV UTF-8.") from None


class SaveForm(forms.Form):
    name = forms.CharField(max_length=100, strip=True)
