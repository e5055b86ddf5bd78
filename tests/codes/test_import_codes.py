"""`manage.py import_codes KIND PATH`, the registry of code-set kinds, and load_codesets driven by it."""

import gzip
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command, get_commands, load_command_class
from django.db import connection

from codes.importers.registry import KINDS, KindCommand
from codes.management.commands.load_codesets import BUNDLE
from codes.models import AddOnEdit, Code, CodeChange, DrgCcExclusion, GemMapping, IndexTerm, Mue, Note, PtpEdit, Release

SAMPLES = Path(__file__).parent / "samples"
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def _import(*args, **options) -> str:
    out = StringIO()
    call_command("import_codes", *[str(a) for a in args], stdout=out, stderr=out, **options)
    return out.getvalue()


def test_an_unknown_kind_is_a_clear_error_listing_the_kinds():
    with pytest.raises(CommandError, match=r"invalid choice: 'icd-11'.*'icd10cm-tabular'.*'ncci-mue'"):
        _import("icd-11", SAMPLES / "ncci_mue.tsv")
    assert not Release.objects.exists()


def test_a_missing_required_option_is_a_clear_error():
    with pytest.raises(CommandError, match="--setting"):
        _import("ncci-mue", SAMPLES / "ncci_mue.tsv")


def test_a_bad_date_option_is_a_clear_error():
    with pytest.raises(CommandError, match=r"'2024-13-01' is not a date \(YYYY-MM-DD\)"):
        _import("ncci-aoc", SAMPLES / "ncci_aoc.tsv", "--effective", "2024-13-01")


def test_it_imports_a_kind_with_its_options():
    out = _import("ncci-mue", SAMPLES / "ncci_mue.tsv", "--setting", "practitioner", "--version", "2026Q2")
    assert "5 MUEs" in out
    assert "NCCI medically unlikely edits:" in out  # the time it took, by kind
    assert Mue.objects.get(code="43239").release.version == "2026Q2"


def test_django_options_may_follow_the_kind():
    out = _import("ncci-aoc", SAMPLES / "ncci_aoc.tsv", "-v", "0")
    assert out == ""
    assert AddOnEdit.objects.count() == 14


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["ncci-mue", SAMPLES / "ncci_mue_bad.tsv", "--setting", "practitioner"], r"ncci_mue_bad.tsv, line 3: "),
        (["ncci-ptp", SAMPLES / "ncci_ptp_bad_date.tsv", "--setting", "practitioner"], r"ncci_ptp_bad_date.tsv, line "),
        (["icd10cm-tabular", SAMPLES / "icd10cm_tabular_truncated.xml"], r"icd10cm_tabular_truncated.xml, line \d+"),
        (["icd10cm-codes", SAMPLES / "icd10cm-codes-bad.txt", "--version", "2024"], r"icd10cm-codes-bad.txt, line 2"),
        (["pfs", SAMPLES / "pfs_pprrvu_bad.csv"], r"pfs_pprrvu_bad.csv, line \d+"),
    ],
)
def test_a_malformed_file_names_file_and_line_and_changes_nothing(args, where):
    with pytest.raises(CommandError, match=where):
        _import(*args)
    assert not Release.objects.exists()
    assert not Code.objects.exists()
    assert not Mue.objects.exists()
    assert not PtpEdit.objects.exists()


def test_a_failure_late_in_a_run_leaves_the_earlier_data_as_it_was():
    _import("ncci-mue", SAMPLES / "ncci_mue.tsv", "--setting", "practitioner")
    before = list(Mue.objects.order_by("code").values_list("code", "units", "release__version"))
    with pytest.raises(CommandError, match="line 3"):
        _import("ncci-mue", SAMPLES / "ncci_mue_bad.tsv", "--setting", "practitioner", "--version", "2099Q1")
    assert list(Mue.objects.order_by("code").values_list("code", "units", "release__version")) == before
    assert not Release.objects.filter(version="2099Q1").exists()


