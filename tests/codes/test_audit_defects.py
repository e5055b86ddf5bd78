"""Defects found in the audit against the official files (issue 14, section 2), each as a
user sees it: the page or the API. Inclusion terms: test_icd10cm_notes.py; NCCI modifier
wording: test_ncci_cms_layout.py; HCPCS dates: test_hcpcs_2026.py; years and quarters of
amounts and edits: test_pfs_years.py and test_ncci_cms_layout.py."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from codes.models import Code, CodeChange

SAMPLES = Path(__file__).parent / "samples"
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]
FY2024 = ["--version", "2024", "--effective", "2023-10-01", "--end", "2024-09-30"]


def _run(*args):
    call_command("import_codes", *[str(a) for a in args], stdout=StringIO())


@pytest.fixture
def icd10cm_two_years():
    _run("icd10cm-codes", SAMPLES / "icd10cm-codes-sample.txt", *FY2024)
    _run("icd10cm-tabular", SAMPLES / "icd10cm_tabular_sample.xml", "--version", "2026-04", "--effective", "2026-04-01")


def test_a_deleted_icd10cm_code_is_never_billable_in_the_api(icd10cm_two_years, client):
    answer = client.get("/api/v1/codes/icd-10-cm/M48.59XA").json()
    assert answer["status"] == "deleted"
    assert answer["billable"] is False
    assert client.get("/api/v1/codes/icd-10-cm/M48.56XA").json()["billable"] is True


def test_a_deleted_icd10pcs_code_is_never_billable_in_the_api(client):
    _run("icd10pcs-codes", SAMPLES / "icd10pcs-codes-2024.txt", *FY2024)
    _run("icd10pcs-tables", SAMPLES / "icd10pcs_tables.xml")
    gone = Code.objects.filter(system="icd-10-pcs", kind="code", deleted=True).first()
    assert gone is not None
    answer = client.get(f"/api/v1/codes/icd-10-pcs/{gone.code}").json()
    assert (answer["status"], answer["billable"]) == ("deleted", False)


def test_history_does_not_call_codes_of_the_oldest_release_added(icd10cm_two_years, client):
    html = client.get("/icd-10-cm/M48.06/").content.decode()  # in FY2024, revised since
    assert "In every release loaded here since FY2024" in html
    assert ">Added<" not in html
    # A code new in the later release is added by it.
    assert CodeChange.objects.get(code__code="M48.56XA", change="added")
    assert ">Added<" in client.get("/icd-10-cm/M48.56XA/").content.decode()


def test_history_uses_the_official_hcpcs_added_date(client):
    _run("hcpcs", SAMPLES / "hcpcs_2020_anweb.txt")
    code = Code.objects.filter(system="hcpcs", kind="code").exclude(data__added_date=None).first()
    added = code.data["added_date"]
    html = client.get(f"/hcpcs/{code.code}/").content.decode()
    assert f"Added {added}" in html
    assert "the official added date in the CMS file" in html


def _msdrg(tmp_path):
    mcc = (
        (SAMPLES / "msdrg_mcc.txt")
        .read_text()
        .replace("J12.82\tPneumonia", "R57.0\tCardiogenic shock\nJ12.82\tPneumonia")
    )
    exclusions = (
        (SAMPLES / "msdrg_exclusions.txt")
        .read_text()
        .replace(" J1282   MCC No Excl", " R570    MCC No Excl          Cardiogenic shock\n J1282   MCC No Excl")
    )
    (tmp_path / "mcc.txt").write_text(mcc)
    (tmp_path / "6k.txt").write_text(exclusions)
    _run(
        "ms-drg",
        "--weights",
        SAMPLES / "msdrg_weights.txt",
        "--mcc",
        tmp_path / "mcc.txt",
        "--cc",
        SAMPLES / "msdrg_cc.txt",
        "--exclusions",
        tmp_path / "6k.txt",
    )


def test_an_mcc_only_if_discharged_alive_says_so_on_the_page_and_in_the_api(tmp_path, client):
    _msdrg(tmp_path)
    for code in ("R57.0", "J12.82"):
        Code.objects.create(system="icd-10-cm", code=code, compact=code.replace(".", ""), billable=True)
    html = client.get("/icd-10-cm/R57.0/").content.decode()
    assert "MCC, only if discharged alive" in html
    assert "when the patient dies during the stay, it does not count as a CC or MCC" in html
    related = client.get("/api/v1/codes/icd-10-cm/R57.0").json()["related"]["cc"]
    assert related["discharged_alive_only"] is True
    assert related["level_label"] == "MCC, only if discharged alive"
    plain = client.get("/api/v1/codes/icd-10-cm/J12.82").json()["related"]["cc"]
    assert (plain["discharged_alive_only"], plain["level_label"]) == (False, "MCC")


def test_cdt_codes_of_the_fee_schedule_get_a_page_with_cms_numbers(client):
    _run("hcpcs", SAMPLES / "hcpcs_2020_anweb.txt")
    _run("pfs", SAMPLES / "pprrvu26_apr_nonqpp_rvu26b.csv")
    _run("cdt-codes")
    response = client.get("/hcpcs/D0120/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "CDT&reg; descriptor is licensed content of the American Dental Association" in html
    assert "Medicare Physician Fee Schedule" in html
    assert "CY2026" in html
    d0120 = Code.objects.get(system="hcpcs", code="D0120")
    assert (d0120.title, d0120.parent.code) == ("", "D")
    # A later HCPCS import (which never lists D codes) leaves them alone.
    _run("hcpcs", SAMPLES / "hcpcs_2020_anweb.txt")
    assert not Code.objects.get(system="hcpcs", code="D0120").deleted
