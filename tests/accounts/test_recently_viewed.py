import datetime

import pytest
from django.utils import timezone

from codes.models import CodeView

pytestmark = pytest.mark.django_db


def _view(user, code, *, days_ago: int, period: str):
    return CodeView.objects.create(
        subject=f"u:{user.pk}",
        period=period,
        code=code,
        user=user,
        viewed=timezone.now() - datetime.timedelta(days=days_ago),
    )


def test_recently_viewed_lists_each_code_once_newest_first(alice, bob, codes):
    _view(alice, codes["E11.9"], days_ago=40, period="2026-01")
    _view(alice, codes["M48.56XA"], days_ago=20, period="2026-01")
    _view(alice, codes["E11.9"], days_ago=1, period="2026-02")  # the same code again next month
    _view(bob, codes["M48"], days_ago=0, period="2026-02")
    recent = CodeView.objects.recently_viewed(alice, limit=10)
    assert [item["code"].code for item in recent] == ["E11.9", "M48.56XA"]


def test_the_account_page_and_export_show_recently_viewed_codes(client, alice, codes):
    _view(alice, codes["M48.56XA"], days_ago=2, period="2026-02")
    client.force_login(alice)
    page = client.get("/accounts/profile/").content.decode()
    section = page[page.index('id="recent-heading"') :]
    assert "M48.56XA" in section[: section.index("</section>")]
    export = client.get("/accounts/export.csv").content.decode()
    assert "viewed,icd-10-cm,M48.56XA," in export
