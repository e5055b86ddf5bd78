import gzip
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string

from codes.importers.gems import icd9_dotted
from codes.models import Code, GemMapping, Release
from codes.sections import gems

SAMPLES = Path(__file__).parent / "samples"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


def _import(to_icd9="gems_10to9.csv", to_icd10="gems_9to10.csv") -> str:
    out = StringIO()
    call_command(
        "import_gems",
        f"--to-icd9={SAMPLES / to_icd9}",
        f"--to-icd10={SAMPLES / to_icd10}",
        stdout=out,
    )
    return out.getvalue()


def _rows(direction):
    return list(
        GemMapping.objects.filter(direction=direction)
        .order_by("source", "target")
        .values_list(
            "source",
            "target",
            "icd10",
            "approximate",
            "no_map",
            "combination",
            "scenario",
            "choice_list",
        )
    )


def test_it_writes_icd9_codes_the_usual_way():
    assert icd9_dotted("0010") == "001.0"
    assert icd9_dotted("V0481") == "V04.81"
    assert icd9_dotted("E8140") == "E814.0"
    assert icd9_dotted("042") == "042"
    assert icd9_dotted("NoDx") == "NoDx"


def test_it_imports_both_directions_with_flags():
    output = _import()
    assert "6 ICD-10-CM to ICD-9-CM and 10 ICD-9-CM to ICD-10-CM mappings" in output
    to_icd9 = _rows("10to9")
    assert ("A000", "0010", "A00.0", False, False, False, 0, 0) in to_icd9
    assert ("A021", "99591", "A02.1", True, False, True, 1, 2) in to_icd9
    assert ("R402130", "NoDx", "R40.2130", True, True, False, 0, 0) in to_icd9
    to_icd10 = _rows("9to10")
    assert ("24911", "E0865", "E08.65", True, False, True, 1, 2) in to_icd10
    assert ("36570", "NoDx", "", True, True, False, 0, 0) in to_icd10
    release = Release.objects.get(dataset="gems")
    assert (release.version, release.row_count) == ("2018", 16)


def test_it_reads_the_cms_text_format():
    _import(to_icd9="gems_10to9_cms.txt")
    assert len(_rows("10to9")) == 6
    assert ("A021", "99591", "A02.1", True, False, True, 1, 2) in _rows("10to9")


def test_it_reads_gzipped_files(tmp_path):
    gz = tmp_path / "gems_10to9.csv.gz"
    with open(SAMPLES / "gems_10to9.csv", "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    _import(to_icd9=gz)
    assert len(_rows("10to9")) == 6


def test_rerunning_replaces_the_rows():
    _import()
    first = _rows("10to9") + _rows("9to10")
    _import()
    assert _rows("10to9") + _rows("9to10") == first
    assert GemMapping.objects.count() == 16


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"to_icd9": "gems_10to9_bad.csv"},
            "gems_10to9_bad.csv, line 3: '1011' is not five GEM flag digits",
        ),
        (
            {"to_icd9": "gems_9to10.csv"},
            "gems_9to10.csv, line 1: expected a header starting icd10cm,icd9cm",
        ),
        (
            {"to_icd10": "msdrg_mcc.txt"},
            "msdrg_mcc.txt, line 1: expected 'source target flags'",
        ),
        (
            {"to_icd10": "gems_10to9_cms.txt"},
            "gems_10to9_cms.txt, line 1: '0010' is not an ICD-10-CM code",
        ),
    ],
)
def test_a_malformed_file_names_the_line_and_keeps_the_previous_data(files, message):
    _import()
    with pytest.raises(CommandError, match=message):
        _import(**files)
    assert GemMapping.objects.count() == 16


def test_the_section_gives_both_directions(django_assert_max_num_queries):
    _import()
    code = Code(system="icd-10-cm", code="E08.10", billable=True)
    with django_assert_max_num_queries(1):
        context = gems.context(code)
    json.dumps(context)
    assert context["version"] == "2018"
    assert "not a coding tool" in context["note"]
    assert [row["icd9"] for row in context["forward"]] == ["249.10"]
    assert context["forward"][0]["flags"] == ["approximate"]
    assert [(row["icd9"], row["flags"]) for row in context["backward"]] == [
        ("249.10", ["approximate"]),
        ("249.11", ["approximate", "combination: scenario 1, choice list 1"]),
    ]
    assert context["combination"]


def test_the_section_says_when_there_is_no_map():
    _import()
    context = gems.context(Code(system="icd-10-cm", code="R40.2130"))
    assert context["forward"][0]["flags"] == ["no map: no equivalent code"]


def test_the_section_is_empty_without_mappings_or_for_other_systems():
    _import()
    assert gems.context(Code(system="icd-10-cm", code="J18.9")) is None
    assert gems.context(Code(system="ms-drg", code="470")) is None


def test_the_template_renders_the_mappings():
    _import()
    html = render_to_string(
        "codes/sections/_gems.html",
        {"data": gems.context(Code(system="icd-10-cm", code="A02.1"))},
    )
    assert '<th scope="row">003.1</th><td>approximate; combination: scenario 1, choice list 1</td>' in html
    assert '<th scope="row">995.91</th>' in html
    assert "General Equivalence Mappings (2018)" in html
