from django.db import migrations

from privacy.roles import sync_role_groups


def sync(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0006_sensitive_data_permissions"),
        ("otp_totp", "0003_add_timestamps"),
        ("axes", "0010_accessattemptexpiration"),
    ]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
