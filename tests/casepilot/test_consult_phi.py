import pytest

from casepilot.phi import redact

NOTE = """Patient: John Smith, DOB 03/14/1956, MRN 00123456. SSN 123-45-6789.
Mr. Smith is seen on 04/02/2024 for Parkinson's disease (G20.A1) and Crohn disease K50.90.
Phone (555) 123-4567, email john.smith@example.com. Lives at 42 Oak Hill Road, Springfield, IL 62704.
Account # 99887766. Metformin 500 mg BID, A1c 7.2%, CPT 99214, J1100 x 2. Wife Mary called.
Smith denies chest pain.
Electronically signed by: Karen Lopez, MD"""


def test_it_redacts_every_kind_of_phi():
    result = redact(NOTE)
    for secret in [
        "John",
        "Smith",
        "03/14/1956",
        "00123456",
        "123-45-6789",
        "123-4567",
        "john.smith@",
        "Oak Hill",
        "99887766",
        "Mary",
        "Karen Lopez",
    ]:
        assert secret not in result.text
    assert result.counts == {
        "name": 5,
        "dob": 1,
        "mrn": 1,
        "ssn": 1,
        "phone": 1,
        "email": 1,
        "address": 1,
        "account": 1,
    }
    assert "Patient: [NAME], DOB [DOB]" in result.text


def test_it_keeps_clinical_content():
    result = redact(NOTE)
    for kept in [
        "04/02/2024",
        "Parkinson's disease",
        "G20.A1",
        "Crohn disease K50.90",
        "Metformin 500 mg BID",
        "A1c 7.2%",
        "CPT 99214",
        "J1100 x 2",
        "chest pain",
        "MD",
    ]:
        assert kept in result.text


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("pt name: Jane Q. Doe", "name"),
        ("Mrs. Alvarez-Ruiz was admitted", "name"),
        ("Date of birth: January 5, 1948", "dob"),
        ("born 1948-01-05", "dob"),
        ("Medical record number: A1234567", "mrn"),
        ("Member ID XJH123456789", "account"),
        ("call 555.867.5309 after 5", "phone"),
        ("address: 1200 N 5th Ave Apt 3, Tucson, AZ 85705", "address"),
    ],
)
def test_it_finds_phi_by_its_context_cues(text, kind):
    assert redact(text).counts.get(kind) == 1


def test_it_leaves_a_note_without_phi_alone():
    text = "Seen 01/15/2024. Dx E11.65, I10. Lisinopril 10 mg daily. Creatinine 1.2 mg/dL. Dr. Parkinson consulted."
    result = redact(text)
    assert result.text == text
    assert result.total == 0


def test_it_summarises_what_it_removed():
    result = redact("Patient: John Smith, DOB 03/14/1956, MRN 00123456. Smith is here.")
    assert result.summary() == "2 names, 1 date of birth and 1 medical record number"


def _bench():
    """bench/phi.py, which measures the labelled notes (tests/casepilot/phi_notes.jsonl)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "phi.py"
    spec = importlib.util.spec_from_file_location("bench_phi", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_labelled_notes_have_a_held_out_third():
    notes = _bench().load()
    held_out = [n for n in notes if n["split"] == "held-out"]
    assert len(notes) >= 300
    assert 0.3 <= len(held_out) / len(notes) <= 0.36


@pytest.mark.parametrize("split", ["dev", "held-out"])
def test_names_are_found_ordinary_words_and_codes_kept(split):
    """The figures bench/phi.py prints. The rules are tuned on "dev" only; "held-out" (other
    names, another seed) is held to looser name recall, since its misses are never looked at."""
    bench = _bench()
    m = bench.measure_split([n for n in bench.load() if n["split"] == split])
    assert m["codes"] > 300
    assert m["codes_wrong"] == 0, "a code was redacted"
    assert m["wrong"] / m["words"] <= 0.005
    recall = m["found"]["name"] / m["planted"]["name"]
    assert recall >= (0.98 if split == "dev" else 0.95), f"name recall {recall:.1%}"


@pytest.mark.parametrize(
    ("text", "secret", "kept"),
    [
        ("quick one: mrs. o'brien came back today for I10.", "o'brien", "came back today for I10."),
        ("patient: jane doe, 54 yo. Dx E11.9.", "jane doe", "54 yo. Dx E11.9."),
        ("Smith, John 01/02/1960\nDOS 03/04/2024. CPT 99213.", "Smith, John", "DOS 03/04/2024. CPT 99213."),
        ("A patient named Wei Zhang asked about J44.1.", "Wei Zhang", "asked about J44.1."),
        ("Address: 12 Oak Hill Road, Springfield, IL 62704 I10 follow-up.", "Oak Hill", "I10 follow-up."),
        (
            "Brandon Wilson tolerated the procedure well, 29881.",
            "Brandon Wilson",
            "tolerated the procedure well, 29881.",
        ),
        ("RE: Nicholas Ward\nD.O.B. 1/27/1987", "Ward", "RE: "),
    ],
)
def test_the_forms_issue_12_found_missed(text, secret, kept):
    result = redact(text)
    assert secret not in result.text
    assert kept in result.text
    assert "01/02/1960" not in redact("Smith, John 01/02/1960").text
