from django.db import migrations

from privacy.roles import sync_role_groups


def sync(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0001_initial"),
        ("privacy", "0009_payroll_does_not_see_candidates"),
    ]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
