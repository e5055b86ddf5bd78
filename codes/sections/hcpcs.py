"""HCPCS Level II administrative data of a code or modifier, each value with its meaning.

The meanings follow the CMS HCPCS record layout (2019 edition, fixtures/hcpcs/SOURCE.md)
and its code tables (BETOS, CMS type of service); codes that the layout does not list are
shown without a meaning rather than guessed.
"""

from __future__ import annotations

import datetime
import re

from django.db.models import Q
from django.urls import reverse

from codes.models import Code, Kind, ProcessingNote, System

COVERAGE = {
    "C": "Carrier judgment: the Medicare contractor decides coverage.",
    "D": "Special coverage instructions apply.",
    "I": "Not payable by Medicare (another code is used for Medicare claims).",
    "M": "Not covered by Medicare.",
    "S": "Not covered by Medicare, by statute.",
}

PRICING = {
    "00": "Not separately priced by Part B (not covered, bundled, or Part A only)",
    "11": "Physician fee schedule: price set with national RVUs",
    "12": "Physician fee schedule: price set with national anesthesia base units",
    "13": "Physician fee schedule: priced by the Medicare contractor",
    "21": "Clinical lab fee schedule: subject to the national limitation amount",
    "22": "Clinical lab fee schedule: priced by the Medicare contractor",
    "31": "DMEPOS: frequently serviced DME (floors and ceilings apply)",
    "32": "DMEPOS: inexpensive and routinely purchased DME (floors and ceilings apply)",
    "33": "DMEPOS: oxygen and oxygen equipment (floors and ceilings apply)",
    "34": "DMEPOS: DME supplies (floors and ceilings apply)",
    "35": "DMEPOS: surgical dressings (floors and ceilings apply)",
    "36": "DMEPOS: capped rental DME (floors and ceilings apply)",
    "37": "DMEPOS: ostomy, tracheostomy and urological supplies (floors and ceilings apply)",
    "38": "DMEPOS: orthotics, prosthetics, prosthetic devices and vision services (floors and ceilings apply)",
    "39": "DMEPOS: parenteral and enteral nutrition",
    "45": "DMEPOS: customized DME items",
    "46": "DMEPOS: priced by the Medicare contractor",
    "51": "Drugs",
    "52": "Reasonable charge",
    "53": "Statute",
    "54": "Vaccinations",
    "55": "Splints and casts",
    "56": "Intraocular lenses inserted in a physician's office",
    "57": "Other contractor-priced items",
    "99": "Value not established",
}

MULTIPLE_PRICING = {
    "9": "Not applicable: not separately priced by Part B, or no value established.",
    "A": "Not applicable: priced under one method.",
    "B": "Professional component priced with RVUs; technical component and global service priced by the contractor.",
    "C": "Physician interpretation priced with RVUs under the physician fee schedule; the lab service under the clinical lab fee schedule.",
    "D": "Physician service priced with RVUs; clinical psychologist service under its own fee schedule (not used since 1998).",
    "E": "Physician, clinical psychologist and clinical social worker services each priced under their own schedule (not used since 1998).",
    "F": "Physician service priced by the contractor; psychologist and social worker services under their own schedules (not used since 1998).",
    "G": "Lab service at reasonable charge when billed with blood products, otherwise under the clinical lab fee schedule.",
}

ACTION = {
    "A": "Code added",
    "B": "Administrative data and long description changed",
    "C": "Long description changed",
    "D": "Code discontinued",
    "F": "Administrative data changed",
    "N": "No change",
    "P": "Payment change",
    "R": "Discontinued code reactivated",
    "S": "Short description changed",
    "T": "Miscellaneous change (BETOS, type of service)",
}

