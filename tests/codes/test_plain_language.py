import datetime
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from codes.importers.plain_language import (
    CODE_SHAPES,
    MAX_WORDS,
    MIN_WORDS,
    bundled_paths,
    check_entry,
    parse_files,
)
from codes.models import Code, PlainDescription, Release

SAMPLES = Path(__file__).parent / "samples"
SAMPLE = SAMPLES / "plain_sample.jsonl"
AUTHOR = "codingahead editorial team"


def _load(*paths: Path) -> str:
    out = StringIO()
    call_command("import_plain_language", *[str(path) for path in paths], stdout=out, stderr=out)
    return out.getvalue()


def _bundled_entries():
    return parse_files(paths=bundled_paths())


# The bundled files: checked without the database.


@pytest.mark.sqlite_smoke
def test_every_bundled_line_is_a_valid_entry():
    paths = bundled_paths()
    assert {path.name for path in paths} >= {
        "icd-10-cm.jsonl",
        "hcpcs.jsonl",
        "icd-10-pcs.jsonl",
    }
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            data = json.loads(line)
            assert check_entry(data) is None, f"{path.name}, line {number}: {check_entry(data)}"
            assert CODE_SHAPES[data["system"]].match(data["code"])
            assert MIN_WORDS <= len(data["text"].split()) <= MAX_WORDS


@pytest.mark.sqlite_smoke
def test_bundled_entries_are_unique_across_files():
    entries = _bundled_entries()  # raises on a duplicate (system, code)
    assert len({(entry.system, entry.code) for entry in entries}) == len(entries)


@pytest.mark.sqlite_smoke
def test_bundled_files_hold_at_least_300_descriptions():
    assert len(_bundled_entries()) >= 300


@pytest.mark.sqlite_smoke
def test_the_bundled_cpt_file_describes_at_least_800_codes_in_every_family():
    codes = {entry.code for entry in _bundled_entries() if entry.system == "cpt"}
    assert len(codes) >= 800
    families = {
        "office visits": "99202",
        "hospital care": "99221",
        "emergency department": "99281",
        "consultations": "99242",
        "nursing facility": "99304",
        "home visits": "99341",
        "prolonged services": "99417",
        "chronic care management": "99490",
        "transitional care": "99495",
        "preventive medicine": "99395",
        "drug administration": "96365",
        "therapy": "97110",
        "anesthesia": "00142",
    }
    assert {name for name, code in families.items() if code not in codes} == set()


@pytest.mark.sqlite_smoke
@pytest.mark.parametrize(
    ("system", "code"),
    [
        ("cpt", "22521"),
        ("cpt", "99213"),
        ("cpt", "22511"),
        ("icd-10-cm", "M48.56XA"),
        ("hcpcs", "J1100"),
        ("icd-10-pcs", "0QU03JZ"),
    ],
)
def test_required_entries_are_bundled(system, code):
    texts = {(entry.system, entry.code): entry.text for entry in _bundled_entries()}
    assert (system, code) in texts


@pytest.mark.sqlite_smoke
@pytest.mark.sqlite_smoke
@pytest.mark.parametrize("missing", ["short_title", "sources", "reviewed"])
def test_a_cpt_entry_needs_a_short_title_sources_and_a_reviewed_date(missing):
    entry = {
        "system": "cpt",
        "code": "99213",
        "short_title": "Invented title",
        "author": AUTHOR,
        "text": "word " * 100,
        "sources": ["Invented source"],
        "reviewed": "2026-12-01",
    }
    assert check_entry(entry) is None
    del entry[missing]
    assert check_entry(entry) == f"a cpt entry needs {missing}"


@pytest.mark.sqlite_smoke
def test_every_bundled_cpt_entry_has_a_short_title_sources_and_a_date():
    for entry in _bundled_entries():
        if entry.system == "cpt":
            assert 0 < len(entry.short_title) <= 70, entry.code
            assert entry.sources, entry.code
            assert entry.reviewed, entry.code


