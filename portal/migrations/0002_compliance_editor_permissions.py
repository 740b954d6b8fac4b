"""Compliance editors edit and publish every page, and use the image and document libraries.

Wagtail grants page rights per page subtree; granting them on the root covers the whole site.
"""

from django.db import migrations

PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document"],
}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    group, _ = Group.objects.get_or_create(name="compliance_editors")
    root = Page.objects.filter(depth=1).first()
    if root:
        for codename in PAGE_PERMISSIONS:
            permission = Permission.objects.filter(content_type__app_label="wagtailcore", codename=codename).first()
            if permission:
                GroupPagePermission.objects.get_or_create(group=group, page=root, permission=permission)
    collection = Collection.objects.filter(depth=1).first()
    if collection:
        for app_label, codenames in COLLECTION_PERMISSIONS.items():
            for permission in Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames):
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=collection, permission=permission
                )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("people", "0002_role_groups"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
