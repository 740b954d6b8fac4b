import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

# The field of each authenticator type that allauth passes through MFAAdapter.encrypt().
SECRET_FIELDS = {"totp": "secret", "recovery_codes": "seed"}


def encrypt_existing_secrets(apps, schema_editor):
    """Secrets stored before people/adapters.py encrypted them are encrypted now, once."""
    from people.adapters import ENCRYPTED_PREFIX, MFAAdapter

    adapter = MFAAdapter()
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=SECRET_FIELDS):
        field = SECRET_FIELDS[authenticator.type]
        value = authenticator.data.get(field)
        if value and not value.startswith(ENCRYPTED_PREFIX):
            authenticator.data[field] = adapter.encrypt(value)
            authenticator.save(update_fields=["data"])


def decrypt_secrets(apps, schema_editor):
    from people.adapters import ENCRYPTED_PREFIX, MFAAdapter

    adapter = MFAAdapter()
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=SECRET_FIELDS):
        field = SECRET_FIELDS[authenticator.type]
        value = authenticator.data.get(field)
        if value and value.startswith(ENCRYPTED_PREFIX):
            authenticator.data[field] = adapter.decrypt(value)
            authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("mfa", "0003_authenticator_type_uniq"),
        ("people", "0004_site_administrator_permissions"),
    ]

    operations = [
        migrations.CreateModel(
            name="UsedTOTPStep",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("step", models.BigIntegerField()),
                ("used_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "authenticator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="mfa.authenticator"
                    ),
                ),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("authenticator", "step"), name="totp_step_used_once")],
            },
        ),
        migrations.RunPython(encrypt_existing_secrets, decrypt_secrets),
    ]