@pytest.mark.sqlite_smoke
def test_the_cpt_22521_entry_points_to_22511():
    texts = {(entry.system, entry.code): entry.text for entry in _bundled_entries()}
    assert "22511" in texts[("cpt", "22521")]


@pytest.mark.sqlite_smoke
@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"system": "icd-9"}, "unknown system"),
        ({"short_title": "x" * 71}, "at most 70 characters"),
        ({"sources": "CMS"}, "sources must be a list"),
        ({"sources": ["CMS", ""]}, "sources must be a list"),
        ({"reviewed": "02/12/2026"}, "reviewed must be a date"),
        ({"code": "E119"}, "canonical form"),
        ({"code": "0QU03IZ"}, "canonical form"),
        ({"author": ""}, "missing or empty author"),
        ({"text": "Too short."}, "words"),
        ({"text": "word " * 201}, "words"),
    ],
)
def test_it_explains_what_is_wrong_with_an_entry(change, problem):
    entry = {
        "system": "icd-10-cm",
        "code": "E11.9",
        "author": AUTHOR,
        "text": "word " * 100,
    }
    assert problem in check_entry({**entry, **change})


# The command.


@pytest.mark.django_db
@pytest.mark.sqlite_smoke
def test_it_loads_published_rows():
    output = _load(SAMPLE)
    assert "3 added" in output
    row = PlainDescription.objects.get(system="icd-10-cm", code="E11.9")
    assert row.status == PlainDescription.Status.PUBLISHED
    assert row.published is not None
    assert row.author == AUTHOR
    assert row.text.startswith("Invented sample description")
    assert Release.objects.filter(dataset="plain-language").count() == 1
    cpt = PlainDescription.objects.get(system="cpt", code="99213")
    assert cpt.short_title == "Invented sample title for an office visit"
    assert cpt.sources == ["Invented sample source"]
    assert cpt.reviewed == datetime.date(2026, 12, 1)
    assert not cpt.edited


@pytest.mark.django_db
@pytest.mark.sqlite_smoke
def test_rerunning_changes_nothing():
    _load(SAMPLE)
    before = list(PlainDescription.objects.order_by("pk").values())
    output = _load(SAMPLE)
    assert "0 added, 0 updated, 3 unchanged" in output
    assert list(PlainDescription.objects.order_by("pk").values()) == before
    assert Release.objects.filter(dataset="plain-language").count() == 1


@pytest.mark.django_db
@pytest.mark.sqlite_smoke
def test_a_revised_file_updates_its_rows_and_keeps_the_first_publication_date():
    _load(SAMPLE)
    first = PlainDescription.objects.get(system="hcpcs", code="J1100")
    output = _load(SAMPLES / "plain_sample_revised.jsonl")
    assert "3 updated" in output
    row = PlainDescription.objects.get(system="hcpcs", code="J1100")
    assert "revised entry J1100" in row.text
    assert row.published == first.published


@pytest.mark.django_db
@pytest.mark.sqlite_smoke
def test_it_does_not_overwrite_a_description_an_editor_took_over():
    _load(SAMPLE)
    PlainDescription.objects.filter(code="E11.9").update(author="Dana Editor", text="Edited in the admin.")
    output = _load(SAMPLES / "plain_sample_revised.jsonl")
    assert "2 updated" in output
    assert "1 kept" in output
    row = PlainDescription.objects.get(code="E11.9")
    assert (row.author, row.text) == ("Dana Editor", "Edited in the admin.")


@pytest.mark.django_db
@pytest.mark.sqlite_smoke
def test_it_rejects_a_malformed_line_naming_file_and_line():
    with pytest.raises(CommandError, match=r"plain_malformed\.jsonl, line 2: not valid JSON"):
        _load(SAMPLES / "plain_malformed.jsonl")
    assert not PlainDescription.objects.exists()


@pytest.mark.django_db
@pytest.mark.sqlite_smoke
def test_it_rejects_a_description_outside_the_word_limits():
    with pytest.raises(
        CommandError,
        match=r"plain_too_short\.jsonl, line 1: text has 7 words, not 80-200",
    ):
        _load(SAMPLES / "plain_too_short.jsonl")


