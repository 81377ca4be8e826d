"""Decision letters are kept with their request: they lose the expiry they had been given
(access zips keep theirs)."""

from django.db import migrations, models


def keep_letters(apps, schema_editor):
    RequestExport = apps.get_model("privacy", "RequestExport")
    RequestExport.objects.filter(kind="decision").update(expires_at=None)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0011_privacy_notice"),
    ]

    operations = [
        migrations.AlterField(
            model_name="requestexport",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="deleted after"),
        ),
        migrations.RunPython(keep_letters, migrations.RunPython.noop),
    ]
