from django.db import migrations

# TaskWorker, SentMail and PeriodicJobRun now belong to the `infrastructure` app, which took them
# over (its 0001) with their tables; here they leave portal's state only, and no table is dropped.


class Migration(migrations.Migration):
    dependencies = [("portal", "0007_search_entry"), ("infrastructure", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="TaskWorker"),
                migrations.DeleteModel(name="SentMail"),
                migrations.DeleteModel(name="PeriodicJobRun"),
            ],
            database_operations=[],
        )
    ]
