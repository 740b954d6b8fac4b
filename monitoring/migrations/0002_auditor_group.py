from django.db import migrations


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="compliance_auditors")


def create_rules(apps, schema_editor):
    # Every rule exists from the start, switched on; auditors tune or switch them off.
    Rule = apps.get_model("monitoring", "Rule")
    for kind, params in [
        ("retail_views_non_public", {}),
        ("id_after_move", {}),
        ("shared_terminal", {}),
        ("burst", {"records": 100, "minutes": 60}),
        ("contractor_purpose", {}),
    ]:
        Rule.objects.get_or_create(kind=kind, defaults={"params": params})


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial"), ("people", "0002_role_groups")]

    operations = [
        migrations.RunPython(create_group, migrations.RunPython.noop),
        migrations.RunPython(create_rules, migrations.RunPython.noop),
    ]
