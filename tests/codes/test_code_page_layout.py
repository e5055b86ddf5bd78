"""What a coder sees first on a code page, and what a guest is told is locked (issue 18)."""

import datetime
import re
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from codes.importers.base import CodeRow, register_release, sync_codes

SAMPLES = Path(__file__).parent / "samples"
pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client):
    user = get_user_model().objects.create_user("reader", "reader@example.com", "pw")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    client.force_login(user)
    return user


@pytest.fixture
def cpt():
    """99213 under a range of ours, with a fee schedule row, an MUE and PTP edits."""
    release = register_release(
        dataset="cpt-codes", version="t", title="CMS files", effective_date=datetime.date(2024, 7, 1)
    )
    rows = [
        CodeRow(code="99211-99215", title="Office or other outpatient visit, established patient", kind="section"),
        CodeRow(code="99213", title="", billable=True, parent="99211-99215"),
        CodeRow(code="43239", title="", billable=True),
        CodeRow(code="22325", title="", billable=True),
    ]
    with transaction.atomic():
        sync_codes(system="cpt", release=release, rows=rows)
    out = StringIO()
    call_command("import_pfs", str(SAMPLES / "pfs_pprrvu.csv"), stdout=out)
    for setting in ("practitioner", "outpatient"):
        call_command("import_ncci_ptp", str(SAMPLES / "ncci_ptp.tsv"), setting=setting, stdout=out)
    call_command("import_ncci_mue", str(SAMPLES / "ncci_mue.tsv"), setting="practitioner", stdout=out)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _facts(html: str) -> str:
    return _text(html[html.index('class="key-facts"') : html.index("</dl>", html.index('class="key-facts"'))])


def test_a_cpt_page_leads_with_its_key_facts(client, member, cpt):
    html = client.get("/cpt/43239/").content.decode()
    facts = _facts(html)
    assert "Status Billable / valid" in facts
    assert "Payment status A" in facts
    assert "Global period 000" in facts
    assert "MUE 1 (practitioner)" in facts
    assert "PTP edits" in facts
    # the strip comes before the sections it sums up
    assert html.index('class="key-facts"') < html.index('id="pfs"') < html.index('id="ncci"')


def test_sections_open_and_close_with_counts_in_their_headings(client, member, cpt):
    html = client.get("/cpt/43239/").content.decode()
    assert '<details class="panel code-section" id="ncci" open>' in html
    heading = _text(html[html.index('id="ncci-heading"') : html.index("</h2>", html.index('id="ncci-heading"'))])
    assert re.search(r"NCCI edits [\d,]+ NCCI edits? · 1 MUE", heading), heading
    # the contents list links to each section
    contents = html[html.index('id="contents-heading"') : html.index("</nav>", html.index('id="contents-heading"'))]
    assert 'href="#pfs">Medicare Physician Fee Schedule</a>' in contents
    assert 'href="#ncci">NCCI edits</a>' in contents


def test_the_modifier_indicator_is_explained_once_in_a_legend(client, member, cpt):
    html = client.get("/cpt/22325/").content.decode()
    meaning = "no modifier lets the two codes be paid together on the same day"
    assert html.count(meaning) == 1
    assert '<dl class="legend"' in html


def test_a_cpt_code_without_a_title_is_headed_by_its_range(client, member, cpt):
    html = client.get("/cpt/99213/").content.decode()
    assert '<p class="code-title">Office or other outpatient visit, established patient</p>' in html
    assert "<title>99213 – Office or other outpatient visit, established patient | CPT |" in html
    assert html.count("licensed by the American Medical Association") == 1
    assert "once the site operator loads" not in html
    assert "Common Language Description" not in html  # nothing written: no empty section


@pytest.mark.metered
def test_a_guest_sees_one_locked_panel_naming_what_the_code_has(client, cpt):
    html = client.get("/cpt/43239/").content.decode()
    assert html.count("Register to view content") == 1
    assert html.count("Create a free account") == 1
    panel = _text(html[html.index('id="locked-heading"') : html.index("</section>", html.index('id="locked-heading"'))])
    # the names of the unlocked page, with what each holds
    assert "Medicare Physician Fee Schedule: " in panel
    assert "NCCI edits: " in panel
    assert "1 MUE" in panel
    # and nothing the code does not have: a leaf has no more specific codes
    assert "More specific codes" not in panel
    assert "Related codes" not in panel
    # the locked content itself is not on the page, nor its facts
    assert 'id="ncci"' not in html
    assert "Payment status" not in html


@pytest.mark.metered
def test_a_guest_is_not_promised_sections_the_code_lacks(client):
    release = register_release(dataset="icd-10-cm", version="t", title="t", effective_date=datetime.date(2025, 10, 1))
    with transaction.atomic():
        sync_codes(system="icd-10-cm", release=release, rows=[CodeRow(code="R69", title="Illness", billable=True)])
    html = client.get("/icd-10-cm/R69/").content.decode()
    assert html.count("Register to view content") == 1
    panel = _text(html[html.index('id="locked-heading"') : html.index("</section>", html.index('id="locked-heading"'))])
    assert "History: 1 change" in panel  # the release that added it
    for absent in ("Tabular notes", "Index entries", "CC/MCC", "GEMs", "More specific codes", "Related codes"):
        assert absent not in panel