def test_rerunning_a_kind_changes_nothing():
    tabular = SAMPLES / "icd10cm_tabular_sample.xml"
    _import("icd10cm-tabular", tabular)
    codes = list(Code.objects.order_by("code").values_list("code", "title", "parent__code", "billable", "deleted"))
    notes = Note.objects.count()
    changes = CodeChange.objects.count()
    out = _import("icd10cm-tabular", tabular)
    assert "0 added, 0 revised, 0 deleted" in out
    assert list(Code.objects.order_by("code").values_list("code", "title", "parent__code", "billable", "deleted")) == (
        codes
    )
    assert (Note.objects.count(), CodeChange.objects.count()) == (notes, changes)
    assert Release.objects.filter(dataset="icd-10-cm").count() == 1


def test_the_readme_commands_are_the_same_kinds():
    _import("ncci-ptp", SAMPLES / "ncci_ptp.tsv", "--setting", "practitioner")
    by_kind = set(PtpEdit.objects.values_list("column1", "column2", "modifier_indicator", "deletion_date"))
    PtpEdit.objects.all().delete()
    call_command("import_ncci_ptp", str(SAMPLES / "ncci_ptp.tsv"), setting="practitioner", stdout=StringIO())
    assert set(PtpEdit.objects.values_list("column1", "column2", "modifier_indicator", "deletion_date")) == by_kind
    for name in ["import_icd10cm", "import_hcpcs", "import_icd10pcs", "import_cpt", "import_plain_language"]:
        command = load_command_class(get_commands()[name], name)
        assert isinstance(command, KindCommand)
        assert command.kind in KINDS


def test_every_bundled_step_names_a_kind_and_bundled_files():
    commands = get_commands()
    for step in BUNDLE:
        assert bool(step.kind) != bool(step.command), step.label
        if step.command:
            assert step.command in commands
            continue
        assert step.kind in KINDS, step.label
        for arg in step.args:
            if "/" in arg and not arg.startswith("-"):
                assert (settings.FIXTURES_DIR / arg).exists(), arg


@pytest.mark.django_db(transaction=True)
def test_load_codesets_runs_bundled_steps_through_the_registry_and_skips_them_once_loaded(tmp_path, settings):
    # A fixtures folder holding only the add-on code edits (a small sample in the bundled file's place).
    (tmp_path / "ncci").mkdir()
    shutil.copy(SAMPLES / "ncci_aoc_cms.xlsx", tmp_path / "ncci/AOC_V2026Q2-MCR.xlsx")
    shutil.copytree(settings.FIXTURES_DIR / "synonyms", tmp_path / "synonyms")  # the search index's
    settings.FIXTURES_DIR = tmp_path
    out = StringIO()
    call_command("load_codesets", "--only", "ncci-aoc", stdout=out)
    assert "NCCI add-on code edits, 2026 Q2" in out.getvalue()
    assert "8 pairs" in out.getvalue()
    assert AddOnEdit.objects.count() == 8
    assert AddOnEdit.objects.first().release.version == "2026Q2"
    out = StringIO()
    call_command("load_codesets", "--only", "ncci-aoc", stdout=out)
    assert "NCCI add-on code edits, 2026 Q2: already loaded" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_rerun_with_nothing_new_skips_derived_sets_and_the_search_index(tmp_path, settings, monkeypatch):
    from codes.management.commands import load_codesets

    (tmp_path / "ncci").mkdir()
    shutil.copy(SAMPLES / "ncci_aoc_cms.xlsx", tmp_path / "ncci/AOC_V2026Q2-MCR.xlsx")
    shutil.copytree(settings.FIXTURES_DIR / "synonyms", tmp_path / "synonyms")
    settings.FIXTURES_DIR = tmp_path
    steps = {step.kind: step for step in BUNDLE}
    monkeypatch.setattr(load_codesets, "BUNDLE", [steps["ncci-aoc"], steps["cpt-codes"], steps["plain-language"]])
    out = StringIO()
    call_command("load_codesets", stdout=out)
    assert "CPT code numbers from the CMS files\n" in out.getvalue()
    assert "Search index" in out.getvalue()
    cpt_codes = Code.objects.filter(system="cpt").count()
    assert cpt_codes > 0

    out = StringIO()
    call_command("load_codesets", stdout=out)
    assert "NCCI add-on code edits, 2026 Q2: already loaded" in out.getvalue()
    assert "CPT code numbers from the CMS files: up to date" in out.getvalue()
    assert "0 added, 0 updated" in out.getvalue()  # plain-language files are read every time
    assert "Search index" not in out.getvalue()
    assert Code.objects.filter(system="cpt").count() == cpt_codes

    out = StringIO()
    call_command("load_codesets", "--force", stdout=out)
    assert "CPT code numbers from the CMS files\n" in out.getvalue()


