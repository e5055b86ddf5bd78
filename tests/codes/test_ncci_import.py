import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from codes.models import AddOnEdit, Mue, PtpEdit, Release

SAMPLES = Path(__file__).parent / "samples"
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def _ptp(name="ncci_ptp.tsv", setting="practitioner"):
    out = StringIO()
    call_command("import_ncci_ptp", str(SAMPLES / name), setting=setting, stdout=out)
    return out.getvalue()


def test_it_loads_ptp_edits_with_dates_and_indicators():
    out = _ptp()
    assert "10 edits" in out
    edit = PtpEdit.objects.get(column1="43239", column2="43235")
    assert (edit.setting, edit.deletion_date, edit.modifier_indicator) == (
        "practitioner",
        None,
        "0",
    )
    assert edit.rationale == "CPT Separate procedure definition"
    assert edit.release.dataset == "ncci-ptp-practitioner"
    assert edit.release.version == "2024Q3"
    deleted = PtpEdit.objects.filter(column1="22520", column2="22521").get()
    assert deleted.deletion_date == datetime.date(2014, 12, 31)


def test_it_streams_gzipped_files():
    _ptp("ncci_ptp.tsv.gz", setting="outpatient")
    assert PtpEdit.objects.filter(setting="outpatient").count() == 10
    assert Release.objects.get(dataset="ncci-ptp-outpatient").row_count == 10


def test_ptp_reruns_replace_only_their_setting():
    _ptp()
    _ptp(setting="outpatient")
    _ptp()
    assert PtpEdit.objects.filter(setting="practitioner").count() == 10
    assert PtpEdit.objects.filter(setting="outpatient").count() == 10


def _indexes_and_keys(table):
    with connection.cursor() as cursor:
        return {
            name: sorted(c["columns"]) for name, c in connection.introspection.get_constraints(cursor, table).items()
        }


def test_a_first_load_leaves_the_table_with_all_its_indexes_and_keys():
    """The first PTP load builds the table's indexes and keys once at the end; they must all be back."""
    before = _indexes_and_keys(PtpEdit._meta.db_table)
    _ptp()
    assert _indexes_and_keys(PtpEdit._meta.db_table) == before
    _ptp(setting="outpatient")  # a load into a table with rows keeps them as they are
    assert _indexes_and_keys(PtpEdit._meta.db_table) == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "ncci_ptp_bad_code.tsv",
            r"ncci_ptp_bad_code.tsv, line 3: column 2: '4323' is not a HCPCS/CPT code",
        ),
        (
            "ncci_ptp_bad_date.tsv",
            r"ncci_ptp_bad_date.tsv, line 2: deletion date '2024-13-01'",
        ),
    ],
)
def test_a_malformed_ptp_line_is_an_error_and_keeps_the_old_edits(name, message):
    _ptp()
    with pytest.raises(CommandError, match=message):
        _ptp(name)
    assert PtpEdit.objects.filter(setting="practitioner").count() == 10


def test_it_loads_mues_per_setting():
    call_command(
        "import_ncci_mue",
        str(SAMPLES / "ncci_mue.tsv"),
        setting="practitioner",
        stdout=StringIO(),
    )
    mue = Mue.objects.get(code="J1100")
    assert (mue.setting, mue.units, mue.mai, mue.rationale) == (
        "practitioner",
        120,
        "3",
        "Clinical: Data",
    )
    assert mue.release.dataset == "ncci-mue-practitioner"


def test_mue_columns_are_found_by_name_in_any_order():
    call_command(
        "import_ncci_mue",
        str(SAMPLES / "ncci_mue_reordered.tsv"),
        setting="outpatient",
        stdout=StringIO(),
    )
    mue = Mue.objects.get(code="43239", setting="outpatient")
    assert (mue.units, mue.mai, mue.rationale) == (1, "2", "Anatomic Consideration")


def test_mue_reruns_change_nothing():
    for _ in range(2):
        call_command(
            "import_ncci_mue",
            str(SAMPLES / "ncci_mue.tsv"),
            setting="dme",
            stdout=StringIO(),
        )
    assert Mue.objects.filter(setting="dme").count() == 5


def test_a_malformed_mue_line_is_an_error():
    with pytest.raises(CommandError, match=r"ncci_mue_bad.tsv, line 3: units 'many'"):
        call_command(
            "import_ncci_mue",
            str(SAMPLES / "ncci_mue_bad.tsv"),
            setting="practitioner",
            stdout=StringIO(),
        )
    assert not Mue.objects.exists()


def test_it_loads_add_on_edits():
    for _ in range(2):
        call_command("import_ncci_aoc", str(SAMPLES / "ncci_aoc.tsv"), stdout=StringIO())
    assert AddOnEdit.objects.count() == 14
    assert set(AddOnEdit.objects.filter(addon_code="22512").values_list("primary_code", flat=True)) == {
        "22510",
        "22511",
    }
    assert AddOnEdit.objects.get(addon_code="0054T").primary_code == "CCCCC"
    assert Release.objects.get(dataset="ncci-aoc").row_count == 14


def test_a_malformed_add_on_line_is_an_error():
    with pytest.raises(CommandError, match=r"ncci_aoc_bad.tsv, line 3: edit type '4'"):
        call_command("import_ncci_aoc", str(SAMPLES / "ncci_aoc_bad.tsv"), stdout=StringIO())
