"""Webshop orders become person records, step 3 of 3: every order now has its own
``public_id``; new ones get a random one, and it is unique and required like every person's."""

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0006_webshoporder_fill_public_id"),
    ]

    operations = [
        migrations.AlterField(
            model_name="webshoporder",
            name="public_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="public id"
            ),
        ),
    ]