# A first load runs in one transaction with the big tables' indexes set aside on PostgreSQL only.
first_load_in_one_transaction = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite loads each step in its own transaction"
)


def _indexes_and_keys(model) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {name: sorted(c["columns"]) for name, c in constraints.items()}


def _bundle_of_ptp_edits(tmp_path, settings, monkeypatch, *, outpatient_sample: str) -> None:
    """A fixtures folder holding the two PTP files (small samples in the bundled files' places)."""
    from codes.management.commands import load_codesets

    (tmp_path / "ncci").mkdir()
    shutil.copy(SAMPLES / "ncci_ptp.tsv.gz", tmp_path / "ncci/ptp_practitioner_2024-07-01.tsv.gz")
    with (
        (SAMPLES / outpatient_sample).open("rb") as f,
        gzip.open(tmp_path / "ncci/ptp_outpatient_hospital_2024-07-01.tsv.gz", "wb") as out,
    ):
        shutil.copyfileobj(f, out)
    shutil.copytree(settings.FIXTURES_DIR / "synonyms", tmp_path / "synonyms")
    settings.FIXTURES_DIR = tmp_path
    monkeypatch.setattr(load_codesets, "BUNDLE", [step for step in BUNDLE if step.kind == "ncci-ptp"])


@first_load_in_one_transaction
@pytest.mark.django_db(transaction=True)
def test_a_first_load_leaves_the_big_tables_with_all_their_indexes_and_keys(tmp_path, settings, monkeypatch):
    """A first load sets the big tables' indexes and keys aside until its last step."""
    tables = (PtpEdit, IndexTerm, CodeChange, DrgCcExclusion, GemMapping)
    before = {model: _indexes_and_keys(model) for model in tables}
    _bundle_of_ptp_edits(tmp_path, settings, monkeypatch, outpatient_sample="ncci_ptp.tsv")
    out = StringIO()
    call_command("load_codesets", stdout=out)
    assert "Indexes built, keys checked and the load committed" in out.getvalue()
    assert PtpEdit.objects.filter(setting="practitioner").count() == 10
    assert PtpEdit.objects.filter(setting="outpatient").count() == 10
    assert {model: _indexes_and_keys(model) for model in tables} == before


@first_load_in_one_transaction
@pytest.mark.django_db(transaction=True)
def test_a_first_load_that_fails_leaves_the_database_empty(tmp_path, settings, monkeypatch):
    before = _indexes_and_keys(PtpEdit)
    _bundle_of_ptp_edits(tmp_path, settings, monkeypatch, outpatient_sample="ncci_ptp_bad_code.tsv")
    with pytest.raises(CommandError, match=r"ptp_outpatient_hospital_2024-07-01\.tsv\.gz, line \d+"):
        call_command("load_codesets", stdout=StringIO())
    assert not Release.objects.exists()
    assert not PtpEdit.objects.exists()  # the practitioner file, loaded first, too
    assert _indexes_and_keys(PtpEdit) == before
