"""The full-text index of articles: an FTS5 table on SQLite, a GIN index on PostgreSQL.

Both index the same tokens (`xiezuo.bulletins.search.tokens`), kept by the save service.
"""

from django.db import migrations

FTS_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS bulletins_article_fts "
    "USING fts5(title, text, tokenize='unicode61')"
)
PG_VECTOR = (
    "(setweight(to_tsvector('simple', title_tokens), 'A') || "
    "setweight(to_tsvector('simple', text_tokens), 'B'))"
)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(FTS_CREATE)
    elif vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS bulletins_article_search ON bulletins_article "
            f"USING GIN ({PG_VECTOR})"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS bulletins_article_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS bulletins_article_search")


class Migration(migrations.Migration):
    dependencies = [("bulletins", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