LAB_CERT = {
    "010": "Histocompatibility testing",
    "100": "Microbiology",
    "110": "Bacteriology",
    "115": "Mycobacteriology",
    "120": "Mycology",
    "130": "Parasitology",
    "140": "Virology",
    "150": "Other microbiology",
    "200": "Diagnostic immunology",
    "210": "Syphilis serology",
    "220": "General immunology",
    "300": "Chemistry",
    "310": "Routine chemistry",
    "320": "Urinalysis",
    "330": "Endocrinology",
    "340": "Toxicology",
    "350": "Other chemistry",
    "400": "Hematology",
    "500": "Immunohematology",
    "510": "ABO group and Rh type",
    "520": "Antibody detection (transfusion)",
    "530": "Antibody detection (non-transfusion)",
    "540": "Antibody identification",
    "550": "Compatibility testing",
    "560": "Other immunohematology",
    "600": "Pathology",
    "610": "Histopathology",
    "620": "Oral pathology",
    "630": "Cytology",
    "800": "Radiobioassay",
    "900": "Clinical cytogenetics",
}

TYPE_OF_SERVICE = {
    "0": "Whole blood",
    "1": "Medical care",
    "2": "Surgery",
    "3": "Consultation",
    "4": "Diagnostic radiology",
    "5": "Diagnostic laboratory",
    "6": "Therapeutic radiology",
    "7": "Anesthesia",
    "8": "Assistant at surgery",
    "9": "Other medical items or services",
    "A": "Used durable medical equipment",
    "B": "High risk screening mammography (obsolete)",
    "C": "Low risk screening mammography (obsolete)",
    "D": "Ambulance",
    "E": "Enteral/parenteral nutrients and supplies",
    "F": "Ambulatory surgical center (facility use for surgical services)",
    "G": "Immunosuppressive drugs",
    "H": "Hospice services (discontinued)",
    "I": "Purchase of DME, installment basis (discontinued)",
    "J": "Diabetic shoes",
    "K": "Hearing items and services",
    "L": "ESRD supplies",
    "M": "Monthly capitation payment for dialysis",
    "N": "Kidney donor",
    "P": "Lump sum purchase of DME, prosthetics and orthotics",
    "Q": "Vision items or services",
    "R": "Rental of DME",
    "S": "Surgical dressings or other medical supplies",
    "T": "Outpatient mental health limitation",
    "U": "Occupational therapy",
    "V": "Pneumococcal, flu and hepatitis B vaccines",
    "W": "Physical therapy",
    "Y": "Second opinion on elective surgery (obsolete)",
    "Z": "Third opinion on elective surgery (obsolete)",
}

