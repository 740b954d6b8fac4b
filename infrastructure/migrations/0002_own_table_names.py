from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("infrastructure", "0001_initial"), ("portal", "0008_platform_models_to_infrastructure")]

    operations = [
        migrations.AlterModelTable(name="taskworker", table=None),
        migrations.AlterModelTable(name="sentmail", table=None),
        migrations.AlterModelTable(name="periodicjobrun", table=None),
    ]
