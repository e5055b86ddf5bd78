"""CPT descriptor import. Every descriptor here is INVENTED text: never put AMA CPT
descriptors in the repository."""

import gzip
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from codes.importers.base import ImportFileError
from codes.importers.cpt_descriptors import read_descriptors
from codes.models import Code, CodeChange, Release

SAMPLES = Path(__file__).parent / "samples"
GOOD = SAMPLES / "cpt_descriptors.txt"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def _import(path: Path, **options) -> str:
    out = StringIO()
    call_command("import_cpt", str(path), stdout=out, **options)
    return out.getvalue()


def test_it_reads_a_file_with_bom_crlf_and_header():
    descriptors = read_descriptors(GOOD)
    assert list(descriptors) == ["99213", "27447", "0001F", "0042T", "0001U"]
    assert descriptors["99213"] == "Invented test descriptor for a visit"


def test_it_creates_missing_codes_and_fills_empty_titles():
    # Another importer (fee schedule, NCCI) made this code without a title.
    Code.objects.create(system="cpt", code="99213", compact="99213", data={"pfs": True}, billable=True)
    output = _import(GOOD, release_version="2026")
    assert "5 codes: 4 created, 1 updated, 0 unchanged" in output
    visit = Code.objects.get(system="cpt", code="99213")
    assert visit.title == "Invented test descriptor for a visit"
    assert visit.data["pfs"] is True  # the other importer's data stays
    assert visit.data["descriptor_source"]["file"] == "cpt_descriptors.txt"
    assert visit.data["descriptor_source"]["imported"] == timezone.localdate().isoformat()
    created = Code.objects.get(system="cpt", code="0042T")
    assert (created.kind, created.billable, created.compact, created.sort_key) == (
        "code",
        True,
        "0042T",
        "0042T",
    )


def test_it_registers_a_licensed_release():
    _import(GOOD)
    release = Release.objects.get(dataset="cpt-descriptors")
    assert release.version == "cpt_descriptors"
    assert release.licence == "AMA CPT licensed content, loaded by the site operator"
    assert release.row_count == 5


def test_rerunning_the_same_file_changes_nothing():
    _import(GOOD, release_version="2026")
    before = list(Code.objects.order_by("code").values_list("code", "title", "data"))
    output = _import(GOOD, release_version="2026")
    assert "0 created, 0 updated, 5 unchanged" in output
    assert list(Code.objects.order_by("code").values_list("code", "title", "data")) == before


def test_a_new_descriptor_is_recorded_as_a_revision(tmp_path):
    _import(GOOD, release_version="2026")
    newer = tmp_path / "descriptors_2027.txt.gz"
    with gzip.open(newer, "wt") as f:
        f.write("99213\tInvented revised descriptor for a visit\n")
    _import(newer, release_version="2027")
    visit = Code.objects.get(system="cpt", code="99213")
    assert visit.title == "Invented revised descriptor for a visit"
    change = CodeChange.objects.get(code=visit)
    assert (change.change, change.old_title) == (
        "revised",
        "Invented test descriptor for a visit",
    )


def test_a_malformed_line_is_refused_with_file_and_line():
    _import(GOOD)
    with pytest.raises(
        CommandError,
        match=r"cpt_descriptors_malformed.txt, line 2: expected code<TAB>descriptor",
    ):
        _import(SAMPLES / "cpt_descriptors_malformed.txt")
    assert Code.objects.get(system="cpt", code="99213").title == "Invented test descriptor for a visit"
    assert not Release.objects.filter(version="cpt_descriptors_malformed").exists()


def test_a_bad_code_is_refused(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("99213\tInvented test descriptor for a visit\nJ1100\tInvented text\n")
    with pytest.raises(ImportFileError, match="line 2: 'J1100' is not a CPT code"):
        read_descriptors(path)
