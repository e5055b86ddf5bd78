"""The consultation quota is spent in the transaction that opens the consultation (issue 12)."""

import threading

import pytest
from django.db import connection, connections

from accounts.models import QuotaCounter
from casepilot import consult
from casepilot.models import Consultation
from tests.factories import make_user


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers; the race is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_parallel_requests_cannot_open_more_consultations_than_the_plan_allows(plans):
    plans("free", consultations_per_month=2, consult_messages_per_hour=100)
    user = make_user("parallel@example.com")
    barrier = threading.Barrier(12)
    outcomes: list[str] = []

    def open_one(i: int) -> None:
        try:
            barrier.wait()
            consult.open_consultation(user=type(user).objects.get(pk=user.pk), subject=f"Q{i}", question="Modifier 25?")
            outcomes.append("opened")
        except consult.QuotaExceeded:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=open_one, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["opened"] * 2 + ["refused"] * 10
    assert Consultation.objects.filter(user=user).count() == 2
    assert QuotaCounter.objects.get(meter="consultations").used == 2
    # The refused ones gave their message back: only the two that opened spent one.
    assert QuotaCounter.objects.get(meter="consult_messages").used == 2


@pytest.mark.django_db
def test_a_refused_consultation_spends_no_message(plans):
    plans("free", consultations_per_month=0)
    user = make_user("none@example.com")
    with pytest.raises(consult.QuotaExceeded):
        consult.open_consultation(user=user, subject="Q", question="Modifier 25?")
    assert not QuotaCounter.objects.filter(used__gt=0).exists()
