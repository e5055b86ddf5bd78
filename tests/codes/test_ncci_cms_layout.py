"""NCCI files in the CMS layout (MUE CSV with its notice row, add-on code edits workbook with
Julian dates and special instructions), each shown with the quarter it is from."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from codes.models import AddOnEdit, Code, Mue, PtpEdit, Release
from codes.sections import ncci

SAMPLES = Path(__file__).parent / "samples"
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]
Q2_2026 = ["--version", "2026Q2", "--effective", "2026-04-01", "--end", "2026-06-30"]


def _import(kind, path, *args):
    out = StringIO()
    call_command("import_codes", kind, str(SAMPLES / path), *args, stdout=out)
    return out.getvalue()


def _page(client, system, code):
    Code.objects.get_or_create(system=system, code=code, defaults={"compact": code})
    response = client.get(f"/{system}/{code}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_cms_mue_csv_loads_below_its_notice_row():
    out = _import("ncci-mue", "ncci_mue_cms.csv", "--setting", "practitioner", *Q2_2026)
    assert "5 MUEs" in out
    assert (Mue.objects.get(code="99213").units, Mue.objects.get(code="99213").mai) == (2, "3")
    assert (Mue.objects.get(code="A0425").units, Mue.objects.get(code="A0425").mai) == (250, "1")
    assert Mue.objects.get(code="A0425").rationale == "Clinical: Data"
    assert Release.objects.get(dataset="ncci-mue-practitioner").effective_date == datetime.date(2026, 4, 1)


def test_a_malformed_cms_mue_row_names_its_line():
    lines = (SAMPLES / "ncci_mue_cms_bad.csv").read_bytes().split(b"\n")
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith(b"A0425"))
    with pytest.raises(CommandError, match=rf"ncci_mue_cms_bad.csv, line {line}: units 'two'"):
        _import("ncci-mue", "ncci_mue_cms_bad.csv", "--setting", "practitioner")
    assert not Mue.objects.exists()


def test_every_mue_says_which_quarter_it_is_from(client):
    _import("ncci-mue", "ncci_mue_cms.csv", "--setting", "practitioner", *Q2_2026)
    _import("ncci-mue", "ncci_mue_reordered.tsv", "--setting", "outpatient")  # the 2024Q3 default
    data = ncci.context(Code.objects.create(system="cpt", code="43239", compact="43239"))
    by_setting = {m["setting"]: m["release"] for m in data["mues"]}
    assert by_setting["practitioner"]["version"] == "2026Q2"
    assert by_setting["practitioner"]["effective_date"] == "2026-04-01"
    assert by_setting["outpatient"]["version"] == "2024Q3"
    html = _page(client, "cpt", "43239")
    assert "2026Q2, from <time" in html
    assert "2024Q3, from <time" in html


def test_the_cms_add_on_workbook_keeps_each_period_and_its_instructions():
    out = _import("ncci-aoc", "ncci_aoc_cms.xlsx", *Q2_2026)
    assert "8 pairs" in out
    periods = AddOnEdit.objects.filter(addon_code="0767T", primary_code="0766T").order_by("effective_date")
    assert [(p.effective_date, p.deletion_date) for p in periods] == [
        (datetime.date(2023, 1, 1), datetime.date(2023, 12, 31)),
        (datetime.date(2024, 1, 1), None),
    ]
    edit = AddOnEdit.objects.get(addon_code="96376")
    # Julian 2016091 is 2016-03-31 (a leap year); 2013091 is 2013-04-01.
    assert (edit.effective_date, edit.deletion_date) == (datetime.date(2013, 4, 1), datetime.date(2016, 3, 31))
    assert edit.notes == "96376 may be reported by facilities only"
    assert AddOnEdit.objects.get(addon_code="69990").notes.startswith("Based on Internet-Only Manual")
    assert AddOnEdit.objects.in_effect().count() == 5
    assert AddOnEdit.objects.in_effect(datetime.date(2015, 6, 1)).filter(addon_code="96376").exists()
    assert not AddOnEdit.objects.in_effect(datetime.date(2017, 1, 1)).filter(addon_code="96376").exists()


def test_a_bad_julian_date_names_its_row():
    with pytest.raises(CommandError, match=r"ncci_aoc_cms_bad_date.xlsx, line 6: date '2026400' is not YYYYDDD"):
        _import("ncci-aoc", "ncci_aoc_cms_bad_date.xlsx")
    assert not AddOnEdit.objects.exists()


def test_add_on_edits_show_in_effect_pairs_with_instructions_and_quarter(client):
    _import("ncci-aoc", "ncci_aoc_cms.xlsx", *Q2_2026)
    data = ncci.context(Code.objects.create(system="cpt", code="69990", compact="69990"))
    assert data["addons"]["instructions"][0].startswith("Based on Internet-Only Manual")
    assert data["addons"]["release"]["version"] == "2026Q2"
    html = _page(client, "cpt", "69990")
    assert "CMS special instruction: Based on Internet-Only Manual" in html
    # A deleted edit is not shown as current: 0079T's only pair ended in 2013.
    assert ncci.context(Code.objects.create(system="cpt", code="0079T", compact="0079T")) is None


def _ptp(tmp_path, rows):
    path = tmp_path / "ptp.tsv"
    path.write_text(
        "column1\tcolumn2\tdeletion_date\tmodifier_indicator\tptp_edit_rationale\n"
        + "".join(f"{c1}\t{c2}\t*\t1\tStandards of medical / surgical practice\n" for c1, c2 in rows)
    )
    call_command("import_codes", "ncci-ptp", str(path), "--setting", "practitioner", stdout=StringIO())


def test_indicator_1_names_25_or_57_when_the_column_2_code_is_an_em_code(tmp_path, client):
    _ptp(tmp_path, [("11102", "99213"), ("27447", "20610")])
    em = PtpEdit.objects.get(column2="99213").modifier_meaning
    assert "25" in em
    assert "57" in em
    assert "59 and the X modifiers may not be used on an E/M code" in em
    other = PtpEdit.objects.get(column2="20610").modifier_meaning
    assert "59, XE, XS, XP, XU" in other
    assert "25" not in other
    html = _page(client, "cpt", "11102")
    assert "modifier 25" in html
