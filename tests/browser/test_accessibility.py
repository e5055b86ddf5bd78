"""Every kind of page, at desktop and phone width: axe-core finds no WCAG 2.2 A/AA violation and
nothing makes the page wider than the screen.

axe-core comes from the npm registry (bin/test installs it into var/npm); without it these tests
are skipped with the reason, so a plain `pytest` on a machine without npm still runs the rest.
"""

import datetime
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page

from accounts.models import Plan, QuotaCounter
from casepilot.models import Guide
from codes.importers.base import CodeRow, register_release, sync_codes
from jobs.models import Job

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(settings.BASE_DIR) / "var" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def site_data():
    day = datetime.date(2025, 10, 1)
    icd = register_release(dataset="icd-10-cm", version="2026", title="ICD-10-CM FY2026", effective_date=day)
    hcpcs = register_release(
        dataset="hcpcs", version="2026-01", title="HCPCS Level II January 2026", effective_date=day
    )
    pcs = register_release(dataset="icd-10-pcs", version="2026", title="ICD-10-PCS FY2026", effective_date=day)
    cpt = register_release(dataset="cpt-codes", version="2026", title="CPT code numbers from CMS files")
    drg = register_release(dataset="ms-drg", version="43", title="MS-DRG v43", effective_date=day)
    with transaction.atomic():
        sync_codes(
            system="icd-10-cm",
            release=icd,
            rows=[
                CodeRow(
                    code="13", title="Diseases of the musculoskeletal system and connective tissue", kind="chapter"
                ),
                CodeRow(code="M45-M49", title="Spondylopathies", kind="section", parent="13"),
                CodeRow(code="M48", title="Other spondylopathies", kind="category", parent="M45-M49"),
                CodeRow(
                    code="M48.5", title="Collapsed vertebra, not elsewhere classified", kind="subcategory", parent="M48"
                ),
                CodeRow(
                    code="M48.56XA",
                    title="Collapsed vertebra, not elsewhere classified, lumbar region, initial encounter for fracture",
                    parent="M48.5",
                    billable=True,
                ),
                CodeRow(
                    code="M48.56XD",
                    title="Collapsed vertebra, lumbar region, subsequent encounter",
                    parent="M48.5",
                    billable=True,
                ),
            ],
        )
        sync_codes(
            system="hcpcs",
            release=hcpcs,
            rows=[CodeRow(code="J1100", title="Injection, dexamethasone sodium phosphate, 1 mg", billable=True)],
        )
        sync_codes(
            system="cpt",
            release=cpt,
            rows=[
                CodeRow(
                    code="99211-99215", title="Office or other outpatient visit, established patient", kind="section"
                ),
                CodeRow(code="99213", title="", billable=True, parent="99211-99215"),
                CodeRow(code="99214", title="", billable=True, parent="99211-99215"),
            ],
        )
        sync_codes(
            system="ms-drg",
            release=drg,
            rows=[CodeRow(code="470", title="Major hip and knee joint replacement without MCC", billable=True)],
        )
        sync_codes(
            system="icd-10-pcs",
            release=pcs,
            rows=[
                CodeRow(
                    code="0QU03JZ",
                    title="Supplement Lumbar Vertebra with Synthetic Substitute, Percutaneous Approach",
                    billable=True,
                )
            ],
        )
    call_command("import_guides", verbosity=0)
    employer = get_user_model().objects.create_user("employer", "hr@acmehealth.example", "pw")
    Job.objects.create(
        owner=employer,
        title="Remote Outpatient Coder",
        employer_name="Acme Health",
        description="Code outpatient visits. CPC required.",
        apply_to="https://acmehealth.example/careers/1",
        work_setting="outpatient",
        employment_type="full_time",
        status=Job.Status.LIVE,
        published_at=timezone.now(),
        expires_on=timezone.now().date() + datetime.timedelta(days=30),
    )


def _signed_in(page: Page, live_server, *, pro: bool = False):
    user = get_user_model().objects.create_user("coder", "coder@example.com", "pw")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    if pro:
        today = timezone.now().date()
        Plan.objects.create(user=user, starts=today, ends=today + datetime.timedelta(days=30))
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}])
    return user


def _check(page: Page, url: str, width: str) -> list[str]:
    """Problems a person would meet on the page: axe violations and sideways scrolling."""
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    response = page.goto(url)
    assert response is not None
    assert response.status < 500, url
    problems = []
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        problems.append(f"{url} at {width}: {overflow} px wider than the screen")
    page.evaluate(AXE.read_text())  # not add_script_tag: the site's CSP refuses inline scripts, rightly
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    for violation in result["violations"]:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        problems.append(f"{url} at {width}: {violation['id']} ({violation['help']}) on {targets}")
    return problems


PUBLIC_PAGES = [
    "/",
    "/search/?q=collapsed+vertebra",
    "/lookup/?q=M48",
    "/icd-10-cm/",
    "/icd-10-cm/browse/13/",
    "/casepilot/",
    "/consult/",
    "/jobs/",
    "/guides/",
    "/pricing/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/no-such-page/",
]

# A code page of each set.
CODE_PAGES = ["/icd-10-cm/M48.56XA/", "/hcpcs/J1100/", "/icd-10-pcs/0QU03JZ/", "/cpt/99213/", "/ms-drg/470/"]


@pytest.fixture(autouse=True)
def _axe_installed():
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE} (bin/test installs it from the npm registry)")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_public_pages_have_no_accessibility_violations_or_sideways_scroll(page: Page, live_server, site_data, width):
    job = Job.objects.get()
    problems = []
    for path in [*PUBLIC_PAGES, job.get_absolute_url(), "/guides/" + _a_guide_slug() + "/"]:
        problems += _check(page, live_server.url + path, width)
    assert problems == []


@pytest.mark.metered
@pytest.mark.parametrize("width", list(WIDTHS))
def test_code_pages_in_every_meter_state(page: Page, live_server, site_data, width):
    problems = []
    for path in CODE_PAGES:
        # A guest's free view (the one locked panel), then the gate on the next code.
        QuotaCounter.objects.all().delete()
        page.context.clear_cookies()
        problems += _check(page, live_server.url + path, width)
        assert page.get_by_text("Register to view content").count() == 1, path
        problems += _check(page, live_server.url + "/cpt/99214/", width)
        assert page.locator("#gate-heading").count() == 1
        # One link to register on the gate for keyboard users, not one in the banner and one per panel.
        assert page.get_by_role("link", name=re.compile("Register free account|Create a free account")).count() == 1
    # A free account, then Pro.
    page.context.clear_cookies()
    user = _signed_in(page, live_server)
    for path in [*CODE_PAGES, "/accounts/profile/"]:
        problems += _check(page, live_server.url + path, width)
    today = timezone.now().date()
    Plan.objects.create(user=user, starts=today, ends=today + datetime.timedelta(days=30))
    for path in CODE_PAGES:
        problems += _check(page, live_server.url + path, width)
    assert problems == []


def _a_guide_slug() -> str:
    return Guide.objects.order_by("slug").values_list("slug", flat=True).first()
