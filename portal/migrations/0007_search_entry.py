"""Site search on an index of the project's own (portal/search/models.py), instead of Wagtail's tables.

- The table of entries, and beside it the fast path: on PostgreSQL a trigger that writes each
  entry's tsvector (`vector`) from its text and a GIN index on it; on SQLite an FTS5 table over
  the entries' text, kept in step with them by triggers.
- The entries of the pages already published, written by `manage.py rebuild_search_index`'s code
  with the models as they are (a fresh database has no pages and nothing to do).
- The GIN index that 0004 once put on Wagtail's `wagtailsearch_indexentry` is dropped: no SQL of
  the project touches another package's tables.
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models

OLD_INDEX = "portal_search_title_body_gin"  # portal/0004, on wagtailsearch_indexentry
GIN_INDEX = "portal_searchentry_vector_gin"

# The FTS5 index over the entries' text; its rowid is the page id.
SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE portal_searchentry_fts
        USING fts5(body, content='portal_searchentry', content_rowid='page_id')""",
    """CREATE TRIGGER portal_searchentry_fts_insert AFTER INSERT ON portal_searchentry BEGIN
        INSERT INTO portal_searchentry_fts(rowid, body) VALUES (new.page_id, new.body);
    END""",
    """CREATE TRIGGER portal_searchentry_fts_delete AFTER DELETE ON portal_searchentry BEGIN
        INSERT INTO portal_searchentry_fts(portal_searchentry_fts, rowid, body)
            VALUES ('delete', old.page_id, old.body);
    END""",
    """CREATE TRIGGER portal_searchentry_fts_update AFTER UPDATE ON portal_searchentry BEGIN
        INSERT INTO portal_searchentry_fts(portal_searchentry_fts, rowid, body)
            VALUES ('delete', old.page_id, old.body);
        INSERT INTO portal_searchentry_fts(rowid, body) VALUES (new.page_id, new.body);
    END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS portal_searchentry_fts_insert",
    "DROP TRIGGER IF EXISTS portal_searchentry_fts_delete",
    "DROP TRIGGER IF EXISTS portal_searchentry_fts_update",
    "DROP TABLE IF EXISTS portal_searchentry_fts",
]


# The entry's tsvector, as `portal.search.query` matches it (config `simple`).
POSTGRESQL_CREATE = [
    """CREATE TRIGGER portal_searchentry_vector BEFORE INSERT OR UPDATE OF body ON portal_searchentry
        FOR EACH ROW EXECUTE FUNCTION tsvector_update_trigger(vector, 'pg_catalog.simple', body)""",
]
POSTGRESQL_DROP = ["DROP TRIGGER IF EXISTS portal_searchentry_vector ON portal_searchentry"]


def gin_index():
    return GinIndex(fields=["vector"], name=GIN_INDEX)


def create_fast_path(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{OLD_INDEX}"')
        for statement in POSTGRESQL_CREATE:
            schema_editor.execute(statement)
        schema_editor.add_index(apps.get_model("portal", "SearchEntry"), gin_index())
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop_fast_path(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("portal", "SearchEntry"), gin_index())
        for statement in POSTGRESQL_DROP:
            schema_editor.execute(statement)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


def build_entries(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    if Page.objects.filter(depth__gt=2).exists():
        from portal.search.indexing import rebuild_index

        rebuild_index()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_search_index_folds_kana"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntryText",
            fields=[
                ("rowid", models.IntegerField(db_column="rowid", primary_key=True, serialize=False)),
                ("body", models.TextField()),
            ],
            options={
                "db_table": "portal_searchentry_fts",
                "managed": False,
            },
        ),
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "page",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to=settings.WAGTAIL_PAGE_MODEL,
                        verbose_name="page",
                    ),
                ),
                ("body", models.TextField(verbose_name="segmented text")),
                ("vector", django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
            ],
            options={
                "verbose_name": "search entry",
                "verbose_name_plural": "search entries",
            },
        ),
        migrations.RunPython(create_fast_path, drop_fast_path, elidable=False),
        migrations.RunPython(build_entries, migrations.RunPython.noop, elidable=False),
    ]
