from django.db import migrations

ROLE_GROUPS = [
    "compliance_editors",
    "training_administrators",
    "enquiry_responders",
    "designated_handlers",
    "site_administrators",
    "managers",
]
# Wagtail admin access for the roles that work there.
ADMIN_ROLES = ["compliance_editors", "training_administrators", "site_administrators"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    admin_ct, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access_admin, _ = Permission.objects.get_or_create(
        content_type=admin_ct, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    for name in ROLE_GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        if name in ADMIN_ROLES:
            group.permissions.add(access_admin)


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial"), ("wagtailadmin", "0001_create_admin_access_permissions")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
