"""HCPCS Level II January 2026 over October 2025: what changed shows on each code, and each
CMS date is shown as CMS gives it, labelled as CMS labels it."""

import csv
import datetime
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from codes.models import Code, CodeChange

SAMPLES = Path(__file__).parent / "samples"
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def _workbook(tmp_path: Path, sample: str, name: str) -> Path:
    """A CMS-layout workbook holding real rows of that release (kept as TSV so a diff shows them)."""
    workbook = openpyxl.Workbook()
    with open(SAMPLES / sample, newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            workbook.active.append(row)
    workbook.save(tmp_path / name)
    return tmp_path / name


@pytest.fixture
def two_quarters(tmp_path):
    for sample, name in [
        ("hcpcs_2025_oct.tsv", "HCPC2025_OCT_ANWEB.xlsx"),
        ("hcpcs_2026_jan.tsv", "HCPC2026_JAN_ANWEB_01122026.xlsx"),
    ]:
        call_command("import_codes", "hcpcs", str(_workbook(tmp_path, sample, name)), stdout=StringIO())


def test_a_code_added_in_january_2026_is_current_with_its_change(two_quarters, client):
    code = Code.objects.get(system="hcpcs", code="A4295")
    assert (code.billable, code.deleted, code.release.version) == (True, False, "2026-01")
    assert code.effective_date == datetime.date(2026, 1, 1)
    assert CodeChange.objects.get(code=code).change == "added"
    html = client.get("/hcpcs/A4295/").content.decode()
    assert "Intermittent urinary catheter; straight tip, hydrophilic coating, each" in html
    assert "Added date" in html


def test_rerunning_january_changes_nothing(two_quarters, tmp_path):
    changes = CodeChange.objects.count()
    path = _workbook(tmp_path, "hcpcs_2026_jan.tsv", "HCPC2026_JAN_ANWEB_01122026.xlsx")
    out = StringIO()
    call_command("import_codes", "hcpcs", str(path), stdout=out)
    assert "0 added, 0 revised, 0 deleted" in out.getvalue()
    assert CodeChange.objects.count() == changes


def test_a_terminated_codes_action_effective_date_is_the_files(two_quarters, client):
    # G8966: ADD DT 2013-01-01, ACT EFF DT 2025-01-01, TERM DT 2024-12-31, action N.
    html = client.get("/hcpcs/G8966/").content.decode()
    assert 'Action effective date <small>(CMS ACT EFF DT)</small></dt><dd><time datetime="2025-01-01">' in html
    assert 'Added date <small>(CMS ADD DT)</small></dt><dd><time datetime="2013-01-01">' in html
    assert 'Termination date <small>(CMS TERM DT)</small></dt><dd><time datetime="2024-12-31">' in html
