"""Webshop orders become person records, step 2 of 3: a distinct random ``public_id`` for every
existing order, in chunks (one UPDATE per chunk, not one per row)."""

import uuid

from django.db import migrations

CHUNK = 2000


def fill_public_ids(apps, schema_editor):
    WebshopOrder = apps.get_model("customers", "WebshopOrder")
    rows = WebshopOrder._base_manager.filter(public_id__isnull=True)
    while True:
        pks = list(rows.order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not pks:
            return
        WebshopOrder._base_manager.bulk_update(
            [WebshopOrder(pk=pk, public_id=uuid.uuid4()) for pk in pks], ["public_id"]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0005_webshoporder_person_record"),
    ]

    operations = [
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop, elidable=True),
    ]
