import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from codes.importers.msdrg import drg_family, icd10cm_dotted
from codes.models import CcCode, Code, CodeChange, DrgCcExclusion, Release

SAMPLES = Path(__file__).parent / "samples"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def _import(**files) -> str:
    paths = {
        "weights": "msdrg_weights.txt",
        "mcc": "msdrg_mcc.txt",
        "cc": "msdrg_cc.txt",
        "exclusions": "msdrg_exclusions.txt",
        **files,
    }
    out = StringIO()
    args = [f"--{name}={SAMPLES / file}" for name, file in paths.items()]
    call_command("import_msdrg", *args, stdout=out)
    return out.getvalue()


def test_it_inserts_the_dot_after_the_third_character():
    assert icd10cm_dotted("A0223") == "A02.23"
    assert icd10cm_dotted("K77") == "K77"
    assert icd10cm_dotted("QA00101") == "QA0.0101"


def test_it_strips_the_severity_split_from_family_titles():
    assert drg_family("HIP AND FEMUR PROCEDURES EXCEPT MAJOR JOINT WITHOUT CC/MCC") == (
        "HIP AND FEMUR PROCEDURES EXCEPT MAJOR JOINT"
    )
    assert drg_family("LIVER TRANSPLANT WITH MCC OR INTESTINAL TRANSPLANT") == "LIVER TRANSPLANT"
    assert drg_family("PANCREAS TRANSPLANT") == "PANCREAS TRANSPLANT"


def test_it_imports_drgs_under_their_mdc():
    output = _import()
    assert "10 DRGs in 3 MDC nodes" in output

    drg = Code.objects.get(system="ms-drg", code="470")
    assert drg.kind == "code"
    assert drg.billable
    assert drg.title == "MAJOR HIP AND KNEE JOINT REPLACEMENT OR REATTACHMENT OF LOWER EXTREMITY WITHOUT MCC"
    assert drg.parent.code == "MDC-08"
    assert drg.parent.kind == "mdc"
    assert drg.parent.title == "Diseases and Disorders of the Musculoskeletal System and Connective Tissue"
    assert drg.data == {
        "mdc": "08",
        "type": "SURG",
        "weight": 1.9289,
        "weight_before_cap": 1.9289,
        "gmlos": 1.9,
        "amlos": 2.2,
        "post_acute": True,
        "special_pay": False,
        "family": "MAJOR HIP AND KNEE JOINT REPLACEMENT OR REATTACHMENT OF LOWER EXTREMITY",
        "fy": 2026,
    }
    assert drg.get_absolute_url() == "/ms-drg/470/"
    assert drg.parent.get_absolute_url() == "/ms-drg/browse/MDC-08/"


def test_it_puts_drgs_without_an_mdc_under_all_mdcs():
    _import()
    assert Code.objects.get(system="ms-drg", code="001").parent.code == "MDC-PRE"
    ungroupable = Code.objects.get(system="ms-drg", code="999")
    assert ungroupable.parent.code == "MDC-ALL"
    assert ungroupable.parent.title == "DRGs Associated with All MDCs"
    assert ungroupable.data["weight"] is None
    assert ungroupable.data["type"] == ""


def test_it_keeps_the_capped_weight_as_the_relative_weight():
    _import()
    data = Code.objects.get(system="ms-drg", code="010").data
    assert (data["weight"], data["weight_before_cap"]) == (7.1757, 3.0699)


def test_it_registers_the_release_from_the_fiscal_year():
    _import()
    release = Release.objects.get(dataset="ms-drg")
    assert release.version == "43.0"
    assert release.effective_date == datetime.date(2025, 10, 1)
    assert release.end_date == datetime.date(2026, 9, 30)
    assert release.file_name == "msdrg_weights.txt"


def test_it_imports_cc_and_mcc_codes_with_their_exclusion_lists():
    _import()
    assert CcCode.objects.count() == 10
    mcc = CcCode.objects.get(code="A02.21")
    assert (mcc.level, mcc.exclusion_list) == ("MCC", 6)
    assert CcCode.objects.get(code="K77").exclusion_list is None
    assert CcCode.objects.get(code="QA0.0101").level == "CC"
    pdx = list(DrgCcExclusion.objects.filter(list_number=6).order_by("pdx").values_list("pdx", flat=True))
    assert pdx == ["A02.21", "A02.22", "G00.0", "S06.5X0A"]


def test_parts_2_and_3_do_not_end_up_in_the_last_list():
    _import()
    assert list(DrgCcExclusion.objects.filter(list_number=1537).values_list("pdx", flat=True)) == ["QA0.0101"]
    assert not DrgCcExclusion.objects.filter(pdx__in=["I46.2", "R57.0", "S06.1X3A"]).exists()


def test_it_reads_gzipped_files():
    _import(exclusions="msdrg_exclusions.txt.gz")
    assert DrgCcExclusion.objects.count() == 10


def test_rerunning_changes_nothing():
    _import()
    counts = (
        Code.objects.count(),
        CodeChange.objects.count(),
        CcCode.objects.count(),
        DrgCcExclusion.objects.count(),
    )
    output = _import()
    assert "0 added, 0 revised, 0 deleted" in output
    assert (
        Code.objects.count(),
        CodeChange.objects.count(),
        CcCode.objects.count(),
        DrgCcExclusion.objects.count(),
    ) == counts


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"weights": "msdrg_weights_bad.txt"},
            "msdrg_weights_bad.txt, line 8: '47O' is not a three-digit MS-DRG",
        ),
        (
            {"weights": "msdrg_weights_bad_flag.txt"},
            "msdrg_weights_bad_flag.txt, line 6: expected Yes or No",
        ),
        ({"cc": "msdrg_cc_bad.txt"}, "msdrg_cc_bad.txt, line 5:"),
        (
            {"exclusions": "msdrg_exclusions_bad.txt"},
            "msdrg_exclusions_bad.txt, line 33: not a PDX row",
        ),
        (
            {"exclusions": "msdrg_exclusions_short.txt"},
            "msdrg_exclusions_short.txt, line 14: A02.25: PDX collection 10 has 1 codes, not 2",
        ),
        (
            {"exclusions": "msdrg_exclusions_level.txt"},
            "msdrg_exclusions_level.txt, line 15: A02.29 is MCC here but CC",
        ),
        ({"mcc": "no_such_file.txt"}, "no_such_file.txt: file not found"),
    ],
)
def test_a_malformed_file_names_the_line_and_keeps_the_previous_data(files, message):
    _import()
    before = (
        Code.objects.count(),
        CcCode.objects.count(),
        DrgCcExclusion.objects.count(),
    )
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _import(**files)
    assert (
        Code.objects.count(),
        CcCode.objects.count(),
        DrgCcExclusion.objects.count(),
    ) == before
