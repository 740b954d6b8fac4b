from django.db import migrations, models


def write_entries_again(apps, schema_editor):
    """Entries written before this migration have no text as shown: write them all again.

    As 0007 does, this runs the indexing code of today on the pages of today (the text is derived
    from the pages, so there is nothing to migrate but to recompute); an empty database skips it.
    """
    Page = apps.get_model("wagtailcore", "Page")
    if Page.objects.filter(depth__gt=2).exists():
        from portal.search.indexing import rebuild_index

        rebuild_index()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0008_platform_models_to_infrastructure"),
    ]

    operations = [
        # Nullable: a NOT NULL column would make Django rebuild the table on SQLite and drop the
        # FTS triggers of 0007.
        migrations.AddField(
            model_name="searchentry",
            name="text",
            field=models.TextField(editable=False, null=True, verbose_name="text as shown"),
        ),
        migrations.RunPython(write_entries_again, migrations.RunPython.noop, elidable=True),
    ]
