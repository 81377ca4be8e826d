"""The privacy notice's versions (privacy/models/notice.py); the DPO role gets their permissions
(privacy/roles.py: the DPO has the whole privacy app). No version is published here: until the
DPO publishes version 1, the public page shows the generated draft, marked as such."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from privacy.roles import sync_role_groups


def sync(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0010_breach_register"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PrivacyNoticeVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        editable=False, unique=True, verbose_name="version"
                    ),
                ),
                ("content_da", models.TextField(editable=False, verbose_name="content (Danish)")),
                ("content_en", models.TextField(editable=False, verbose_name="content (English)")),
                ("published_at", models.DateTimeField(editable=False, verbose_name="published")),
                (
                    "is_current",
                    models.BooleanField(default=True, editable=False, verbose_name="current"),
                ),
                (
                    "archived_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="archived"
                    ),
                ),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="published by",
                    ),
                ),
            ],
            options={
                "verbose_name": "privacy notice version",
                "verbose_name_plural": "privacy notice versions",
                "ordering": ["-version"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("is_current", True)),
                        fields=("is_current",),
                        name="privacy_notice_one_current",
                    )
                ],
            },
        ),
        migrations.RunPython(sync, migrations.RunPython.noop),
    ]
