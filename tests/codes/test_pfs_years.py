"""The fee schedule by year: CY2026 (RVU26B, CMS GPCI and locality layouts) current, CY2025
and CY2024 kept as history, every amount naming its year."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from codes.models import Code, FeeSchedule, Locality, Release
from codes.sections import pfs

SAMPLES = Path(__file__).parent / "samples"
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def _import(path, *args):
    out = StringIO()
    call_command("import_codes", "pfs", str(SAMPLES / path), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def three_years():
    _import("pfs_pprrvu.csv")  # CY2024 (the defaults: RVU24C)
    _import("pprrvu25_oct_rvu25d.csv")
    _import(
        "pprrvu26_apr_nonqpp_rvu26b.csv",
        "--gpci",
        str(SAMPLES / "GPCI2026.csv"),
        "--localities",
        str(SAMPLES / "26LOCCO.csv"),
    )


def test_releases_are_named_from_the_cms_file_name(three_years):
    release = Release.objects.get(dataset="pfs", version="2026-04")
    assert release.title == "Medicare Physician Fee Schedule, CY2026 RVU file RVU26B (Apr 2026)"
    assert (release.effective_date, release.end_date) == (datetime.date(2026, 4, 1), datetime.date(2026, 12, 31))
    assert Release.objects.get(dataset="pfs", version="2025-10").effective_date == datetime.date(2025, 10, 1)


def test_the_page_shows_the_current_year_and_a_table_by_year(three_years, client):
    code = Code.objects.create(system="cpt", code="99213", compact="99213")
    data = pfs.context(code)
    assert data["year"] == "CY2026"
    assert data["conversion_factor"] == "33.4009"
    [row] = data["rows"]
    assert (row["work"], row["pe_nonfacility"], row["mp"], row["total_nonfacility"]) == ("1.30", "1.46", "0.09", "2.85")
    assert row["payment_nonfacility"] == "95.19"  # 2.85 x 33.4009 = 95.1926
    years = [
        (y["year"], y["total_nonfacility"], y["conversion_factor"], y["payment_nonfacility"]) for y in data["by_year"]
    ]
    assert years == [
        ("CY2026", "2.85", "33.4009", "95.19"),
        ("CY2025", "2.75", "32.3465", "88.95"),  # 2.75 x 32.3465 = 88.9529
        ("CY2024", "2.73", "33.2875", "90.87"),
    ]
    html = client.get("/cpt/99213/").content.decode()
    assert "Relative value units (RVUs), CY2026" in html
    assert "National payment estimate, CY2026" in html
    assert "Total RVUs and national amount by year" in html
    assert "$32.3465" in html
    assert "the one CMS pays with" in html


def test_a_later_release_of_the_same_year_replaces_it_and_others_stay(three_years, tmp_path):
    # RVU26A then RVU26B: one CY2026 release remains.
    rvu26a = tmp_path / "pprrvu26_jan_nonqpp_rvu26a.csv"
    rvu26a.write_text((SAMPLES / "pprrvu26_apr_nonqpp_rvu26b.csv").read_text().replace("1.30,1.46", "1.31,1.46"))
    call_command("import_codes", "pfs", str(rvu26a), stdout=StringIO())
    _import("pprrvu26_apr_nonqpp_rvu26b.csv")
    years = sorted(FeeSchedule.objects.filter(code="99213", modifier="").values_list("release__version", "work_rvu"))
    assert [(v, str(w)) for v, w in years] == [("2024-07", "1.30"), ("2025-10", "1.30"), ("2026-04", "1.30")]


def test_rerunning_changes_nothing(three_years):
    before = sorted(FeeSchedule.objects.values_list("code", "modifier", "release__version", "total_nonfacility"))
    _import("pprrvu26_apr_nonqpp_rvu26b.csv")
    after = sorted(FeeSchedule.objects.values_list("code", "modifier", "release__version", "total_nonfacility"))
    assert after == before


def test_cms_gpcis_keep_the_floored_work_gpci_that_cms_pays_with(three_years):
    alabama = Locality.objects.get(mac="10112", number="00")
    assert (str(alabama.gpci_work), str(alabama.gpci_work_unfloored)) == ("1.000", "0.988")
    assert (alabama.name, alabama.counties) == ("STATEWIDE", "ALL COUNTIES")
    assert Locality.objects.get(mac="02102").gpci_work == Locality.objects.get(mac="02102").gpci_work_unfloored
    assert {loc.release.version for loc in Locality.objects.all()} == {"2026-04"}


def test_an_older_years_localities_never_replace_the_newest(three_years):
    _import("pfs_pprrvu.csv", "--gpci", str(SAMPLES / "pfs_gpci.csv"), "--localities", str(SAMPLES / "pfs_locco.csv"))
    assert {loc.release.version for loc in Locality.objects.all()} == {"2026-04"}


def test_dropped_leading_zeros_in_a_locality_file_still_match(tmp_path):
    locco = tmp_path / "25LOCCO.csv"
    locco.write_text(
        "COUNTIES INCLUDED IN 2025 LOCALITIES.,,,,\n,,,,\n"
        "Medicare Adminstrative Contractor,Locality Number,State ,Fee Schedule Area ,Counties\n,,,,\n"
        "2102,1,ALASKA ,STATEWIDE ,ALL COUNTIES \n"
    )
    gpci = tmp_path / "GPCI2025.csv"
    gpci.write_text(
        "ADDENDUM E. FINAL CY 2025 GPCIs,,,,,,\n,,,,,,\n"
        "Medicare Administrative Contractor (MAC),State,Locality Number,Locality Name,"
        "2025 PW GPCI (with 1.0 Floor),2025 PE GPCI,2025 MP GPCI\n02102,AK,01,ALASKA*,1.5,1.081,0.592\n"
    )
    _import("pprrvu25_oct_rvu25d.csv", "--gpci", str(gpci), "--localities", str(locco))
    alaska = Locality.objects.get()
    assert (alaska.counties, str(alaska.gpci_work), alaska.gpci_work_unfloored) == ("ALL COUNTIES", "1.500", None)


def test_a_gpci_file_without_its_header_names_the_problem(tmp_path):
    gpci = tmp_path / "GPCI2026.csv"
    gpci.write_text("ADDENDUM E,,,\n,,,\n10112,AL,00,ALABAMA\n")
    with pytest.raises(CommandError, match=r"GPCI2026.csv: no header row"):
        _import("pprrvu26_apr_nonqpp_rvu26b.csv", "--gpci", str(gpci), "--localities", str(SAMPLES / "26LOCCO.csv"))
    assert not FeeSchedule.objects.exists()


def test_a_bad_gpci_value_names_its_line(tmp_path):
    gpci = tmp_path / "GPCI2026.csv"
    gpci.write_text((SAMPLES / "GPCI2026.csv").read_text().replace("0.988,1.000", "0.988,one"))
    with pytest.raises(CommandError, match=r"GPCI2026.csv, line 4: gpci_work: 'one' is not a number"):
        _import("pprrvu26_apr_nonqpp_rvu26b.csv", "--gpci", str(gpci), "--localities", str(SAMPLES / "26LOCCO.csv"))
