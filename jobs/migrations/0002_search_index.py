"""Full-text index for job search on PostgreSQL (SQLite searches by substring instead).

The expression matches what JobQuerySet.text_search() builds, so the planner can use it.
"""

from django.db import migrations

INDEX = "jobs_job_search_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON jobs_job "
            "USING gin (to_tsvector('english'::regconfig, COALESCE(search_document, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
