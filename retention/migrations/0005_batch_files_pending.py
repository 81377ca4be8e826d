from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0004_accountability_rules"),
    ]

    operations = [
        migrations.AddField(
            model_name="retentionbatch",
            name="files_pending",
            field=models.PositiveIntegerField(default=0, verbose_name="files still to remove"),
        ),
    ]
