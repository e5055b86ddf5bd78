"""A claim as the check reads it, and the one place its input is validated.

The API's JSON, the page's form and each claim of a CSV batch all become the same dict, which
`parse()` turns into a `Claim` or refuses with a message per field (`ClaimError.errors`, keyed
`date_of_service`, `patient.age`, `diagnoses[2]`, `lines[3].units`...: positions are 1-based,
as on a claim form and in the findings).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from codes import asof
from codes.models import compact_code

SETTINGS = {"practitioner": "Practitioner", "outpatient": "Outpatient hospital"}
SEXES = {"F": "Female", "M": "Male"}
MAX_DIAGNOSES = 25  # an institutional claim holds 25; a CMS-1500 12
MAX_LINES = 50
MAX_MODIFIERS = 4
MAX_POINTERS = 4
MAX_UNITS = 9999

# The shapes of each code set's codes (with or without the dot), before any table is read.
ICD10CM_SHAPE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$")
PROCEDURE_SHAPE = re.compile(r"^([0-9]{4}[0-9A-Z]|[A-Z][0-9]{4})$")
MODIFIER_SHAPE = re.compile(r"^[0-9A-Z]{2}$")

FIELDS = {"date_of_service", "setting", "patient", "diagnoses", "lines"}
PATIENT_FIELDS = {"age", "sex"}
LINE_FIELDS = {"code", "modifiers", "units", "diagnosis_pointers"}


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, as on the claim
    code: str
    modifiers: tuple[str, ...] = ()
    units: int = 1
    pointers: tuple[int, ...] = ()


@dataclass(frozen=True)
class Claim:
    date_of_service: datetime.date
    setting: str = "practitioner"
    age: int | None = None
    sex: str | None = None
    diagnoses: tuple[str, ...] = ()  # canonical ICD-10-CM codes as typed (dot added), in claim order
    lines: tuple[Line, ...] = ()

    def as_json(self) -> dict:
        """The request shape again: what a saved claim stores and the page fills its form with."""
        patient = {k: v for k, v in (("age", self.age), ("sex", self.sex)) if v is not None}
        return {
            "date_of_service": self.date_of_service.isoformat(),
            "setting": self.setting,
            **({"patient": patient} if patient else {}),
            "diagnoses": list(self.diagnoses),
            "lines": [
                {
                    "code": line.code,
                    "modifiers": list(line.modifiers),
                    "units": line.units,
                    "diagnosis_pointers": list(line.pointers),
                }
                for line in self.lines
            ],
        }


@dataclass
class ClaimError(ValueError):
    errors: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{name}: {message}" for name, message in self.errors.items())


def icd10cm_code(value: str) -> str:
    """ "e1122" -> "E11.22": the dotted form the tables hold."""
    compact = compact_code(value)
    return compact if len(compact) <= 3 else f"{compact[:3]}.{compact[3:]}"


def _whole(value, low: int, high: int) -> int | None:
    """An int from low to high, else None. JSON true/false are not numbers here; 2.0 is 2 (JSON Schema's
    integers include whole-valued numbers)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def _unknown(data: dict, allowed: set[str], prefix: str, errors: dict[str, str]) -> None:
    for name in sorted(set(data) - allowed):
        errors[f"{prefix}{name}"] = f"unknown field (allowed: {', '.join(sorted(allowed))})"


