"""manage.py prune_meter: the meter's rows of past periods go; this period's stay, so no allowance grows back."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts import quota
from accounts.models import QuotaCounter
from codes.models import CodeView
from tests.factories import make_user

from .test_metering import is_gated, make_codes, page

pytestmark = [pytest.mark.django_db, pytest.mark.metered, pytest.mark.sqlite_smoke]


def test_past_periods_go_and_this_periods_rows_stay(client):
    codes = make_codes()
    alice = make_user("alice@example.com")
    now = timezone.now()
    this_month, today = quota.month_of(now), now.date().isoformat()
    QuotaCounter.objects.create(subject="g:old", period="2025-01", used=1, allowance=1)
    QuotaCounter.objects.create(subject="a:old", period="2025-01-31", used=3, allowance=3)
    CodeView.objects.create(subject="g:old", period="2025-01", code=codes[0])
    CodeView.objects.create(subject=f"u:{alice.pk}", period="2025-12", code=codes[0], user=alice)
    CodeView.objects.create(subject=f"u:{alice.pk}", period="2020-01", code=codes[1], user=alice)
    page(client, codes[0])  # this month's guest view, this month's and today's counters
    out = StringIO()
    call_command("prune_meter", stdout=out)
    assert "counters: 2 deleted" in out.getvalue()
    assert set(QuotaCounter.objects.values_list("period", flat=True)) == {this_month, today}
    assert set(CodeView.objects.values_list("period", flat=True)) >= {this_month}
    assert not CodeView.objects.filter(period__in=["2025-01", "2020-01"]).exists()
    # The guest's allowance is still spent: pruning gave nothing back.
    assert is_gated(page(client, codes[1]))


def test_accounts_keep_a_year_of_recently_viewed_codes():
    codes = make_codes()
    alice = make_user("alice@example.com")
    now = datetime.datetime(2026, 11, 27, tzinfo=datetime.UTC)
    for period in ("2025-11", "2025-12", "2026-10"):
        CodeView.objects.create(subject=f"u:{alice.pk}", period=period, code=codes[0], user=alice)
    CodeView.objects.prune(now=now, keep_user_months=12)
    assert sorted(CodeView.objects.values_list("period", flat=True)) == ["2025-11", "2025-12", "2026-10"]
    CodeView.objects.prune(now=now, keep_user_months=1)
    assert sorted(CodeView.objects.values_list("period", flat=True)) == ["2026-10"]
