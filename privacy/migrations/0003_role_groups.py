from django.db import migrations

from privacy.roles import sync_role_groups


def sync(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0002_seed_processors"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("candidates", "0001_initial"),
        ("employees", "0001_initial"),
        ("customers", "0001_initial"),
        ("consents", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(sync, migrations.RunPython.noop)]
