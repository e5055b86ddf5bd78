from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from codes.models import Code
from codes.sections import pcs

SAMPLES = Path(__file__).parent / "samples"

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


@pytest.fixture
def imported():
    call_command(
        "import_icd10pcs",
        str(SAMPLES / "icd10pcs_tables.xml"),
        "--definitions",
        str(SAMPLES / "icd10pcs_definitions.xml"),
        stdout=StringIO(),
    )
    call_command("import_icd10pcs_index", str(SAMPLES / "icd10pcs_index.xml"), stdout=StringIO())


def _code(code):
    return Code.objects.get(system="icd-10-pcs", code=code)


def test_a_code_has_its_seven_axes_with_definitions(imported, django_assert_max_num_queries):
    code = _code("0QU03JZ")
    with django_assert_max_num_queries(1):
        data = pcs.context(code)
    axes = {axis["pos"]: axis for axis in data["axes"]}
    assert [axes[p]["value"] for p in range(1, 8)] == list("0QU03JZ")
    assert axes[3]["label"] == "Supplement"
    assert axes[3]["definition"].startswith("Putting in or on")
    assert axes[3]["explanation"].startswith("The biological material")
    assert axes[4]["includes"] == ["Spinous process", "Vertebral body"]
    assert axes[5]["definition"].startswith("Entry, by puncture")
    assert axes[6]["includes"] == ["Bone cement"]
    assert axes[7] | {"definition": ""} == axes[7]  # "No Qualifier" has no definition
    assert data["table"]["url"] == reverse("codes:code", args=["icd-10-pcs", "0QU"])


def test_a_table_has_its_grid(imported, django_assert_max_num_queries):
    table = _code("0QU")
    with django_assert_max_num_queries(1):
        data = pcs.context(table)
    assert data["kind"] == "table"
    assert [axis["label"] for axis in data["axes"]] == [
        "Medical and Surgical",
        "Lower Bones",
        "Supplement",
    ]
    assert data["count"] == 5
    first = data["rows"][0]
    assert [c["title"] for c in first["columns"]] == [
        "Body Part",
        "Approach",
        "Device",
        "Qualifier",
    ]
    assert [v["value"] for v in first["columns"][2]["values"]] == ["7", "J"]
    assert first["samples"][0]["code"] == "0QU007Z"
    assert all(Code.objects.filter(code=s["code"]).exists() for row in data["rows"] for s in row["samples"])


def test_other_systems_and_headers_have_no_pcs_section(imported):
    assert pcs.context(_code("0Q")) is None
    assert pcs.context(Code(system="icd-10-cm", code="A00", kind="code")) is None


def test_the_code_and_table_pages_render_the_section(imported, client):
    page = client.get(reverse("codes:code", args=["icd-10-pcs", "0QU03JZ"])).content.decode()
    assert "What each character of 0QU03JZ means" in page
    assert "Spinous process" in page
    page = client.get(reverse("codes:code", args=["icd-10-pcs", "0QU"])).content.decode()
    assert "ICD-10-PCS table 0QU" in page
    assert "Lumbar Vertebra" in page


def test_the_index_shows_one_letter(imported, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client.get(reverse("codes:pcs_index"), {"letter": "S"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Supplement" in page
    assert "Esophagectomy" not in page
    assert f'href="{reverse("codes:code", args=["icd-10-pcs", "0QU00JZ"])}"' in page
    # a table + body part reference links to the table
    assert f'href="{reverse("codes:code", args=["icd-10-pcs", "0QU"])}"' in page
    # 0QU00KZ, 0QUG and 0SG are not in the sample tables
    assert page.count("not valid in FY2026") == 1 + 3
    assert 'class="level-2"' in page


def test_the_index_defaults_to_a_letter_and_shows_pointers(imported, client):
    page = client.get(reverse("codes:pcs_index"), {"letter": "e"}).content.decode()
    assert "Esophagectomy" in page
    assert "Resection, Gastrointestinal System" in page
    assert '<span class="pointer">use</span> Esophagus, Upper' in page
    assert client.get(reverse("codes:pcs_index")).status_code == 200


def test_the_index_page_without_an_index(client):
    response = client.get(reverse("codes:pcs_index"))
    assert response.status_code == 200
    assert "has not been imported" in response.content.decode()


def test_a_deleted_code_reads_its_axes_from_its_table(imported, django_assert_max_num_queries):
    table = _code("0QU")
    gone = Code.objects.create(
        system="icd-10-pcs",
        code="0QU00KZ",
        compact="0QU00KZ",
        kind="code",
        parent=table,
        deleted=True,
    )
    with django_assert_max_num_queries(2):
        data = pcs.context(gone)
    labels = [axis["label"] for axis in data["axes"]]
    assert labels[:5] == [
        "Medical and Surgical",
        "Lower Bones",
        "Supplement",
        "Lumbar Vertebra",
        "Open",
    ]
    assert labels[5] == "(not in the current table)"  # K is not a device of the sample table
