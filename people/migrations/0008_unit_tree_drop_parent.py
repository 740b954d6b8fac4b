from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_unit_tree_paths"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="unit",
            name="parent",
        ),
        migrations.AlterField(
            model_name="unit",
            name="path",
            field=models.CharField(max_length=255, unique=True),
        ),
    ]
