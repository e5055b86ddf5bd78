from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from codes.models import FeeSchedule, Locality, Release

SAMPLES = Path(__file__).parent / "samples"
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def _import(pprrvu="pfs_pprrvu.csv", **options):
    out = StringIO()
    call_command(
        "import_pfs",
        str(SAMPLES / pprrvu),
        gpci=str(SAMPLES / "pfs_gpci.csv"),
        localities=str(SAMPLES / "pfs_locco.csv"),
        stdout=out,
        **options,
    )
    return out.getvalue()


def test_it_loads_rvus_with_numbers_and_indicators():
    out = _import()
    assert "11 RVU rows" in out
    row = FeeSchedule.objects.get(code="43239", modifier="")
    assert row.work_rvu == Decimal("2.39")
    assert row.total_nonfacility == Decimal("11.28")
    assert row.global_days == "000"
    assert row.endo_base == "43235"
    assert row.mult_proc == "3"
    assert row.conversion_factor == Decimal("33.2875")
    assert set(FeeSchedule.objects.filter(code="71046").values_list("modifier", flat=True)) == {"", "26", "TC"}


def test_it_registers_the_release():
    _import()
    release = Release.objects.get(dataset="pfs")
    assert release.version == "2024-07"
    assert str(release.effective_date) == "2024-07-01"
    assert release.row_count == 11
    assert FeeSchedule.objects.filter(release=release).count() == 11


def test_it_joins_gpcis_with_locality_counties():
    _import()
    assert Locality.objects.count() == 4
    st_louis = Locality.objects.get(mac="05302", number="01")
    assert (st_louis.state, st_louis.name) == ("MO", "METROPOLITAN ST. LOUIS")
    assert "ST. CHARLES" in st_louis.counties
    assert st_louis.gpci_pe == Decimal("0.952")
    # Listed twice in the locality file: the counties are not repeated.
    assert Locality.objects.get(mac="05302", number="99").counties == "ALL OTHER COUNTIES"


def test_rerunning_changes_nothing():
    _import()
    before = sorted(FeeSchedule.objects.values_list("code", "modifier", "work_rvu", "status_code"))
    _import()
    assert sorted(FeeSchedule.objects.values_list("code", "modifier", "work_rvu", "status_code")) == before
    assert Locality.objects.count() == 4
    assert Release.objects.filter(dataset="pfs").count() == 1


def test_a_malformed_line_names_the_line_and_keeps_the_old_data():
    _import()
    with pytest.raises(
        CommandError,
        match=r"pfs_pprrvu_bad.csv, line 3: work_rvu: 'abc' is not a number",
    ):
        _import("pfs_pprrvu_bad.csv")
    assert FeeSchedule.objects.count() == 11


def test_it_reads_columns_by_name_in_any_order(tmp_path):
    lines = (SAMPLES / "pfs_pprrvu.csv").read_text().splitlines()
    import csv

    rows = list(csv.reader(lines))
    reordered = [list(reversed(row)) for row in rows]
    path = tmp_path / "reordered.csv"
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(reordered)
    out = StringIO()
    call_command("import_pfs", str(path), stdout=out)
    assert FeeSchedule.objects.get(code="99213", modifier="").work_rvu == Decimal("1.30")


def test_a_missing_column_is_an_error(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("hcpcs,mod,work_rvu\n99213,,1.3\n")
    with pytest.raises(CommandError, match="missing column"):
        call_command("import_pfs", str(path), stdout=StringIO())


def test_it_never_stores_a_description(tmp_path):
    path = tmp_path / "with_description.csv"
    path.write_text(
        "hcpcs,mod,description,status_code,work_rvu,glob_days\n99213,,Invented office visit text,A,1.3,XXX\n"
    )
    call_command("import_pfs", str(path), stdout=StringIO())
    row = FeeSchedule.objects.values()[0]
    assert "Invented office visit text" not in str(row)
