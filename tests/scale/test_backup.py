"""docs/deployment.md's backup and restore, done for real: pg_dump of a database, pg_restore into a
new one, and the rows are there."""

import datetime
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from accounts.models import Profile
from codes.importers.base import register_release

PG_BIN = Path("/usr/lib/postgresql/15/bin")
pg_dump = shutil.which("pg_dump", path=str(PG_BIN)) or shutil.which("pg_dump")
pg_restore = shutil.which("pg_restore", path=str(PG_BIN)) or shutil.which("pg_restore")

pytestmark = [
    pytest.mark.django_db(transaction=True),  # pg_dump sees only committed rows
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump backs up PostgreSQL"),
    pytest.mark.skipif(not (pg_dump and pg_restore), reason="needs pg_dump and pg_restore"),
]


def _conninfo(dbname: str) -> str:
    s = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"] or None, dbname=dbname
    )


def test_a_dump_restores_into_a_new_database(tmp_path, django_user_model):
    register_release(
        dataset="icd-10-cm", version="backup", title="ICD-10-CM backup test", effective_date=datetime.date(2025, 10, 1)
    )
    user = django_user_model.objects.create_user(username="kept", email="kept@example.com", password="x" * 12)
    Profile.objects.get_or_create(user=user)
    dump = tmp_path / "site.dump"
    source = connection.settings_dict["NAME"]
    subprocess.run([pg_dump, "--format=custom", "--no-owner", f"--file={dump}", _conninfo(source)], check=True)

    restored = f"restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(
            [pg_restore, "--no-owner", "--exit-on-error", f"--dbname={_conninfo(restored)}", str(dump)], check=True
        )
        with psycopg.connect(_conninfo(restored)) as db:
            assert db.execute("SELECT title FROM codes_release WHERE version = 'backup'").fetchone() == (
                "ICD-10-CM backup test",
            )
            assert db.execute("SELECT email FROM auth_user WHERE username = 'kept'").fetchone() == ("kept@example.com",)
            # The schema came along too: the migrations table says where the restored copy stands.
            assert db.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 10
    finally:
        with psycopg.connect(_conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