# Berenson-Eggers Type of Service categories (CMS record layout, BETOS table).
BETOS = {
    "M1A": "Office visits - new",
    "M1B": "Office visits - established",
    "M2A": "Hospital visit - initial",
    "M2B": "Hospital visit - subsequent",
    "M2C": "Hospital visit - critical care",
    "M3": "Emergency room visit",
    "M4A": "Home visit",
    "M4B": "Nursing home visit",
    "M5A": "Specialist - pathology",
    "M5B": "Specialist - psychiatry",
    "M5C": "Specialist - ophthalmology",
    "M5D": "Specialist - other",
    "M6": "Consultations",
    "P0": "Anesthesia",
    "P1A": "Major procedure - breast",
    "P1B": "Major procedure - colectomy",
    "P1C": "Major procedure - cholecystectomy",
    "P1D": "Major procedure - TURP",
    "P1E": "Major procedure - hysterectomy",
    "P1F": "Major procedure - exploration/decompression/excision of disc",
    "P1G": "Major procedure - other",
    "P2A": "Major procedure, cardiovascular - CABG",
    "P2B": "Major procedure, cardiovascular - aneurysm repair",
    "P2C": "Major procedure, cardiovascular - thromboendarterectomy",
    "P2D": "Major procedure, cardiovascular - coronary angioplasty (PTCA)",
    "P2E": "Major procedure, cardiovascular - pacemaker insertion",
    "P2F": "Major procedure, cardiovascular - other",
    "P3A": "Major procedure, orthopedic - hip fracture repair",
    "P3B": "Major procedure, orthopedic - hip replacement",
    "P3C": "Major procedure, orthopedic - knee replacement",
    "P3D": "Major procedure, orthopedic - other",
    "P4A": "Eye procedure - corneal transplant",
    "P4B": "Eye procedure - cataract removal/lens insertion",
    "P4C": "Eye procedure - retinal detachment",
    "P4D": "Eye procedure - treatment of retinal lesions",
    "P4E": "Eye procedure - other",
    "P5A": "Ambulatory procedures - skin",
    "P5B": "Ambulatory procedures - musculoskeletal",
    "P5C": "Ambulatory procedures - inguinal hernia repair",
    "P5D": "Ambulatory procedures - lithotripsy",
    "P5E": "Ambulatory procedures - other",
    "P6A": "Minor procedures - skin",
    "P6B": "Minor procedures - musculoskeletal",
    "P6C": "Minor procedures - other (Medicare fee schedule)",
    "P6D": "Minor procedures - other (non-Medicare fee schedule)",
    "P7A": "Oncology - radiation therapy",
    "P7B": "Oncology - other",
    "P8A": "Endoscopy - arthroscopy",
    "P8B": "Endoscopy - upper gastrointestinal",
    "P8C": "Endoscopy - sigmoidoscopy",
    "P8D": "Endoscopy - colonoscopy",
    "P8E": "Endoscopy - cystoscopy",
    "P8F": "Endoscopy - bronchoscopy",
    "P8G": "Endoscopy - laparoscopic cholecystectomy",
    "P8H": "Endoscopy - laryngoscopy",
    "P8I": "Endoscopy - other",
    "P9A": "Dialysis services (Medicare fee schedule)",
    "P9B": "Dialysis services (non-Medicare fee schedule)",
    "I1A": "Standard imaging - chest",
    "I1B": "Standard imaging - musculoskeletal",
    "I1C": "Standard imaging - breast",
    "I1D": "Standard imaging - contrast gastrointestinal",
    "I1E": "Standard imaging - nuclear medicine",
    "I1F": "Standard imaging - other",
    "I2A": "Advanced imaging - CAT/CT/CTA: brain/head/neck",
    "I2B": "Advanced imaging - CAT/CT/CTA: other",
    "I2C": "Advanced imaging - MRI/MRA: brain/head/neck",
    "I2D": "Advanced imaging - MRI/MRA: other",
    "I3A": "Echography/ultrasonography - eye",
    "I3B": "Echography/ultrasonography - abdomen/pelvis",
    "I3C": "Echography/ultrasonography - heart",
    "I3D": "Echography/ultrasonography - carotid arteries",
    "I3E": "Echography/ultrasonography - prostate, transrectal",
    "I3F": "Echography/ultrasonography - other",
    "I4A": "Imaging/procedure - heart, including cardiac catheterization",
    "I4B": "Imaging/procedure - other",
    "T1A": "Lab tests - routine venipuncture (non-Medicare fee schedule)",
    "T1B": "Lab tests - automated general profiles",
    "T1C": "Lab tests - urinalysis",
    "T1D": "Lab tests - blood counts",
    "T1E": "Lab tests - glucose",
    "T1F": "Lab tests - bacterial cultures",
    "T1G": "Lab tests - other (Medicare fee schedule)",
    "T1H": "Lab tests - other (non-Medicare fee schedule)",
    "T2A": "Other tests - electrocardiograms",
    "T2B": "Other tests - cardiovascular stress tests",
    "T2C": "Other tests - EKG monitoring",
    "T2D": "Other tests - other",
    "D1A": "Medical/surgical supplies",
    "D1B": "Hospital beds",
    "D1C": "Oxygen and supplies",
    "D1D": "Wheelchairs",
    "D1E": "Other DME",
    "D1F": "Prosthetic/orthotic devices",
    "D1G": "Drugs administered through DME",
    "O1A": "Ambulance",
    "O1B": "Chiropractic",
    "O1C": "Enteral and parenteral",
    "O1D": "Chemotherapy",
    "O1E": "Other drugs",
    "O1F": "Hearing and speech services",
    "O1G": "Immunizations/vaccinations",
    "Y1": "Other - Medicare fee schedule",
    "Y2": "Other - non-Medicare fee schedule",
    "Z1": "Local codes",
    "Z2": "Undefined codes",
}

ASC_GROUP = {"YY": "Approved to be performed in an ambulatory surgical center"}

HCPCS_CODE = re.compile(r"^[A-V][0-9]{4}$")
CPT_CODE = re.compile(r"^[0-9]{4}[0-9FTU]$")
MODIFIER = re.compile(r"^[A-Z0-9]{2}$")


