from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from codes.importers.base import ImportFileError
from codes.importers.hcpcs import read_proc_notes
from codes.models import ProcessingNote

SAMPLES = Path(__file__).parent / "samples"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def test_it_reads_the_cms_text_layout():
    notes = read_proc_notes(SAMPLES / "hcpcs_proc_notes.txt")
    assert list(notes) == ["0001", "0017", "0088", "0218", "0220"]
    assert notes["0017"] == (
        "SEE INTERMEDIARY MANUAL SECTION 3170.5 FOR COVERAGE INSTRUCTIONS PERTAINING TO "
        "E1510-E1600, E1620, E1630-E1699, A4650-A4663, A4690, A4712, A4730-A4870, A4890-A4927."
    )
    # Tab-indented notes, the "*" margin and doubled spaces are cleaned up.
    assert notes["0218"] == "MEDICARE DOES NOT COVER THIS SERVICE INDEPENDENTLY AS A SEPARATE IDENTIFIABLE SERVICE."
    assert notes["0088"].endswith("PRIVATE PAYOR USE. THEY ARE NOT VALID NOR PAYABLE BY MEDICARE.")


def test_it_reads_the_tsv_layout_with_a_header():
    notes = read_proc_notes(SAMPLES / "hcpcs_proc_notes.tsv")
    assert notes == {
        "0196": "NOTE TEXT AS IN THE TSV EDITION.",
        "0229": "THESE CODES ARE USED ONLY UNDER THE ASC PAYMENT SYSTEM.",
    }


def test_a_malformed_tsv_line_is_refused_with_its_line():
    with pytest.raises(ImportFileError, match=r"hcpcs_proc_notes_malformed.tsv, line 2"):
        read_proc_notes(SAMPLES / "hcpcs_proc_notes_malformed.tsv")


def test_the_command_upserts_notes_by_number(tmp_path):
    out = StringIO()
    call_command(
        "import_hcpcs",
        proc_notes=[
            str(SAMPLES / "hcpcs_proc_notes.txt"),
            str(SAMPLES / "hcpcs_proc_notes.tsv"),
        ],
        stdout=out,
    )
    assert "Processing notes: 7" in out.getvalue()
    newer = tmp_path / "notes.tsv"
    newer.write_text("note\ttext\n0220\tREVISED TEXT.\n")
    call_command("import_hcpcs", proc_notes=[str(newer)], stdout=StringIO())
    assert ProcessingNote.objects.count() == 7
    assert ProcessingNote.objects.get(number="0220").text == "REVISED TEXT."


def test_a_bad_notes_file_leaves_the_notes_alone():
    call_command(
        "import_hcpcs",
        proc_notes=[str(SAMPLES / "hcpcs_proc_notes.tsv")],
        stdout=StringIO(),
    )
    with pytest.raises(CommandError, match="line 2"):
        call_command(
            "import_hcpcs",
            proc_notes=[str(SAMPLES / "hcpcs_proc_notes_malformed.tsv")],
            stdout=StringIO(),
        )
    assert ProcessingNote.objects.count() == 2


def test_the_bundled_notes_file_alone_covers_0001_to_0234():
    fixtures = Path(__file__).resolve().parents[2] / "fixtures" / "hcpcs"
    notes = read_proc_notes(fixtures / "proc_notes_JAN2026.txt.gz")
    assert sorted(notes) == [f"{n:04d}" for n in range(1, 235)]
    assert all(notes.values())
