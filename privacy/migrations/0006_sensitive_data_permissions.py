from django.db import migrations

from privacy.roles import sync_role_groups


def sync(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0005_audit_trail_append_only")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
