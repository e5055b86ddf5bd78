from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from codes.models import PlainDescription, PtpEdit, Release

SAMPLES = Path(__file__).parent / "samples"
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


@pytest.fixture(autouse=True)
def edits():
    call_command(
        "import_ncci_ptp",
        str(SAMPLES / "ncci_ptp.tsv"),
        setting="practitioner",
        stdout=StringIO(),
    )
    release = Release.objects.get(dataset="ncci-ptp-practitioner")
    # 150 column-1 edits for 99213 (30 of them deleted), and 3 outpatient ones.
    PtpEdit.objects.bulk_create(
        [
            PtpEdit(
                setting="practitioner",
                column1="99213",
                column2=f"{10000 + i}",
                modifier_indicator="1",
                deletion_date="2020-12-31" if i >= 120 else None,
                release=release,
            )
            for i in range(150)
        ]
        + [
            PtpEdit(
                setting="outpatient",
                column1="99213",
                column2=f"G{i:04d}",
                modifier_indicator="0",
                release=release,
            )
            for i in range(3)
        ]
    )


def test_it_lists_the_first_page_of_edits(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get("/cpt/99213/edits/")
    assert response.status_code == 200
    body = response.content.decode()
    # In effect by default.
    assert response.context["page"].paginator.count == 120
    assert len(response.context["rows"]) == 100
    assert 'aria-label="Pagination"' in body
    assert 'class="data-table"' in body
    assert 'href="/cpt/10000/"' in body
    assert "Page 1 of 2" in body
    assert not any(row["deleted"] for row in response.context["rows"])


def test_the_second_page_has_the_rest(client):
    response = client.get("/cpt/99213/edits/?role=column1&setting=practitioner&status=all&page=2")
    assert len(response.context["rows"]) == 50
    # In effect first, deleted edits last.
    assert response.context["rows"][-1]["deleted"]


def test_it_filters_by_status(client):
    assert client.get("/cpt/99213/edits/?status=in_effect").context["page"].paginator.count == 120
    assert client.get("/cpt/99213/edits/?status=deleted").context["page"].paginator.count == 30


def test_it_filters_by_setting_and_links_hcpcs_codes(client):
    response = client.get("/cpt/99213/edits/?setting=outpatient")
    assert response.context["page"].paginator.count == 3
    assert 'href="/hcpcs/G0000/"' in response.content.decode()


def test_column2_role_shows_the_column1_codes(client):
    response = client.get("/cpt/22521/edits/?role=column2&status=all")
    codes = [row["code"] for row in response.context["rows"]]
    assert sorted(codes) == ["22325", "22325", "22520"]
    assert "Mutually exclusive procedures" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "?role=bogus",
        "?setting=dme",
        "?status=nope",
        "?page=abc",
        "?page=999",
        "?page=-1",
        "?role=column1&page=0",
    ],
)
def test_bad_parameters_fall_back_to_defaults(client, query):
    response = client.get(f"/cpt/99213/edits/{query}")
    assert response.status_code == 200
    assert response.context["role"] in ("column1", "column2")
    assert response.context["setting"] == "practitioner"


def test_a_code_without_edits_or_page_is_not_found(client):
    assert client.get("/cpt/12345/edits/").status_code == 404
    assert client.get("/cpt/123456789/edits/").status_code == 404


def test_hcpcs_codes_have_edit_lists_too(client):
    response = client.get("/hcpcs/G0500/edits/")
    assert response.status_code == 200
    assert response.context["rows"][0]["code"] == "43239"
    assert 'href="/cpt/43239/"' in response.content.decode()


def test_a_cpt_code_without_a_descriptor_is_named_by_our_short_title(client):
    """CPT descriptors are licensed: the other code of an edit is named by the editors' short title."""
    PlainDescription.objects.create(
        system="cpt", code="10000", short_title="Invented short title of a test code", text="Invented text.",
        author="editors", status=PlainDescription.Status.PUBLISHED,
    )  # fmt: skip
    PlainDescription.objects.create(
        system="cpt", code="10001", short_title="A draft nobody may read yet", text="Invented text.", author="editors"
    )
    body = client.get("/cpt/99213/edits/").content.decode()
    assert "Invented short title of a test code" in body
    assert "A draft nobody may read yet" not in body
