from django.db import migrations

# Suggestions ask for word fragments ("pneu*"): FTS5 answers them from prefix indexes of 2
# to 4 characters instead of merging the lists of every word that starts so. Rebuilding the
# table keeps what it holds. PostgreSQL (GIN with prefix matching) needs nothing here.
COLUMNS = "title, extra, tokenize='porter unicode61 remove_diacritics 2'"


def _rebuild(prefix: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        schema_editor.execute("DROP TABLE IF EXISTS codes_search_fts")
        schema_editor.execute(f"CREATE VIRTUAL TABLE codes_search_fts USING fts5({COLUMNS}{prefix})")
        schema_editor.execute(
            "INSERT INTO codes_search_fts (rowid, title, extra) SELECT id, title, extra FROM codes_searchentry"
        )

    return run


class Migration(migrations.Migration):
    dependencies = [("codes", "0003_search_term_prefix")]

    operations = [migrations.RunPython(_rebuild(", prefix='2 3 4'"), _rebuild(""))]
