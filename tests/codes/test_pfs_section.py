from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from codes.models import Code
from codes.sections import pfs

SAMPLES = Path(__file__).parent / "samples"
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


@pytest.fixture(autouse=True)
def fee_schedule():
    call_command("import_pfs", str(SAMPLES / "pfs_pprrvu.csv"), stdout=StringIO())


def _code(code, system="cpt"):
    return Code.objects.create(system=system, code=code, compact=code)


def test_it_shows_rvus_and_payment_estimates(django_assert_max_num_queries):
    code = _code("99213")
    with django_assert_max_num_queries(1):
        data = pfs.context(code)
    [row] = data["rows"]
    assert (row["work"], row["pe_nonfacility"], row["pe_facility"], row["mp"]) == (
        "1.30",
        "1.33",
        "0.56",
        "0.10",
    )
    assert (row["total_nonfacility"], row["total_facility"]) == ("2.73", "1.96")
    # 2.73 x 33.2875 = 90.874875 and 1.96 x 33.2875 = 65.2435, rounded to cents.
    assert (row["payment_nonfacility"], row["payment_facility"]) == ("90.87", "65.24")
    assert data["conversion_factor"] == "33.2875"
    assert data["release_version"] == "2024-07"
    assert data["global_days"]["meaning"].startswith("No global period")
    assert data["status"]["meaning"].startswith("Active")


def test_it_lists_global_professional_and_technical_rows():
    data = pfs.context(_code("71046"))
    assert [row["modifier"] for row in data["rows"]] == ["", "26", "TC"]
    assert data["indicators"][0]["value"] == "1"
    assert "professional (26) and technical (TC)" in data["indicators"][0]["meaning"]


def test_it_explains_surgical_indicators_and_endoscopic_base():
    data = pfs.context(_code("43239"))
    assert data["global_days"]["value"] == "000"
    names = {i["name"]: i for i in data["indicators"]}
    assert names["Multiple procedures"]["meaning"].startswith("Endoscopy rule")
    assert names["Assistant at surgery"]["value"] == "1"
    assert data["endoscopic_base"] == {"code": "43235", "url": "/cpt/43235/"}
    knee = pfs.context(_code("27447"))
    assert knee["global_days"]["meaning"].startswith("90-day")
    assert knee["surgery_split"] == {
        "pre_op": "10%",
        "intra_op": "69%",
        "post_op": "21%",
    }


def test_codes_that_are_not_paid_get_no_estimate():
    data = pfs.context(_code("A0021", system="hcpcs"))
    assert data["paid"] is False
    assert data["rows"][0]["payment_nonfacility"] is None
    assert data["status"]["meaning"].startswith("Not valid for Medicare")


def test_it_has_nothing_for_unknown_codes_and_other_systems():
    assert pfs.context(_code("99999")) is None
    assert pfs.context(_code("A00.0", system="icd-10-cm")) is None


def test_the_template_renders(client):
    from django.template.loader import render_to_string

    html = render_to_string("codes/sections/_pfs.html", {"data": pfs.context(_code("71046"))})
    assert "Professional component (modifier 26)" in html
    assert "$" in html
