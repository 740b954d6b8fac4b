# Units move to a treebeard materialised path (0006-0008). Each step is its own migration, so on
# PostgreSQL the rows rewritten in 0007 are committed before 0008 alters the table they are in.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_mfa_secrets_encrypted_totp_steps_used"),
    ]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="depth",
            field=models.PositiveIntegerField(default=1),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="unit",
            name="numchild",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
