"""accounts 0003 / codes 0008: favourites, notes and code views change app without losing a row, and
existing counters become code-view counters."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0002_codeview_fewer_indexes"), ("codes", "0007_plain_language_fields")]
AFTER = [("accounts", "0003_quota_meters"), ("codes", "0008_user_code_data")]


@pytest.mark.django_db(transaction=True)
def test_migrating_forward_keeps_every_row():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    user = old.get_model("auth", "User").objects.create(username="kept", email="kept@example.com")
    code = old.get_model("codes", "Code").objects.create(system="icd-10-cm", code="E11.9", compact="E119")
    old.get_model("accounts", "FavouriteCode").objects.create(user_id=user.pk, code_id=code.pk)
    old.get_model("accounts", "CodeNote").objects.create(user_id=user.pk, code_id=code.pk, text="kept note")
    old.get_model("accounts", "CodeView").objects.create(
        subject=f"u:{user.pk}", period="2026-11", code_id=code.pk, user_id=user.pk
    )
    old.get_model("accounts", "QuotaCounter").objects.create(
        subject=f"u:{user.pk}", period="2026-11", used=4, allowance=6
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    assert new.get_model("codes", "FavouriteCode").objects.get().code_id == code.pk
    assert new.get_model("codes", "CodeNote").objects.get().text == "kept note"
    assert new.get_model("codes", "CodeView").objects.get().period == "2026-11"
    counter = new.get_model("accounts", "QuotaCounter").objects.get()
    assert (counter.meter, counter.used) == ("code_views", 4)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # the rest of the suite runs on the latest schema
