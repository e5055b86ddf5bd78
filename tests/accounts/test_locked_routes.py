"""Every route that shows a code's locked data is metered like its code page (issue 12, item 1).

A guest sees the locked sections locked wherever they appear; a visitor with no views left meets the
gate; one view of a code opens its page and its NCCI edit pages, and re-views are free."""

import datetime

import pytest

from accounts.models import QuotaCounter
from codes.models import Code, PtpEdit, Release
from tests.factories import make_user

from .test_metering import is_gated, make_codes, pro_user

pytestmark = [pytest.mark.django_db, pytest.mark.metered]

SECRET = "Invented rationale 7731"  # only the edits carry it


@pytest.fixture
def cpt() -> list[Code]:
    release = Release.objects.create(
        dataset="ncci-ptp-practitioner", version="2026Q1", title="NCCI PTP", effective_date=datetime.date(2026, 1, 1)
    )
    codes = [
        Code.objects.create(system="cpt", code=c, compact=c, kind="code", billable=True, title=f"Invented {c}")
        for c in ("11010", "11011", "11012")
    ]
    PtpEdit.objects.bulk_create(
        [
            PtpEdit(setting="practitioner", column1=code.code, column2="11042", modifier_indicator="1",
                    rationale=SECRET, release=release)
            for code in codes
        ]
        + [PtpEdit(setting="practitioner", column1="0001U", column2="11042", modifier_indicator="1",
                   rationale=SECRET, release=release)]
    )  # fmt: skip
    return codes


def _locked_routes(code: str) -> list[str]:
    """Each route that shows data the code page locks: the page, its edit pages, the API."""
    return [
        f"/cpt/{code}/",
        f"/cpt/{code}/edits/",
        f"/cpt/{code}/edits/?role=column2",
        f"/cpt/{code}/edits/?setting=outpatient&status=all&page=2",
        f"/api/v1/codes/cpt/{code}",
    ]


def _shows_edits(response) -> bool:
    return SECRET in response.content.decode()


def test_a_guest_sees_the_edits_locked_on_every_route_even_with_a_view_left(client, cpt):
    for url in _locked_routes("11010"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not _shows_edits(response), url
    edits = client.get("/cpt/11010/edits/").content.decode()
    assert "Register to view content" in edits
    assert '"isAccessibleForFree": false' in edits


def test_a_guest_at_the_gate_gets_nothing_on_the_edit_pages(client, cpt, plans):
    plans("guest", code_views=1)
    client.get("/cpt/11010/")
    for url in _locked_routes("11011")[1:4]:
        response = client.get(url)
        assert response.status_code == 200
        assert is_gated(response.content.decode()), url
        assert not _shows_edits(response)


def test_one_view_opens_the_page_and_its_edit_pages_and_re_views_are_free(client, cpt):
    user = make_user("f@example.com")
    client.force_login(user)
    assert _shows_edits(client.get("/cpt/11010/edits/"))
    assert QuotaCounter.objects.get(subject=f"u:{user.pk}").used == 1
    client.get("/cpt/11010/")
    client.get("/cpt/11010/edits/?role=column2")
    assert _shows_edits(client.get("/api/v1/codes/cpt/11010"))
    assert QuotaCounter.objects.get(subject=f"u:{user.pk}").used == 1


def test_a_free_account_with_no_views_left_meets_the_gate_on_every_route(client, cpt, plans):
    plans("free", code_views=1)
    client.force_login(make_user("f@example.com"))
    assert _shows_edits(client.get("/cpt/11010/edits/"))
    for url in _locked_routes("11011"):
        response = client.get(url)
        assert not _shows_edits(response), url
        if url.startswith("/api/"):
            assert response.status_code == 403
        else:
            assert is_gated(response.content.decode()), url
    # The code opened this month stays open.
    assert _shows_edits(client.get("/cpt/11010/edits/?role=column1"))


def test_edits_of_a_code_with_no_page_are_for_unlimited_plans(client, cpt):
    client.force_login(make_user("f@example.com"))
    assert not _shows_edits(client.get("/cpt/0001U/edits/"))
    client.force_login(pro_user())
    assert _shows_edits(client.get("/cpt/0001U/edits/"))


def test_pro_sees_every_route_whole(client, cpt):
    client.force_login(pro_user())
    for url in _locked_routes("11012")[1:2]:
        assert _shows_edits(client.get(url))
    make_codes()  # other systems' pages are unaffected
    assert client.get("/icd-10-cm/A00.1/").status_code == 200
