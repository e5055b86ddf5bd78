import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from codes.importers.cpt_codes import read_ranges, sort_key
from codes.models import Code, CodeChange, Kind, Mue

SAMPLES = Path(__file__).parent / "samples"
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


@pytest.fixture
def cms_files():
    out = StringIO()
    call_command("import_pfs", str(SAMPLES / "pfs_pprrvu.csv"), stdout=out)
    call_command(
        "import_ncci_ptp",
        str(SAMPLES / "ncci_ptp.tsv"),
        setting="practitioner",
        stdout=out,
    )
    call_command(
        "import_ncci_mue",
        str(SAMPLES / "ncci_mue.tsv"),
        setting="practitioner",
        stdout=out,
    )
    call_command("import_ncci_aoc", str(SAMPLES / "ncci_aoc.tsv"), stdout=out)


def _run():
    out = StringIO()
    call_command("import_cpt_codes", stdout=out)
    return out.getvalue()


def _cpt(code):
    return Code.objects.get(system="cpt", code=code)


def test_it_creates_cpt_codes_from_every_cms_table(cms_files):
    _run()
    codes = set(Code.objects.filter(system="cpt", kind=Kind.CODE).values_list("code", flat=True))
    # Fee schedule, PTP columns 1 and 2, MUE and add-on edits; no HCPCS Level II codes.
    assert {
        "99213",
        "71046",
        "43239",
        "43235",
        "43236",
        "20610",
        "22512",
        "22510",
        "0054T",
        "20930",
    } <= codes
    assert not {"A0021", "G0008", "G0500", "J1100", "CCCCC"} & codes
    assert _cpt("43239").data["sources"] == ["mue", "pfs", "ptp"]
    assert not _cpt("43239").deleted
    assert _cpt("43239").billable


def test_it_never_writes_titles_of_its_own(cms_files):
    _run()
    assert set(Code.objects.filter(system="cpt", kind=Kind.CODE).values_list("title", flat=True)) == {""}


def test_it_keeps_titles_already_loaded(cms_files):
    Code.objects.create(
        system="cpt",
        code="99213",
        compact="99213",
        title="Invented visit title",
        short_title="Inv",
    )
    _run()
    code = _cpt("99213")
    assert (code.title, code.short_title) == ("Invented visit title", "Inv")
    assert not CodeChange.objects.filter(code=code, change="revised").exists()


def test_a_code_only_in_deleted_edits_is_deleted_on_its_last_deletion_date(cms_files):
    _run()
    code = _cpt("0001A")
    assert code.deleted
    assert not code.billable
    assert code.termination_date == datetime.date(2023, 12, 31)
    # In a deleted edit and also in an in-effect one: current.
    assert not _cpt("43239").deleted


def test_replacements_are_applied(cms_files):
    _run()
    lumbar = _cpt("22521")
    assert lumbar.deleted
    assert lumbar.replaced_by == "22511"
    assert lumbar.termination_date == datetime.date(2014, 12, 31)
    assert lumbar.data["replacement"]["year"] == 2015
    # Listed in the replacements but in no CMS file here: created as deleted.
    office = _cpt("99201")
    assert (office.deleted, office.replaced_by) == (True, "99202")
    assert _cpt("97001").replaced_by == "97161,97162,97163"


def test_codes_hang_under_the_narrowest_range(cms_files):
    _run()
    code = _cpt("22511")
    assert code.parent.code == "20100-29999"
    assert code.parent.kind == Kind.SECTION
    assert code.parent.parent.code == "10004-69990"
    assert code.lineage == [code.parent.parent_id, code.parent_id]
    assert _cpt("0054T").parent.code == "0001T-0999T"
    assert _cpt("99213").parent.code == "99201-99215"


def test_rerunning_changes_nothing(cms_files):
    _run()
    before = list(
        Code.objects.filter(system="cpt").values_list("code", "deleted", "parent__code", "replaced_by", "data")
    )
    out = _run()
    assert "0 added, 0 revised, 0 deleted, 0 reinstated" in out
    after = list(
        Code.objects.filter(system="cpt").values_list("code", "deleted", "parent__code", "replaced_by", "data")
    )
    assert after == before


def test_a_code_that_comes_back_is_reinstated(cms_files):
    _run()
    assert _cpt("0001A").deleted
    mue = Mue.objects.first()
    Mue.objects.create(setting="outpatient", code="0001A", units=1, mai="2", release=mue.release)
    out = _run()
    assert "1 reinstated" in out
    assert not _cpt("0001A").deleted


def test_descriptor_only_codes_are_left_alone(cms_files):
    Code.objects.create(system="cpt", code="12345", compact="12345", title="Invented", billable=True)
    _run()
    assert not _cpt("12345").deleted


def test_it_needs_the_cms_imports_first():
    with pytest.raises(CommandError, match="import PFS and NCCI first"):
        _run()


def test_lettered_codes_sort_after_numeric_codes():
    assert sort_key("99607") < sort_key("0001F") < sort_key("0001T") < sort_key("0001U")
    assert sort_key("00100") < sort_key("99213")


def test_the_bundled_range_table_reads():
    ranges = read_ranges(Path(__file__).parents[2] / "fixtures" / "cpt" / "ranges.tsv")
    assert any(r.code == "00100-01999" for r in ranges)


def test_a_malformed_range_table_names_the_line(tmp_path):
    path = tmp_path / "ranges.tsv"
    path.write_text("range\tparent\ttitle\n10004-19499\t\tSkin\n1234-5\t\tBad\n")
    with pytest.raises(Exception, match=r"ranges.tsv, line 3"):
        read_ranges(path)
