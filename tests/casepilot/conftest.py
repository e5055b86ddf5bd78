import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from casepilot import engine
from casepilot.models import Guide
from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import (
    AddOnEdit,
    CcCode,
    Code,
    FeeSchedule,
    GemMapping,
    Locality,
    Mue,
    Note,
    PlainDescription,
    PtpEdit,
)
from tests.factories import make_user


@pytest.fixture
def pilot_data(db):
    """A small, real-shaped slice of every table CasePilot's tools read (values from the 2024-2026 files)."""
    cm = register_release(
        dataset="icd-10-cm", version="2026", title="ICD-10-CM FY2026", effective_date=datetime.date(2025, 10, 1)
    )
    rows = [
        CodeRow(code="4", title="Endocrine, nutritional and metabolic diseases (E00-E89)", kind="chapter"),
        CodeRow(code="E08-E13", title="Diabetes mellitus", kind="section", parent="4"),
        CodeRow(code="E11", title="Type 2 diabetes mellitus", kind="category", parent="E08-E13"),
        CodeRow(code="E11.2", title="Type 2 diabetes mellitus with kidney complications", kind="subcategory", parent="E11"),
        CodeRow(code="E11.21", title="Type 2 diabetes mellitus with diabetic nephropathy", parent="E11.2", billable=True),
        CodeRow(code="E11.9", title="Type 2 diabetes mellitus without complications", parent="E11", billable=True),
        CodeRow(code="9", title="Diseases of the circulatory system (I00-I99)", kind="chapter"),
        CodeRow(code="I20-I25", title="Ischemic heart diseases", kind="section", parent="9"),
        CodeRow(code="I21", title="Acute myocardial infarction", kind="category", parent="I20-I25"),
        CodeRow(code="I21.4", title="Non-ST elevation (NSTEMI) myocardial infarction", parent="I21", billable=True),
        CodeRow(code="10", title="Diseases of the respiratory system (J00-J99)", kind="chapter"),
        CodeRow(code="J11", title="Influenza due to unidentified influenza virus", kind="category", parent="10"),
        CodeRow(code="J11.0", title="Influenza due to unidentified influenza virus with pneumonia", kind="subcategory", parent="J11"),
        CodeRow(code="J11.00", title="Influenza due to unidentified influenza virus with unspecified type of pneumonia", parent="J11.0", billable=True),
        CodeRow(code="13", title="Diseases of the musculoskeletal system and connective tissue", kind="chapter"),
        CodeRow(code="M48", title="Other spondylopathies", kind="category", parent="13"),
        CodeRow(code="M48.5", title="Collapsed vertebra, not elsewhere classified", kind="subcategory", parent="M48"),
        CodeRow(code="M48.56", title="Collapsed vertebra, not elsewhere classified, lumbar region", kind="subcategory", parent="M48.5", data={"needs_seventh": True}),
        CodeRow(code="M48.56XA", title="Collapsed vertebra, not elsewhere classified, lumbar region, initial encounter for fracture", parent="M48.56", billable=True, data={"seventh": "A"}),
        CodeRow(code="M48.56XD", title="Collapsed vertebra, not elsewhere classified, lumbar region, subsequent encounter for fracture with routine healing", parent="M48.56", billable=True, data={"seventh": "D"}),
    ]  # fmt: skip
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=cm, rows=rows)
    e11 = Code.objects.get(system="icd-10-cm", code="E11")
    Note.objects.create(code=e11, type=Note.Type.INCLUDES, text="diabetes NOS", position=1)
    Note.objects.create(code=e11, type=Note.Type.EXCLUDES1, text="type 1 diabetes mellitus (E10.-)", position=2)
    Note.objects.create(code=e11, type=Note.Type.EXCLUDES1, text="gestational diabetes (O24.4-)", position=3)
    Note.objects.create(code=e11, type=Note.Type.USE_ADDITIONAL, text="insulin (Z79.4)", position=4)
    m485 = Code.objects.get(system="icd-10-cm", code="M48.5")
    for position, (key, text) in enumerate(
        [("A", "initial encounter for fracture"), ("D", "subsequent encounter for fracture with routine healing"),
         ("G", "subsequent encounter for fracture with delayed healing"), ("S", "sequela of fracture")]
    ):  # fmt: skip
        Note.objects.create(code=m485, type=Note.Type.SEVENTH, key=key, text=text, position=position)
    Note.objects.create(
        code=m485, type=Note.Type.EXCLUDES1, text="collapsed vertebra in osteoporosis (M80.-)", position=9
    )
    drg = register_release(
        dataset="ms-drg", version="43.0", title="MS-DRG v43.0", effective_date=datetime.date(2025, 10, 1)
    )
    CcCode.objects.create(code="I21.4", level="MCC", release=drg)
    CcCode.objects.create(code="M48.56XA", level="CC", release=drg)

    hcpcs = register_release(
        dataset="hcpcs",
        version="2025-10",
        title="HCPCS Level II, October 2025",
        effective_date=datetime.date(2025, 10, 1),
    )
    rows = [
        CodeRow(code="J1100", title="Injection, dexamethasone sodium phosphate, 1 mg", billable=True, effective_date=datetime.date(2001, 1, 1)),
        CodeRow(code="XE", title="Separate encounter, a service that is distinct because it occurred during a separate encounter", kind="modifier", effective_date=datetime.date(2015, 1, 1)),
        CodeRow(code="LT", title="Left side (used to identify procedures performed on the left side of the body)", kind="modifier"),
    ]  # fmt: skip
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
        for c in ("43235", "43239", "99213", "99214", "99291", "99292", "36000", "22511")
    ]
    rows.append(CodeRow(code="22521", title="", deleted=True, termination_date=datetime.date(2014, 12, 31)))
    with transaction.atomic():
        sync_codes(system="cpt", release=cpt, rows=rows)
    Code.objects.filter(system="cpt", code="22521").update(replaced_by="22511")
    PlainDescription.objects.create(
        system="cpt", code="99213", text="An established patient office visit of low complexity.",
        author="editors", status=PlainDescription.Status.PUBLISHED,
    )  # fmt: skip

    ncci = {}
    for dataset in (
        "ncci-ptp-practitioner",
        "ncci-ptp-outpatient",
        "ncci-mue-practitioner",
        "ncci-mue-outpatient",
        "ncci-aoc",
    ):
        ncci[dataset] = register_release(
            dataset=dataset, version="2024Q3", title=f"NCCI {dataset} 2024Q3", effective_date=datetime.date(2024, 7, 1)
        )
    for setting in ("practitioner", "outpatient"):
        PtpEdit.objects.create(
            setting=setting, column1="43239", column2="43235", modifier_indicator="0",
            rationale="CPT Separate procedure definition", release=ncci[f"ncci-ptp-{setting}"],
        )  # fmt: skip
    PtpEdit.objects.create(
        setting="practitioner", column1="99291", column2="36000", modifier_indicator="1",
        rationale="Standards of medical / surgical practice", release=ncci["ncci-ptp-practitioner"],
    )  # fmt: skip
    PtpEdit.objects.create(
        setting="practitioner", column1="99214", column2="99213", modifier_indicator="1", rationale="Mutually exclusive procedures",
        deletion_date=datetime.date(2020, 12, 31), release=ncci["ncci-ptp-practitioner"],
    )  # fmt: skip
    Mue.objects.create(
        setting="practitioner",
        code="J1100",
        units=120,
        mai="3",
        rationale="Clinical: Data",
        release=ncci["ncci-mue-practitioner"],
    )
    Mue.objects.create(
        setting="outpatient",
        code="J1100",
        units=120,
        mai="3",
        rationale="Clinical: Data",
        release=ncci["ncci-mue-outpatient"],
    )
    Mue.objects.create(
        setting="practitioner",
        code="99214",
        units=1,
        mai="2",
        rationale="Code Descriptor / CPT Instruction",
        release=ncci["ncci-mue-practitioner"],
    )
    AddOnEdit.objects.create(addon_code="99292", primary_code="99291", edit_type="1", release=ncci["ncci-aoc"])

    pfs = register_release(
        dataset="pfs",
        version="2024-07",
        title="Medicare Physician Fee Schedule CY2024 (RVU24C)",
        effective_date=datetime.date(2024, 7, 1),
    )
    FeeSchedule.objects.create(
        code="99214", release=pfs, status_code="A", work_rvu=Decimal("1.92"), pe_nonfacility_rvu=Decimal("1.79"),
        pe_facility_rvu=Decimal("0.83"), mp_rvu=Decimal("0.14"), total_nonfacility=Decimal("3.85"),
        total_facility=Decimal("2.89"), pctc="0", global_days="XXX", mult_proc="0", bilat_surg="0", asst_surg="0",
        co_surg="0", team_surg="0", conversion_factor=Decimal("33.2875"),
    )  # fmt: skip
    FeeSchedule.objects.create(
        code="43239", release=pfs, status_code="A", work_rvu=Decimal("3.36"), pe_nonfacility_rvu=Decimal("11.08"),
        pe_facility_rvu=Decimal("1.67"), mp_rvu=Decimal("0.37"), total_nonfacility=Decimal("14.81"),
        total_facility=Decimal("5.40"), pctc="0", global_days="000", mult_proc="3", bilat_surg="0", asst_surg="1",
        co_surg="0", team_surg="0", endo_base="43235", pre_op=Decimal("0.1"), intra_op=Decimal("0.8"),
        post_op=Decimal("0.1"), conversion_factor=Decimal("33.2875"),
    )  # fmt: skip
    gpci = register_release(dataset="pfs-gpci", version="2024", title="GPCIs 2024")
    Locality.objects.create(
        mac="13202",
        number="01",
        state="NY",
        name="MANHATTAN",
        gpci_work=Decimal("1.065"),
        gpci_pe=Decimal("1.166"),
        gpci_mp=Decimal("1.656"),
        release=gpci,
    )
    Locality.objects.create(
        mac="01182",
        number="18",
        state="CA",
        name="LOS ANGELES-LONG BEACH-ANAHEIM (LOS ANGELES CNTY)",
        gpci_work=Decimal("1.046"),
        gpci_pe=Decimal("1.176"),
        gpci_mp=Decimal("0.662"),
        release=gpci,
    )
    Locality.objects.create(
        mac="01182",
        number="75",
        state="CA",
        name="REST OF STATE",
        gpci_work=Decimal("1.017"),
        gpci_pe=Decimal("1.04"),
        gpci_mp=Decimal("0.569"),
        release=gpci,
    )
    Locality.objects.create(
        mac="10112",
        number="00",
        state="AL",
        name="STATEWIDE",
        gpci_work=Decimal("1.0"),
        gpci_pe=Decimal("0.869"),
        gpci_mp=Decimal("0.575"),
        release=gpci,
    )
    gems = register_release(dataset="gems", version="2018", title="Diagnosis GEMs (2018)")
    GemMapping.objects.create(
        direction="9to10", source="25000", target="E119", icd10="E11.9", approximate=True, release=gems
    )
    GemMapping.objects.create(
        direction="10to9", source="E119", target="25000", icd10="E11.9", approximate=True, release=gems
    )
    return {"icd": cm, "hcpcs": hcpcs, "cpt": cpt}


