"""Webshop orders become person records (privacy.PersonRecord), step 1 of 3: the restriction
fields, and ``public_id`` as a nullable column without a default. A callable default is
evaluated once when a column is added, which would give every existing order the same id:
0006 fills a distinct one per row, 0007 makes it required and unique."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0004_newsletter_issue"),
    ]

    operations = [
        migrations.AddField(
            model_name="webshoporder",
            name="public_id",
            field=models.UUIDField(editable=False, null=True, verbose_name="public id"),
        ),
        migrations.AddField(
            model_name="webshoporder",
            name="is_restricted",
            field=models.BooleanField(
                db_index=True,
                default=False,
                editable=False,
                verbose_name="restricted (GDPR Art. 18)",
            ),
        ),
        migrations.AddField(
            model_name="webshoporder",
            name="restricted_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="restricted at"
            ),
        ),
        migrations.AddField(
            model_name="webshoporder",
            name="restriction_reason",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=300,
                verbose_name="restriction reason",
            ),
        ),
    ]