@pytest.mark.django_db
@pytest.mark.sqlite_smoke
def test_it_rejects_the_same_code_in_two_files():
    with pytest.raises(
        CommandError,
        match=r"icd-10-cm E11.9 already described in plain_sample\.jsonl, line 1",
    ):
        _load(SAMPLE, SAMPLES / "plain_sample_revised.jsonl")
    assert not PlainDescription.objects.exists()


@pytest.mark.django_db
@pytest.mark.sqlite_smoke
def test_it_warns_about_codes_missing_from_the_code_table():
    Code.objects.create(system="icd-10-cm", code="E11.9", compact="E119", title="Type 2 diabetes")
    output = _load(SAMPLE)
    assert "1 hcpcs codes not in the code table: J1100" in output
    assert "icd-10-cm codes not in" not in output
    assert PlainDescription.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.sqlite_smoke
def test_it_does_not_republish_a_description_an_editor_withdrew():
    _load(SAMPLE)
    PlainDescription.objects.filter(code="J1100").update(status=PlainDescription.Status.DRAFT)
    output = _load(SAMPLES / "plain_sample_revised.jsonl")
    assert "1 kept" in output
    row = PlainDescription.objects.get(code="J1100")
    assert row.status == PlainDescription.Status.DRAFT
    assert "revised entry" not in row.text


@pytest.mark.django_db
@pytest.mark.sqlite_smoke
@pytest.mark.parametrize(
    "change",
    [
        {"text": "Rewritten by an editor who kept the bundled author."},
        {"short_title": "An editor's title"},
        {"sources": ["An editor's source"]},
        {"reviewed": datetime.date(2027, 1, 5)},
    ],
)
def test_an_editors_change_to_any_field_survives_the_next_import(change):
    _load(SAMPLE)
    row = PlainDescription.objects.get(code="99213")
    for name, value in change.items():
        setattr(row, name, value)
    row.save()
    assert row.edited
    output = _load(SAMPLES / "plain_sample_revised.jsonl")
    assert "2 updated" in output
    assert "1 kept" in output
    row.refresh_from_db()
    assert all(getattr(row, name) == value for name, value in change.items())
    assert row.author == AUTHOR


@pytest.mark.django_db
def test_an_edit_in_the_admin_is_kept_and_hand_back_returns_the_row_to_the_file(admin_client):
    _load(SAMPLE)
    row = PlainDescription.objects.get(code="99213")
    response = admin_client.post(
        f"/admin/codes/plaindescription/{row.pk}/change/",
        {
            "system": "cpt",
            "code": "99213",
            "short_title": "Established office visit, edited",
            "text": row.text,
            "sources": "CMS Claims Processing Manual, chapter 12\n\n  MLN E/M services guide  ",
            "reviewed": "2027-01-05",
            "author": AUTHOR,
            "status": "published",
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.sources == ["CMS Claims Processing Manual, chapter 12", "MLN E/M services guide"]
    assert row.edited
    assert "1 kept" in _load(SAMPLES / "plain_sample_revised.jsonl")
    assert PlainDescription.objects.get(code="99213").short_title == "Established office visit, edited"

    changelist = admin_client.get("/admin/codes/plaindescription/")
    assert changelist.status_code == 200
    admin_client.post(
        "/admin/codes/plaindescription/",
        {"action": "hand_back", "_selected_action": [row.pk]},
    )
    assert not PlainDescription.objects.get(code="99213").edited
    assert "1 updated, 2 unchanged, 0 kept" in _load(SAMPLES / "plain_sample_revised.jsonl")
    assert PlainDescription.objects.get(code="99213").short_title.endswith("(revised)")


@pytest.mark.django_db
def test_the_admin_change_form_shows_sources_one_per_line(admin_client):
    _load(SAMPLE)
    row = PlainDescription.objects.get(code="99213")
    response = admin_client.get(f"/admin/codes/plaindescription/{row.pk}/change/")
    assert response.status_code == 200
    assert "Invented sample source</textarea>" in response.content.decode()