@pytest.fixture
def guide(db):
    """One guide of the knowledge base, as the guides importer would store it."""
    return Guide.objects.create(
        slug="modifier-25",
        title="Modifier 25: a significant, separately identifiable E/M service",
        summary="Modifier 25 marks an E/M visit on the same day as a procedure or other service when the visit goes beyond the usual care of that service.",
        body="Modifier 25 ... (NCCI Policy Manual, Chapter XI, 2024).",
        body_html="<p>Modifier 25 ...</p>",
        topic="modifiers",
        sources=[{"title": "NCCI Policy Manual, Chapter XI", "year": 2024}],
        keywords=["modifier 25", "separately identifiable"],
        codes=["cpt 99213"],
        updated=datetime.date(2026, 1, 1),
    )


# --- CaseConsultant (tests/casepilot/test_consult_*.py) ---

CONSULT_SAMPLES = __import__("pathlib").Path(__file__).parent / "mail_samples"


def fake_casepilot(question: str) -> dict:
    """Stands in for CasePilot's engine: answers deterministically, with one citation and one code."""
    return {
        "text": f"Automated draft for: {question.splitlines()[0]}",
        "citations": [{"title": "NCCI Policy Manual, chapter 1", "url": "https://example.org/ncci"}],
        "codes": [{"system": "cpt", "code": "99214", "url": "/cpt/99214/"}],
    }


@pytest.fixture
def consult_env(settings, tmp_path, monkeypatch):
    """CaseConsultant with tasks run inline, CasePilot's engine answering from fake_casepilot, a
    known webhook secret and media in a temporary folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(engine, "answer", fake_casepilot)
    settings.CONSULT_WEBHOOK_SECRET = "test-secret"
    settings.CONSULT_ADDRESS = "consult@localhost"
    # The samples carry this server's Authentication-Results, as a provider's would (dmarc=pass).
    settings.CONSULT_AUTHSERV_IDS = ["mx.consult.example"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


@pytest.fixture
def consultant(db):
    """A staff member of the consultants group, who answers consultations."""
    user = make_user("consultant@example.com", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="consultants")[0])
    return user


@pytest.fixture
def sample():
    """Read a raw message from mail_samples/, with placeholders replaced."""

    def read(name: str, **replace: str) -> bytes:
        raw = (CONSULT_SAMPLES / name).read_bytes()
        for old, new in replace.items():
            raw = raw.replace(old.encode(), new.encode())
        return raw

    return read
