"""Give compliance editors the snippet permissions for question banks and quizzes."""

from django.db import migrations

GROUP = "compliance_editors"  # people.roles.COMPLIANCE_EDITORS
PERMISSIONS = {
    "questionbank": ["add", "change", "delete", "publish", "lock", "unlock"],
    "quiz": ["add", "change", "delete"],
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=GROUP)
    access_admin = Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin").first()
    if access_admin is not None:
        group.permissions.add(access_admin)
    for model, actions in PERMISSIONS.items():
        ct, _ = ContentType.objects.get_or_create(app_label="quizzes", model=model)
        for action in actions:
            # Wagtail and Django create these after migrating; create them now so the grant is complete.
            perm, _ = Permission.objects.get_or_create(
                content_type=ct, codename=f"{action}_{model}", defaults={"name": f"Can {action} {model}"}
            )
            group.permissions.add(perm)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="quizzes"))


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
