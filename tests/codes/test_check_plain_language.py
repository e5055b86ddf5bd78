"""manage.py check_plain_language: codes named and figures quoted in descriptions match the data.

The full check runs on a fully loaded database (see fixtures/plain_language/README.md); here
it runs on invented rows, and on a sample of the bundled CPT entries against the rows of the
bundled CMS files that those entries name."""

import datetime
import random
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from codes.importers.ncci import parse_aoc, parse_mue
from codes.importers.pfs import parse_pprrvu
from codes.importers.plain_language import bundled_paths, parse_files
from codes.models import AddOnEdit, Code, FeeSchedule, Mue, PlainDescription, Release
from codes.plain_checks import named_codes

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PAD = " This sentence only pads the invented paragraph to a realistic length for the check."


def _check(*args: str) -> str:
    out = StringIO()
    call_command("check_plain_language", *args, stdout=out)
    return out.getvalue()


def _describe(code: str, text: str, system: str = "cpt", sources: tuple[str, ...] = ()) -> None:
    PlainDescription.objects.create(
        system=system,
        code=code,
        text=text + PAD,
        sources=list(sources),
        author="Editors",
        status=PlainDescription.Status.PUBLISHED,
    )


@pytest.fixture
def data(db):
    release = Release.objects.create(dataset="sample", version="1", title="Sample")
    for code, deleted in [("99291", False), ("99292", False), ("27447", False), ("22521", True), ("22511", False)]:
        Code.objects.create(system="cpt", code=code, compact=code, deleted=deleted)
    Code.objects.create(system="icd-10-cm", code="E11.9", compact="E119", title="Invented")
    Code.objects.create(system="hcpcs", code="J1100", compact="J1100", title="Invented")
    for code, days, bilat in [("99291", "XXX", "9"), ("99292", "ZZZ", "9"), ("27447", "090", "1")]:
        FeeSchedule.objects.create(
            release=release, code=code, status_code="A", global_days=days, bilat_surg=bilat, work_rvu="4.50"
        )
    Mue.objects.create(release=release, setting="practitioner", code="27447", units=1, mai="2")
    Mue.objects.create(release=release, setting="outpatient", code="27447", units=2, mai="2")
    AddOnEdit.objects.create(release=release, addon_code="99292", primary_code="99291", edit_type="1")
    return release


@pytest.mark.django_db
def test_it_passes_descriptions_whose_codes_and_figures_match(data):
    _describe(
        "27447",
        "An invented knee text. It carries a 90-day global period, and a work RVU of 4.5. "
        "The practitioner MUE is 1 and the MAI is 2; the outpatient hospital MUE is 2. "
        "Report it with modifier 50 when both knees are done. Diabetes is coded as E11.9.",
    )
    _describe(
        "99291",
        "Invented critical care text. Each further half hour is the add-on code 99292, with a ZZZ global. "
        "Code 22521 was deleted in 2015 and replaced by 22511.",
    )
    _describe("22521", "A deleted code described for older claims; 22511 replaced it.")
    output = _check()
    assert "Checked 3 descriptions: 5 codes named, 8 figures quoted, 0 problems" in output


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Use 99999 for the rest.", "names 99999, which is not in the cpt code table"),
        ("Use 22521 for the lumbar level.", "names 22521, a deleted cpt code, without saying it was deleted"),
        ("Pair it with E11.65 when fitting.", "names E11.65, which is not in the icd-10-cm code table"),
        ("It carries a 10-day global period.", "says the global period of 27447 is 010; the data says 090"),
        ("Its global indicator is XXX.", "says the global indicator of 27447 is XXX; the data says 090"),
        ("The practitioner MUE is 2.", "says the MUE of 27447 is 2; the data says 1"),
        ("27447 has a work RVU of 20.00.", "says the work RVU of 27447 is 20.00; the data says 4.50"),
        ("Add 99291 after it, as it is an add-on code.", "calls 99291 an add-on code"),
        ("It has a bilateral indicator of 2.", "says the bilateral indicator of 27447 is 2; the data says 1"),
        ("For 99291 use modifier 50 on both sides.", "points 99291 to modifier 50; its bilateral indicator is 9"),
        ("The MUE allows about three units, 3 at most.", "quotes a MUE figure (3) in words the checks cannot read"),
        ("The global period runs 90 days.", "quotes a global period figure (90 days) in words the checks cannot read"),
    ],
)
def test_it_reports_a_wrong_code_or_figure(data, text, problem):
    _describe("27447", "An invented knee text. " + text)
    with pytest.raises(CommandError, match=r"1 problem$"):
        _check()
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("check_plain_language", stdout=out)
    assert f"cpt 27447: {problem}" in out.getvalue()


@pytest.mark.django_db
def test_it_reports_a_description_of_a_code_that_is_missing_or_deleted_without_saying_so(data):
    _describe("12345", "An invented text about a code that does not exist.")
    _describe("22521", "An invented text that forgets to mention the status.")
    out = StringIO()
    with pytest.raises(CommandError, match="2 problems"):
        call_command("check_plain_language", stdout=out)
    assert "cpt 12345: the code is not in the code table" in out.getvalue()
    assert "cpt 22521: the code is deleted, and the text does not say so" in out.getvalue()


