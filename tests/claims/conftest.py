"""A small, real-shaped slice of the tables the claim check reads (codes and values from the
2024-2026 CMS and CDC files; CPT codes as numbers only, no descriptors)."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import AddOnEdit, Code, FeeSchedule, Mue, Note, PtpEdit

DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def claim_data(db):
    cm = register_release(
        dataset="icd-10-cm", version="2026", title="ICD-10-CM FY2026", effective_date=datetime.date(2025, 10, 1)
    )
    rows = [
        CodeRow(code="4", title="Endocrine, nutritional and metabolic diseases (E00-E89)", kind="chapter"),
        CodeRow(code="E08-E13", title="Diabetes mellitus (E08-E13)", kind="section", parent="4"),
        CodeRow(code="E10", title="Type 1 diabetes mellitus", kind="category", parent="E08-E13"),
        CodeRow(code="E10.9", title="Type 1 diabetes mellitus without complications", parent="E10", billable=True),
        CodeRow(code="E11", title="Type 2 diabetes mellitus", kind="category", parent="E08-E13"),
        CodeRow(code="E11.2", title="Type 2 diabetes mellitus with kidney complications", kind="subcategory", parent="E11"),
        CodeRow(code="E11.22", title="Type 2 diabetes mellitus with diabetic chronic kidney disease", parent="E11.2", billable=True),
        CodeRow(code="E11.9", title="Type 2 diabetes mellitus without complications", parent="E11", billable=True),
        CodeRow(code="E85", title="Amyloidosis", kind="category", parent="4"),
        CodeRow(code="E85.4", title="Organ-limited amyloidosis", parent="E85", billable=True),
        CodeRow(code="9", title="Diseases of the circulatory system (I00-I99)", kind="chapter"),
        CodeRow(code="I12", title="Hypertensive chronic kidney disease", kind="category", parent="9"),
        CodeRow(code="I12.9", title="Hypertensive chronic kidney disease with stage 1 through stage 4 chronic kidney disease", parent="I12", billable=True),
        CodeRow(code="I43", title="Cardiomyopathy in diseases classified elsewhere", parent="9", billable=True),
        CodeRow(code="14", title="Diseases of the genitourinary system (N00-N99)", kind="chapter"),
        CodeRow(code="N18", title="Chronic kidney disease (CKD)", kind="category", parent="14"),
        CodeRow(code="N18.4", title="Chronic kidney disease, stage 4 (severe)", parent="N18", billable=True),
        CodeRow(code="N40-N53", title="Diseases of male genital organs (N40-N53)", kind="section", parent="14"),
        CodeRow(code="N40", title="Benign prostatic hyperplasia", kind="category", parent="N40-N53"),
        CodeRow(code="N40.0", title="Benign prostatic hyperplasia without lower urinary tract symptoms", parent="N40", billable=True),
        CodeRow(code="15", title="Pregnancy, childbirth and the puerperium (O00-O9A)", kind="chapter"),
        CodeRow(code="O80", title="Encounter for full-term uncomplicated delivery", parent="15", billable=True),
        CodeRow(code="16", title="Certain conditions originating in the perinatal period (P00-P96)", kind="chapter"),
        CodeRow(code="P07.30", title="Preterm newborn, unspecified weeks of gestation", parent="16", billable=True),
        CodeRow(code="13", title="Diseases of the musculoskeletal system and connective tissue", kind="chapter"),
        CodeRow(code="M48", title="Other spondylopathies", kind="category", parent="13"),
        CodeRow(code="M48.5", title="Collapsed vertebra, not elsewhere classified", kind="subcategory", parent="M48"),
        CodeRow(code="M48.56", title="Collapsed vertebra, not elsewhere classified, lumbar region", kind="subcategory", parent="M48.5", data={"needs_seventh": True}),
        CodeRow(code="M48.56XA", title="Collapsed vertebra, not elsewhere classified, lumbar region, initial encounter for fracture", parent="M48.56", billable=True, data={"seventh": "A"}),
        CodeRow(code="19", title="Injury, poisoning and certain other consequences of external causes (S00-T88)", kind="chapter"),
        CodeRow(code="T81", title="Complications of procedures, not elsewhere classified", kind="category", parent="19"),
        CodeRow(code="T81.4", title="Infection following a procedure", kind="subcategory", parent="T81"),
        CodeRow(code="T81.4XXA", title="Infection following a procedure, initial encounter", parent="T81.4", billable=True),
        CodeRow(code="U07.1", title="COVID-19", billable=True, effective_date=datetime.date(2020, 4, 1)),
        CodeRow(code="18", title="Symptoms, signs and abnormal clinical and laboratory findings", kind="chapter"),
        CodeRow(code="R05", title="Cough", kind="category", billable=False, parent="18"),
        CodeRow(code="R05.1", title="Acute cough", parent="R05", billable=True),
        CodeRow(code="Z99.9", title="Dependence on unspecified enabling machine and device", billable=True, effective_date=datetime.date(2026, 4, 1)),
        CodeRow(code="E11.8", title="Type 2 diabetes mellitus with unspecified complications (old)", parent="E11", billable=True, deleted=True, termination_date=datetime.date(2025, 9, 30)),
    ]  # fmt: skip
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=cm, rows=rows)
    Code.objects.filter(system="icd-10-cm", code="E11.8").update(replaced_by="E11.9")

    def note(code: str, type_: str, text: str, key: str = "") -> None:
        Note.objects.create(code=Code.objects.get(system="icd-10-cm", code=code), type=type_, text=text, key=key)

    note("E11", Note.Type.EXCLUDES1, "type 1 diabetes mellitus (E10.-)")
    note("E11", Note.Type.EXCLUDES2, "amyloidosis (E85.-)")
    note("E11.22", Note.Type.USE_ADDITIONAL, "code to identify stage of chronic kidney disease (N18.1-N18.6)")
    note("I43", Note.Type.CODE_FIRST, "underlying disease, such as: amyloidosis (E85.-)")
    note("15", Note.Type.NOTE, "CODES FROM THIS CHAPTER ARE FOR USE ONLY ON MATERNAL RECORDS, NEVER ON NEWBORN RECORDS")
    note("16", Note.Type.NOTE, "Codes from this chapter are for use on newborn records only, never on maternal records")
    for key, text in (("A", "initial encounter for fracture"), ("D", "subsequent encounter"), ("S", "sequela")):
        note("M48.5", Note.Type.SEVENTH, text, key=key)
    for key, text in (("A", "initial encounter"), ("D", "subsequent encounter"), ("S", "sequela")):
        note("T81", Note.Type.SEVENTH, text, key=key)

    hcpcs = register_release(
        dataset="hcpcs",
        version="2026-01",
        title="HCPCS Level II, January 2026",
        effective_date=datetime.date(2026, 1, 1),
    )
    rows = [
        CodeRow(code="J1100", title="Injection, dexamethasone sodium phosphate, 1 mg", billable=True),
        CodeRow(code="G0008", title="Administration of influenza virus vaccine", billable=True),
    ]
    with transaction.atomic():
        sync_codes(system="hcpcs", release=hcpcs, rows=rows)
    cpt = register_release(
        dataset="cpt-codes",
        version="2024Q3",
        title="CPT code numbers, 2024Q3",
        effective_date=datetime.date(2024, 7, 1),
    )
    rows = [
        CodeRow(code=c, title="", billable=True)
        for c in ("99214", "99213", "11102", "11103", "43235", "43239", "20610", "27447", "22511", "22512", "99292", "99291", "36415")
    ]  # fmt: skip
    rows.append(CodeRow(code="22521", title="", deleted=True, termination_date=datetime.date(2014, 12, 31)))
    with transaction.atomic():
        sync_codes(system="cpt", release=cpt, rows=rows)
    Code.objects.filter(system="cpt", code="22521").update(replaced_by="22511")

    releases = {}
    for dataset in (
        "ncci-ptp-practitioner",
        "ncci-ptp-outpatient",
        "ncci-mue-practitioner",
        "ncci-mue-outpatient",
        "ncci-aoc",
    ):
        releases[dataset] = register_release(
            dataset=dataset,
            version="2026Q1",
            title=f"NCCI {dataset} 2026Q1",
            effective_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2026, 3, 31),
        )
    ptp = releases["ncci-ptp-practitioner"]
    PtpEdit.objects.create(
        setting="practitioner", column1="43239", column2="43235", modifier_indicator="0", release=ptp
    )
    PtpEdit.objects.create(
        setting="practitioner", column1="11102", column2="99214", modifier_indicator="1", release=ptp
    )
    PtpEdit.objects.create(
        setting="practitioner", column1="27447", column2="20610", modifier_indicator="1", release=ptp
    )
    PtpEdit.objects.create(
        setting="practitioner", column1="99213", column2="36415", modifier_indicator="9", release=ptp
    )
    PtpEdit.objects.create(
        setting="practitioner", column1="22511", column2="20610", modifier_indicator="0", release=ptp,
        deletion_date=datetime.date(2026, 3, 1),
    )  # fmt: skip
    PtpEdit.objects.create(
        setting="outpatient",
        column1="43239",
        column2="43235",
        modifier_indicator="0",
        release=releases["ncci-ptp-outpatient"],
    )
    mue = releases["ncci-mue-practitioner"]
    Mue.objects.create(setting="practitioner", code="20610", units=2, mai="1", release=mue)
    Mue.objects.create(setting="practitioner", code="J1100", units=10, mai="3", release=mue)
    Mue.objects.create(setting="practitioner", code="22512", units=3, mai="2", release=mue)
    aoc = releases["ncci-aoc"]
    AddOnEdit.objects.create(addon_code="99292", primary_code="99291", edit_type="1", release=aoc)
    AddOnEdit.objects.create(addon_code="11103", primary_code="11102", edit_type="3", release=aoc)
    AddOnEdit.objects.create(addon_code="22512", primary_code="CCCCC", edit_type="2", release=aoc)
    pfs = register_release(
        dataset="pfs", version="RVU26B", title="PFS CY2026 RVU26B", effective_date=datetime.date(2026, 1, 1)
    )
    for code, status, bilat, asst in (
        ("27447", "A", "1", "2"),
        ("20610", "A", "1", "1"),
        ("99214", "A", "9", "9"),
        ("43239", "A", "0", "1"),
        ("36415", "T", "9", "9"),
        ("G0008", "X", "9", "9"),
        ("11102", "B", "0", "9"),
        ("43235", "A", "2", "0"),
    ):
        FeeSchedule.objects.create(
            code=code, release=pfs, status_code=status, bilat_surg=bilat, asst_surg=asst,
            total_nonfacility=Decimal("100.00"),
        )  # fmt: skip
    return DAY


def claim(**fields) -> dict:
    """A request body: the example date and setting unless `fields` say otherwise."""
    return {"date_of_service": "2026-03-02", "setting": "practitioner", "diagnoses": [], "lines": [], **fields}


def line(code: str, *modifiers: str, units: int = 1, pointers=(1,)) -> dict:
    return {"code": code, "modifiers": list(modifiers), "units": units, "diagnosis_pointers": list(pointers)}


def run(body: dict, rule: str | None = None):
    """The findings of `body` (those of one rule when named), as the API returns them."""
    from codes import claims

    found = claims.check(claims.parse(body)).as_json()["findings"]
    return [f for f in found if rule is None or f["rule"] == rule]
