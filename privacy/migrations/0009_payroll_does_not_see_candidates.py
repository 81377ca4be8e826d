from django.db import migrations

from privacy.roles import sync_role_groups


def sync(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0008_subject_requests")]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
