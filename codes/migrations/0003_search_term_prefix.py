from django.db import migrations, models

# As-you-type lookups ask for synonyms and words starting with what is typed (LIKE 'heart att%'):
# on PostgreSQL that needs a pattern-ops index whatever the database collation. SQLite uses
# a range over the existing index instead.


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX synonym_term_prefix ON codes_synonym (term text_pattern_ops)")
        schema_editor.execute("CREATE INDEX searchword_prefix ON codes_searchword (word text_pattern_ops)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS synonym_term_prefix")
        schema_editor.execute("DROP INDEX IF EXISTS searchword_prefix")


class Migration(migrations.Migration):
    dependencies = [("codes", "0002_search")]

    operations = [
        migrations.AddField(model_name="searchentry", name="phrase", field=models.TextField(blank=True)),
        migrations.AddField(model_name="searchentry", name="compact", field=models.CharField(blank=True, max_length=16)),
        migrations.AddField(model_name="searchentry", name="kind", field=models.CharField(blank=True, max_length=12)),
        migrations.AddField(model_name="searchentry", name="billable", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="searchentry", name="deleted", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="searchentry", name="effective_date", field=models.DateField(blank=True, null=True)),
        migrations.AddField(model_name="searchentry", name="termination_date", field=models.DateField(blank=True, null=True)),
        migrations.RunPython(forwards, backwards),
    ]
