from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string

from codes.models import Code, PtpEdit, Release
from codes.sections import ncci

SAMPLES = Path(__file__).parent / "samples"
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_smoke]


@pytest.fixture(autouse=True)
def edits():
    out = StringIO()
    call_command(
        "import_ncci_ptp",
        str(SAMPLES / "ncci_ptp.tsv"),
        setting="practitioner",
        stdout=out,
    )
    call_command(
        "import_ncci_ptp",
        str(SAMPLES / "ncci_ptp.tsv"),
        setting="outpatient",
        stdout=out,
    )
    call_command(
        "import_ncci_mue",
        str(SAMPLES / "ncci_mue.tsv"),
        setting="practitioner",
        stdout=out,
    )
    call_command(
        "import_ncci_mue",
        str(SAMPLES / "ncci_mue_reordered.tsv"),
        setting="outpatient",
        stdout=out,
    )
    call_command("import_ncci_aoc", str(SAMPLES / "ncci_aoc.tsv"), stdout=out)


def _code(code, system="cpt"):
    return Code.objects.create(system=system, code=code, compact=code)


def _role(data, setting, role):
    [s] = [s for s in data["ptp"] if s["setting"] == setting]
    [r] = [r for r in s["roles"] if r["role"] == role]
    return r


def test_it_shows_mues_per_setting(django_assert_max_num_queries):
    code = _code("43239")
    with django_assert_max_num_queries(17):
        data = ncci.context(code)
    assert [(m["setting"], m["units"], m["mai"]) for m in data["mues"]] == [
        ("practitioner", 1, "2"),
        ("outpatient", 1, "2"),
    ]
    assert data["mues"][0]["mai_meaning"].startswith("Date of service edit (policy)")


def test_it_summarises_ptp_edits_by_role_and_setting():
    data = ncci.context(_code("43239"))
    column1 = _role(data, "practitioner", "column1")
    assert (column1["in_effect"], column1["deleted"]) == (1, 1)
    # In effect first, deleted after and marked.
    assert [e["code"] for e in column1["edits"]] == ["43235", "43236"]
    first, second = column1["edits"]
    assert first["modifier_meaning"].startswith("Not allowed")
    assert (first["deleted"], second["deleted"], second["deletion_date"]) == (
        False,
        True,
        "2022-01-01",
    )
    assert column1["url"] == "/cpt/43239/edits/?role=column1&setting=practitioner"
    column2 = _role(data, "practitioner", "column2")
    assert [(e["code"], e["url"]) for e in column2["edits"]] == [("G0500", "/hcpcs/G0500/")]
    assert _role(data, "outpatient", "column1")["in_effect"] == 1


def test_it_caps_the_edit_lists_but_counts_them_all():
    release = Release.objects.get(dataset="ncci-ptp-practitioner")
    PtpEdit.objects.bulk_create(
        PtpEdit(
            setting="practitioner",
            column1="99213",
            column2=f"{10000 + i}",
            modifier_indicator="1",
            release=release,
        )
        for i in range(25)
    )
    data = ncci.context(_code("99213"))
    column1 = _role(data, "practitioner", "column1")
    assert column1["in_effect"] == 25
    assert len(column1["edits"]) == 10


def test_an_add_on_code_lists_its_primary_codes():
    data = ncci.context(_code("22512"))
    addons = data["addons"]
    assert addons["is_addon"]
    assert [p["code"] for p in addons["primaries"]] == ["22510", "22511"]
    assert addons["edit_types"][0]["meaning"].startswith("Type 1")
    assert ncci.context(_code("0054T"))["addons"]["no_specific_primary"]


def test_a_primary_code_lists_its_add_on_codes():
    addons = ncci.context(_code("22511"))["addons"]
    assert not addons["is_addon"]
    assert [a["code"] for a in addons["addons"]] == ["22512"]


def test_query_count_does_not_grow_with_edits(django_assert_max_num_queries):
    release = Release.objects.get(dataset="ncci-ptp-practitioner")
    PtpEdit.objects.bulk_create(
        PtpEdit(setting=s, column1=c1, column2=c2, modifier_indicator="0", release=release)
        for s in ("practitioner", "outpatient")
        for c1, c2 in [("20930", f"{20000 + i}") for i in range(200)] + [(f"{30000 + i}", "20930") for i in range(200)]
    )
    code = _code("20930")
    with django_assert_max_num_queries(17):
        data = ncci.context(code)
    assert _role(data, "outpatient", "column2")["in_effect"] == 200


def test_it_has_nothing_for_codes_without_edits():
    assert ncci.context(_code("99999")) is None
    assert ncci.context(_code("A00.0", system="icd-10-cm")) is None


def test_the_template_renders():
    html = render_to_string("codes/sections/_ncci.html", {"data": ncci.context(_code("43239"))})
    assert "Medically unlikely edits" in html
    assert 'href="/cpt/43239/edits/?role=column1&amp;setting=practitioner"' in html
    assert "<del>Deleted" in html
