from django.db import migrations, models

# The models came from `portal` (its migrations 0003 and 0005 made the tables). This migration
# only takes them over in Django's state, under their old table names; 0002 renames the tables.


class Migration(migrations.Migration):
    initial = True

    dependencies = [("portal", "0007_search_entry")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TaskWorker",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("worker_id", models.CharField(max_length=64, unique=True, verbose_name="worker id")),
                        ("machine", models.CharField(max_length=255, verbose_name="machine")),
                        ("pid", models.PositiveIntegerField(verbose_name="process id")),
                        ("started_at", models.DateTimeField(verbose_name="started at")),
                        ("beat_at", models.DateTimeField(verbose_name="last heartbeat")),
                    ],
                    options={
                        "verbose_name": "task worker",
                        "verbose_name_plural": "task workers",
                        "db_table": "portal_taskworker",
                    },
                ),
                migrations.CreateModel(
                    name="SentMail",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("key", models.CharField(max_length=200, unique=True, verbose_name="key")),
                        ("sent_on", models.DateField(verbose_name="sent on")),
                    ],
                    options={
                        "verbose_name": "sent e-mail",
                        "verbose_name_plural": "sent e-mails",
                        "db_table": "portal_sentmail",
                    },
                ),
                migrations.CreateModel(
                    name="PeriodicJobRun",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("job", models.CharField(max_length=100, verbose_name="job")),
                        ("slot", models.DateTimeField(verbose_name="slot")),
                        ("started_at", models.DateTimeField(verbose_name="started at")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished at")),
                        ("succeeded", models.BooleanField(null=True, verbose_name="succeeded")),
                        ("output", models.TextField(blank=True, verbose_name="output")),
                    ],
                    options={
                        "verbose_name": "periodic job run",
                        "verbose_name_plural": "periodic job runs",
                        "db_table": "portal_periodicjobrun",
                        "constraints": [
                            models.UniqueConstraint(fields=("job", "slot"), name="portal_periodic_job_slot_once")
                        ],
                    },
                ),
            ],
            database_operations=[],
        )
    ]