def _pair(value: str | None, table: dict[str, str]) -> dict | None:
    if not value:
        return None
    return {"code": value, "meaning": table.get(value, "")}


def _date(value) -> str | None:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value or None


def _cross_references(refs: list[str]) -> list[dict]:
    """Each cross-referenced code, linked when the site has a page for it (one query)."""
    if not refs:
        return []
    wanted = {}
    for ref in refs:
        if HCPCS_CODE.match(ref):
            wanted[ref] = (System.HCPCS, Kind.CODE)
        elif CPT_CODE.match(ref):
            wanted[ref] = (System.CPT, Kind.CODE)
        elif MODIFIER.match(ref):
            wanted[ref] = (System.HCPCS, Kind.MODIFIER)
    found = {}
    if wanted:
        query = Q()
        for ref, (system, kind) in wanted.items():
            query |= Q(system=system, code=ref, kind=kind)
        for row in Code.objects.filter(query).only("system", "code", "kind", "title", "deleted"):
            found[row.code] = row
    items = []
    for ref in refs:
        row = found.get(ref)
        items.append(
            {
                "code": ref,
                "system": row.system if row else (wanted.get(ref, ("", ""))[0] or ""),
                "title": row.title if row else "",
                "deleted": row.deleted if row else False,
                "url": row.get_absolute_url() if row else None,
            }
        )
    return items


def _note(number: str | None) -> dict | None:
    if not number:
        return None
    text = ProcessingNote.objects.filter(number=number).values_list("text", flat=True).first()
    return {"number": number, "text": text or ""}


def _dates(code: Code) -> dict:
    data = code.data or {}
    return {
        "added": data.get("added_date"),
        # The file's ACT EFF DT; rows loaded before it was kept fall back to the validity start.
        "action_effective": data.get("action_effective_date", _date(code.effective_date)),
        "terminated": _date(code.termination_date),
    }


def modifier_context(code: Code) -> dict:
    """A HCPCS Level II modifier: its descriptions, dates and last action (no queries)."""
    data = code.data or {}
    return {
        "kind": "modifier",
        "modifier": code.code,
        "short_title": code.short_title,
        "coverage": _pair(data.get("coverage"), COVERAGE),
        "action": _pair(data.get("action_code"), ACTION),
        "dates": _dates(code),
        "deleted": code.deleted,
        "list_url": reverse("codes:modifier_list", args=[code.system]),
    }


def context(code: Code) -> dict | None:
    """HCPCS record data of a Level II code (or modifier) with meanings; at most two queries
    (the processing note and the cross-referenced codes)."""
    if code.system != System.HCPCS:
        return None
    if code.kind == Kind.MODIFIER:
        return modifier_context(code)
    if code.kind != Kind.CODE:
        return None
    data = code.data or {}
    units = data.get("anesthesia_base_units")
    return {
        "kind": "code",
        "short_title": code.short_title,
        "coverage": _pair(data.get("coverage"), COVERAGE),
        "betos": _pair(data.get("betos"), BETOS),
        "type_of_service": [_pair(value, TYPE_OF_SERVICE) for value in data.get("tos", [])],
        "pricing": [_pair(value, PRICING) for value in data.get("pricing", [])],
        "multiple_pricing": _pair(data.get("multiple_pricing"), MULTIPLE_PRICING),
        "action": _pair(data.get("action_code"), ACTION),
        "dates": _dates(code),
        "processing_note": _note(data.get("proc_note")),
        "cross_references": _cross_references(data.get("xref", [])),
        "cim": data.get("cim", []),
        "mcm": data.get("mcm", []),
        "statute": data.get("statute", ""),
        "lab_certification": [_pair(value, LAB_CERT) for value in data.get("lab_cert", [])],
        "asc": (
            {
                "group": data["asc_group"],
                "meaning": ASC_GROUP.get(data["asc_group"], ""),
                "date": data.get("asc_date"),
            }
            if data.get("asc_group")
            else None
        ),
        "opps": (
            {
                "group": data.get("opps", ""),
                "indicator": data.get("opps_pi", ""),
                "date": data.get("opps_date"),
            }
            if data.get("opps") or data.get("opps_pi")
            else None
        ),
        "anesthesia_base_units": units,
    }