@pytest.mark.django_db
def test_it_reports_a_source_citing_an_older_fee_schedule_or_add_on_quarter_than_the_data(data):
    Release.objects.create(
        dataset="pfs", version="2025-10", title="Fee schedule RVU25D", effective_date=datetime.date(2025, 10, 1)
    )
    Release.objects.create(
        dataset="pfs", version="2026-04", title="Fee schedule RVU26B", effective_date=datetime.date(2026, 4, 1)
    )
    Release.objects.create(dataset="ncci-aoc", version="2026Q2", title="Add-on edits")
    _describe("27447", "An invented knee text.", sources=("Physician Fee Schedule file RVU26B: indicators",))
    _describe(
        "99291",
        "Invented critical care text.",
        sources=("Physician Fee Schedule file RVU25D: indicators", "CMS NCCI add-on code edits, 2024 Q3"),
    )
    out = StringIO()
    with pytest.raises(CommandError, match="2 problems"):
        call_command("check_plain_language", stdout=out)
    assert "cpt 99291: cites fee schedule file RVU25D; the data is RVU26B" in out.getvalue()
    assert "cpt 99291: cites the add-on edits of 2024Q3; the data is 2026Q2" in out.getvalue()
    assert "27447" not in out.getvalue()


@pytest.mark.django_db
def test_it_says_when_there_is_nothing_to_check():
    with pytest.raises(CommandError, match="no descriptions to check"):
        _check()


def test_it_finds_codes_of_each_system_in_running_text():
    text = "Report 99213-25 with J1100, E11.9 and I10, PCS 0SR90J9, DRG 470, not vitamin B12 or 10,000 units."
    found = [(n.system, n.code) for n in named_codes(text)]
    assert found == [
        ("cpt", "99213"),
        ("hcpcs", "J1100"),
        ("icd-10-cm", "E11.9"),
        ("icd-10-cm", "I10"),
        ("icd-10-pcs", "0SR90J9"),
        ("ms-drg", "470"),
    ]


def _load_cms_rows_for(codes: set[str]) -> None:
    """The bundled fee schedule, MUE and add-on rows of these codes, and code rows as
    load_codesets makes them (current unless the fee schedule says D or our replacement
    list retires them)."""
    release = Release.objects.create(dataset="sample", version="bundled", title="Bundled CMS rows")
    fees = [
        FeeSchedule(release=release, **row)
        for row in parse_pprrvu(FIXTURES / "pfs" / "pprrvu26_apr_nonqpp_rvu26b.csv.gz")
        if row["code"] in codes
    ]
    FeeSchedule.objects.bulk_create(fees)
    Mue.objects.bulk_create(
        Mue(release=release, setting="practitioner", **row)
        for row in parse_mue(FIXTURES / "ncci" / "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv.gz")
        if row["code"] in codes
    )
    Mue.objects.bulk_create(
        Mue(release=release, setting="outpatient", **row)
        for row in parse_mue(FIXTURES / "ncci" / "mue_outpatient_hospital_2024-07-01.tsv.gz")
        if row["code"] in codes
    )
    AddOnEdit.objects.bulk_create(
        AddOnEdit(release=release, **row)
        for row in parse_aoc(FIXTURES / "ncci" / "AOC_V2026Q2-MCR.xlsx")
        if row["addon_code"] in codes
    )
    retired = {
        line.split("\t")[0]
        for line in (FIXTURES / "cpt" / "replacements.tsv").read_text().splitlines()
        if line and not line.startswith(("#", "code\t"))
    }
    status = {fee.code: fee.status_code for fee in fees if not fee.modifier}
    known = set(status) | set(Mue.objects.values_list("code", flat=True)) | retired
    for code in codes & known:
        deleted = code in retired or status.get(code) == "D"
        Code.objects.create(system="cpt", code=code, compact=code, deleted=deleted)


@pytest.mark.django_db
def test_a_sample_of_the_bundled_cpt_entries_matches_the_bundled_cms_files():
    entries = [e for e in parse_files(paths=bundled_paths()) if e.system == "cpt"]
    sample = random.Random(19).sample(entries, min(60, len(entries)))
    codes = {e.code for e in sample}
    for entry in sample:
        named = named_codes(entry.text)
        codes |= {n.code for n in named if n.system == "cpt"}
        for n in named:
            if n.system != "cpt":  # other code sets are checked by the command on the full data
                Code.objects.get_or_create(system=n.system, code=n.code, defaults={"compact": n.code})
    _load_cms_rows_for(codes)
    PlainDescription.objects.bulk_create(
        PlainDescription(system="cpt", code=e.code, text=e.text, author=e.author, status="published") for e in sample
    )
    output = _check("--system", "cpt")
    assert f"Checked {len(sample)} descriptions" in output
    assert output.rstrip().endswith("0 problems")
