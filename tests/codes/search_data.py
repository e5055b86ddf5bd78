"""Small code sets for the search tests: a few codes of every system, indexed."""

import datetime

from django.db import transaction

from codes import search, synonyms
from codes.importers.base import CodeRow, register_release, sync_codes
from codes.models import Code, Note, PlainDescription, Synonym


def _sync(system: str, dataset: str, rows: list[CodeRow]) -> None:
    release = register_release(dataset=dataset, version="2026", title=f"{dataset} 2026")
    with transaction.atomic():
        sync_codes(system=system, release=release, rows=rows)


def build() -> None:
    _sync(
        "icd-10-cm",
        "icd-10-cm",
        [
            CodeRow(code="09", title="Diseases of the circulatory system", kind="chapter"),
            CodeRow(code="I21", title="Acute myocardial infarction", kind="category", parent="09"),
            CodeRow(code="I21.9", title="Acute myocardial infarction, unspecified", parent="I21", billable=True),
            CodeRow(code="I50", title="Heart failure", kind="category", parent="09"),
            CodeRow(code="I50.9", title="Heart failure, unspecified", parent="I50", billable=True),
            CodeRow(code="I48.91", title="Unspecified atrial fibrillation", parent="09", billable=True),
            CodeRow(code="04", title="Endocrine, nutritional and metabolic diseases", kind="chapter"),
            CodeRow(code="E11", title="Type 2 diabetes mellitus", kind="category", parent="04"),
            CodeRow(
                code="E11.2",
                title="Type 2 diabetes mellitus with kidney complications",
                kind="subcategory",
                parent="E11",
            ),
            CodeRow(
                code="E11.21", title="Type 2 diabetes mellitus with diabetic nephropathy", parent="E11.2", billable=True
            ),
            CodeRow(
                code="E11.22",
                title="Type 2 diabetes mellitus with diabetic chronic kidney disease",
                parent="E11.2",
                billable=True,
            ),
            CodeRow(code="E11.9", title="Type 2 diabetes mellitus without complications", parent="E11", billable=True),
            CodeRow(code="J18.9", title="Pneumonia, unspecified organism", billable=True),
            CodeRow(
                code="J44.1", title="Chronic obstructive pulmonary disease with (acute) exacerbation", billable=True
            ),
            CodeRow(code="N39.0", title="Urinary tract infection, site not specified", billable=True),
            CodeRow(code="K21.9", title="Gastro-esophageal reflux disease without esophagitis", billable=True),
            CodeRow(
                code="M48.56XA",
                title="Collapsed vertebra, not elsewhere classified, lumbar region, initial encounter for fracture",
                billable=True,
            ),
            CodeRow(
                code="S62.101A",
                title="Fracture of unspecified carpal bone, right wrist, initial encounter for closed fracture",
                billable=True,
            ),
            CodeRow(
                code="S52.501A",
                title="Unspecified fracture of the lower end of right radius, initial encounter for closed fracture",
                billable=True,
            ),
            CodeRow(
                code="S30.1XXA",
                title="Contusion of abdominal wall, initial encounter",
                billable=True,
                deleted=True,
                effective_date=datetime.date(2015, 10, 1),
                termination_date=datetime.date(2026, 3, 31),
            ),
            CodeRow(code="F34.0", title="Cyclothymic disorder", billable=True),
        ],
    )
    Note.objects.create(
        code=Code.objects.get(code="F34.0"), type=Note.Type.INCLUSION, text="Affective personality disorder"
    )
    _sync(
        "icd-10-pcs",
        "icd-10-pcs",
        [
            CodeRow(code="0DT", title="Resection, Gastrointestinal System", kind="table"),
            CodeRow(
                code="0DTJ4ZZ",
                title="Resection of Appendix, Percutaneous Endoscopic Approach",
                parent="0DT",
                billable=True,
            ),
            CodeRow(code="DM2", title="Stereotactic Radiosurgery, Breast", kind="table"),
            CodeRow(
                code="DM20DZZ",
                title="Stereotactic Other Photon Radiosurgery of Left Breast",
                parent="DM2",
                billable=True,
            ),
        ],
    )
    _sync(
        "hcpcs",
        "hcpcs",
        [
            CodeRow(code="J1100", title="Injection, dexamethasone sodium phosphate, 1 mg", billable=True),
            CodeRow(code="J1120", title="Injection, acetazolamide sodium, up to 500 mg", billable=True),
            CodeRow(
                code="J1885",
                title="Injection, ketorolac tromethamine, per 15 mg",
                short_title="Ketorolac tromethamine inj",
                billable=True,
            ),
            CodeRow(code="J1300", title="Injection, eculizumab, 10 mg", billable=True),
            CodeRow(
                code="LT",
                title="Left side (used to identify procedures performed on the left side of the body)",
                kind="modifier",
            ),
        ],
    )
    _sync(
        "cpt",
        "cpt-codes",
        [CodeRow(code="99213", title="", billable=True), CodeRow(code="44970", title="", billable=True)],
    )
    PlainDescription.objects.create(
        system="cpt",
        code="44970",
        text="Laparoscopic removal of the appendix (appendectomy).",
        author="Editors",
        status="published",
    )
    _sync(
        "ms-drg",
        "ms-drg",
        [
            CodeRow(code="871", title="SEPTICEMIA OR SEVERE SEPSIS WITHOUT MV >96 HOURS WITH MCC", billable=True),
            CodeRow(code="470", title="MAJOR HIP AND KNEE JOINT REPLACEMENT", billable=True),
        ],
    )
    synonyms.seed()
    Synonym.objects.create(term="fire ant", replacement="hymenoptera", source=Synonym.Source.EDITOR)
    search.build_index()