def _line(data, number: int, errors: dict[str, str]) -> Line | None:
    where = f"lines[{number}]"
    if not isinstance(data, dict):
        errors[where] = "each line is an object with code, modifiers, units and diagnosis_pointers"
        return None
    _unknown(data, LINE_FIELDS, f"{where}.", errors)
    code = data.get("code")
    if not isinstance(code, str) or not PROCEDURE_SHAPE.fullmatch(code.upper()):
        errors[f"{where}.code"] = "a CPT or HCPCS Level II code of 5 characters (e.g. 99214, J1100)"
        code = ""
    modifiers = data.get("modifiers", [])
    if not isinstance(modifiers, list) or len(modifiers) > MAX_MODIFIERS:
        errors[f"{where}.modifiers"] = f"a list of at most {MAX_MODIFIERS} modifiers"
        modifiers = []
    elif not all(isinstance(m, str) and MODIFIER_SHAPE.fullmatch(m.upper()) for m in modifiers):
        errors[f"{where}.modifiers"] = "each modifier is 2 letters or digits (e.g. 25, 59, RT)"
        modifiers = []
    units = _whole(data.get("units", 1), 1, MAX_UNITS)
    if units is None:
        errors[f"{where}.units"] = f"a whole number from 1 to {MAX_UNITS}"
    pointers = data.get("diagnosis_pointers", [])
    if (
        not isinstance(pointers, list)
        or len(pointers) > MAX_POINTERS
        or any(_whole(p, 1, MAX_DIAGNOSES) is None for p in pointers)
    ):
        errors[f"{where}.diagnosis_pointers"] = (
            f"a list of at most {MAX_POINTERS} diagnosis positions, each from 1 to {MAX_DIAGNOSES}"
        )
        pointers = []
    if code and units is not None:
        return Line(
            number=number,
            code=code.upper(),
            modifiers=tuple(m.upper() for m in modifiers),
            units=units,
            pointers=tuple(_whole(p, 1, MAX_DIAGNOSES) for p in pointers),
        )
    return None


def parse(data) -> Claim:
    """The claim in `data` (the API's request shape), or ClaimError with a message per field."""
    if not isinstance(data, dict):
        raise ClaimError({"claim": "send a JSON object with date_of_service, setting, diagnoses and lines"})
    errors: dict[str, str] = {}
    _unknown(data, FIELDS, "", errors)
    day = None
    if not isinstance(data.get("date_of_service"), str):
        errors["date_of_service"] = "required: the date of service, YYYY-MM-DD"
    else:
        try:
            day = asof.parse(data["date_of_service"])
        except asof.BadDate as bad:
            errors["date_of_service"] = str(bad)
    setting = data.get("setting", "practitioner")
    if not isinstance(setting, str) or setting not in SETTINGS:
        errors["setting"] = f"one of {', '.join(SETTINGS)}"
    # Absent means unknown; a null or blank value is refused, so that no typo passes as "unknown".
    age = sex = None
    patient = data.get("patient", {})
    if not isinstance(patient, dict):
        errors["patient"] = "an object with age and sex"
        patient = {}
    _unknown(patient, PATIENT_FIELDS, "patient.", errors)
    if "age" in patient:
        age = _whole(patient["age"], 0, 124)
        if age is None:
            errors["patient.age"] = "whole years from 0 to 124 (leave it out when unknown)"
    if "sex" in patient:
        sex = patient["sex"] if isinstance(patient["sex"], str) and patient["sex"] in SEXES else None
        if sex is None:
            errors["patient.sex"] = "F or M (leave it out when unknown)"
    diagnoses = data.get("diagnoses", [])
    if not isinstance(diagnoses, list) or len(diagnoses) > MAX_DIAGNOSES:
        errors["diagnoses"] = f"a list of at most {MAX_DIAGNOSES} ICD-10-CM codes, in claim order"
        diagnoses = []
    for position, code in enumerate(diagnoses, start=1):
        if not isinstance(code, str) or not ICD10CM_SHAPE.fullmatch(code.upper()):
            errors[f"diagnoses[{position}]"] = "an ICD-10-CM code (e.g. E11.22)"
    lines = data.get("lines", [])
    if not isinstance(lines, list) or not 1 <= len(lines) <= MAX_LINES:
        errors["lines"] = f"a list of 1 to {MAX_LINES} service lines"
        lines = []
    parsed = [_line(line, number, errors) for number, line in enumerate(lines, start=1)]
    if errors:
        raise ClaimError(errors)
    return Claim(
        date_of_service=day,
        setting=setting,
        age=age,
        sex=sex,
        diagnoses=tuple(icd10cm_code(code) for code in diagnoses),
        lines=tuple(parsed),
    )
