from django.db import migrations

MODELS = ["unit", "company", "employmenttype", "jobrole", "transfer"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; this migration needs them now.
    config = apps.get_app_config("people")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="site_administrators")
    wanted = [f"{action}_{model}" for model in MODELS for action in ("add", "change", "view")]
    group.permissions.add(*Permission.objects.filter(content_type__app_label="people", codename__in=wanted))


class Migration(migrations.Migration):
    dependencies = [("people", "0003_hr_import_job"), ("people", "0002_role_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
