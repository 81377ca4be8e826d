from django.db import migrations

from privacy.processors import PROCESSOR_SEED


def seed(apps, schema_editor):
    Processor = apps.get_model("privacy", "Processor")
    for row in PROCESSOR_SEED:
        Processor.objects.update_or_create(key=row["key"], defaults={**row})


def unseed(apps, schema_editor):
    Processor = apps.get_model("privacy", "Processor")
    Processor.objects.filter(key__in=[row["key"] for row in PROCESSOR_SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
