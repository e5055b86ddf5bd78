import csv
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.template.loader import render_to_string

from codes.models import Code
from codes.sections import hcpcs

SAMPLES = Path(__file__).parent / "samples"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


@pytest.fixture
def loaded(tmp_path):
    with open(SAMPLES / "hcpcs_2025_oct.tsv", newline="") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / "HCPC2025_OCT_ANWEB.xlsx"
    workbook.save(path)
    call_command(
        "import_hcpcs",
        str(path),
        proc_notes=[
            str(SAMPLES / "hcpcs_proc_notes.txt"),
            str(SAMPLES / "hcpcs_proc_notes.tsv"),
        ],
        stdout=StringIO(),
    )


def test_it_explains_each_field(loaded, django_assert_max_num_queries):
    code = Code.objects.get(system="hcpcs", code="J1100")
    with django_assert_max_num_queries(2):
        data = hcpcs.context(code)
    assert data["coverage"] == {
        "code": "D",
        "meaning": "Special coverage instructions apply.",
    }
    assert data["betos"] == {"code": "O1E", "meaning": "Other drugs"}
    assert [t["meaning"] for t in data["type_of_service"]] == [
        "Medical care",
        "Lump sum purchase of DME, prosthetics and orthotics",
    ]
    assert data["pricing"] == [{"code": "51", "meaning": "Drugs"}]
    assert data["multiple_pricing"]["code"] == "A"
    assert data["action"] == {"code": "N", "meaning": "No change"}
    assert data["dates"] == {
        "added": "1982-01-01",
        "action_effective": "2001-01-01",
        "terminated": None,
    }
    assert data["mcm"] == ["2049"]
    assert data["processing_note"] is None


def test_it_shows_the_processing_note_text(loaded, django_assert_max_num_queries):
    code = Code.objects.get(system="hcpcs", code="S0012")
    with django_assert_max_num_queries(2):
        data = hcpcs.context(code)
    assert data["processing_note"]["number"] == "0088"
    assert data["processing_note"]["text"].startswith('"S" CODES ARE UNIQUE TEMPORARY CODES')


def test_cross_references_link_to_codes_the_site_has(loaded, django_assert_max_num_queries):
    Code.objects.create(
        system="cpt",
        code="77046",
        compact="77046",
        title="Invented test descriptor for an MRI",
    )
    code = Code.objects.get(system="hcpcs", code="C8904")
    with django_assert_max_num_queries(2):
        data = hcpcs.context(code)
    assert data["cross_references"] == [
        {
            "code": "77046",
            "system": "cpt",
            "title": "Invented test descriptor for an MRI",
            "deleted": False,
            "url": "/cpt/77046/",
        }
    ]
    unknown = hcpcs.context(Code.objects.get(system="hcpcs", code="A4466"))
    assert unknown["cross_references"][0] == {
        "code": "A4467",
        "system": "hcpcs",
        "title": "",
        "deleted": False,
        "url": None,
    }
    assert unknown["dates"]["terminated"] == "2016-12-31"


def test_lab_certification_codes_have_meanings(loaded):
    data = hcpcs.context(Code.objects.get(system="hcpcs", code="G0027"))
    assert data["lab_certification"] == [{"code": "400", "meaning": "Hematology"}]


def test_modifiers_get_their_own_context(loaded, django_assert_num_queries):
    modifier = Code.objects.get(system="hcpcs", code="RT")
    with django_assert_num_queries(0):
        data = hcpcs.context(modifier)
    assert data["kind"] == "modifier"
    assert data["short_title"] == "Right side"
    assert data["list_url"] == "/hcpcs/modifiers/"
    html = render_to_string("codes/sections/_hcpcs.html", {"data": data, "code": modifier})
    assert "Right side" in html


def test_other_systems_and_browse_nodes_have_no_section(loaded):
    assert hcpcs.context(Code.objects.get(system="hcpcs", code="J")) is None
    assert hcpcs.context(Code(system="cpt", code="99213", kind="code")) is None


def test_the_template_renders_a_labelled_panel(loaded):
    code = Code.objects.get(system="hcpcs", code="C8904")
    html = render_to_string("codes/sections/_hcpcs.html", {"data": hcpcs.context(code), "code": code})
    assert '<dl class="facts">' in html
    assert '<th scope="row">77046</th>' in html
    assert "Not payable by Medicare" in html or "Carrier judgment" in html or "coverage" in html.lower()
