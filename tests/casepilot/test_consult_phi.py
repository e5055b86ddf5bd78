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


def test_it_finds_planted_phi_in_the_synthetic_notes_and_keeps_clinical_words():
    """A regression guard on tests/casepilot/phi_notes.jsonl (bench/phi.py prints the full figures)."""
    import json
    import re
    from pathlib import Path

    planted = found = words = wrong = 0
    for line in (Path(__file__).parent / "phi_notes.jsonl").read_text().splitlines():
        note = json.loads(line)
        text = note["text"]
        result = redact(text)
        covered = {i for item in result.found for i in range(item.start, item.end)}
        phi_chars = {i for span in note["phi"] for i in range(span["start"], span["end"])}
        for span in note["phi"]:
            planted += 1
            found += all(i in covered or text[i] in " ,." for i in range(span["start"], span["end"]))
        for word in re.finditer(r"[\w'./-]+", text):
            chars = set(range(word.start(), word.end()))
            if not chars & phi_chars:
                words += 1
                wrong += bool(chars & covered)
    assert planted >= 300
    assert found / planted >= 0.9
    assert wrong / words <= 0.005
