"""The breach register (GDPR Art. 33/34) and the daily holdings snapshot; the DPO role gets the
breach register's permissions (privacy/roles.py: the DPO has the whole privacy app)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from privacy.roles import sync_role_groups


def sync(apps, schema_editor):
    sync_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0009_payroll_does_not_see_candidates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HoldingSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("taken_on", models.DateField(db_index=True, verbose_name="date")),
                ("subject", models.CharField(max_length=40, verbose_name="category of people")),
                (
                    "category",
                    models.CharField(blank=True, max_length=40, verbose_name="category of data"),
                ),
                ("people", models.PositiveIntegerField(verbose_name="people")),
                ("records", models.PositiveIntegerField(verbose_name="records")),
            ],
            options={
                "verbose_name": "holdings snapshot",
                "verbose_name_plural": "holdings snapshots",
                "ordering": ["-taken_on", "subject", "category"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("taken_on", "subject", "category"),
                        name="one_snapshot_per_day_and_kind",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Breach",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        editable=False, max_length=20, unique=True, verbose_name="reference"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("description", models.TextField(verbose_name="what happened")),
                (
                    "occurred_from",
                    models.DateTimeField(
                        blank=True,
                        help_text="Leave empty if not known.",
                        null=True,
                        verbose_name="happened from",
                    ),
                ),
                (
                    "occurred_until",
                    models.DateTimeField(
                        blank=True,
                        help_text="Leave empty if not known.",
                        null=True,
                        verbose_name="happened until",
                    ),
                ),
                (
                    "aware_at",
                    models.DateTimeField(
                        db_index=True,
                        help_text="The 72-hour deadline for notifying Datatilsynet runs from this moment.",
                        verbose_name="SEROP became aware",
                    ),
                ),
                ("discovery", models.TextField(blank=True, verbose_name="how it was discovered")),
                (
                    "confidentiality",
                    models.BooleanField(
                        default=False,
                        help_text="Data disclosed to or accessed by someone not entitled to it.",
                        verbose_name="breach of confidentiality",
                    ),
                ),
                (
                    "integrity",
                    models.BooleanField(
                        default=False,
                        help_text="Data altered without permission.",
                        verbose_name="breach of integrity",
                    ),
                ),
                (
                    "availability",
                    models.BooleanField(
                        default=False,
                        help_text="Data lost or made unavailable.",
                        verbose_name="breach of availability",
                    ),
                ),
                (
                    "data_categories",
                    models.JSONField(blank=True, default=list, verbose_name="categories of data"),
                ),
                (
                    "subject_types",
                    models.JSONField(blank=True, default=list, verbose_name="categories of people"),
                ),
                (
                    "people_computed",
                    models.PositiveIntegerField(
                        blank=True, editable=False, null=True, verbose_name="people (counted)"
                    ),
                ),
                (
                    "records_computed",
                    models.PositiveIntegerField(
                        blank=True, editable=False, null=True, verbose_name="records (counted)"
                    ),
                ),
                (
                    "counts_detail",
                    models.JSONField(
                        default=dict, editable=False, verbose_name="counted per record type"
                    ),
                ),
                (
                    "counted_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="counted"
                    ),
                ),
                (
                    "people_estimate",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="Overrides the count, e.g. when only some of the records were affected.",
                        null=True,
                        verbose_name="people (estimate)",
                    ),
                ),
                (
                    "records_estimate",
                    models.PositiveIntegerField(
                        blank=True, null=True, verbose_name="records (estimate)"
                    ),
                ),
                (
                    "estimate_note",
                    models.TextField(blank=True, verbose_name="basis of the estimate"),
                ),
                ("consequences", models.TextField(blank=True, verbose_name="likely consequences")),
                ("measures_taken", models.TextField(blank=True, verbose_name="measures taken")),
                (
                    "measures_proposed",
                    models.TextField(blank=True, verbose_name="measures proposed"),
                ),
                (
                    "cross_border",
                    models.BooleanField(
                        default=False, verbose_name="people in other EU/EEA countries affected"
                    ),
                ),
                (
                    "cross_border_details",
                    models.TextField(blank=True, verbose_name="cross-border details"),
                ),
                (
                    "authority_decision",
                    models.CharField(
                        choices=[
                            ("pending", "Not decided yet"),
                            ("notify", "Yes: notify"),
                            ("not_notify", "No: do not notify"),
                        ],
                        db_index=True,
                        default="pending",
                        max_length=12,
                        verbose_name="notify Datatilsynet",
                    ),
                ),
                (
                    "authority_decided_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="decision recorded"
                    ),
                ),
                (
                    "authority_reason",
                    models.TextField(blank=True, verbose_name="reason for the decision"),
                ),
                (
                    "authority_notified_at",
                    models.DateTimeField(
                        blank=True, null=True, verbose_name="Datatilsynet notified"
                    ),
                ),
                (
                    "authority_reference",
                    models.CharField(
                        blank=True, max_length=100, verbose_name="Datatilsynet's reference"
                    ),
                ),
                (
                    "late_reason",
                    models.TextField(
                        blank=True,
                        help_text="Required when Datatilsynet is notified after the deadline (Art. 33(1)).",
                        verbose_name="reason for notifying after 72 hours",
                    ),
                ),
                (
                    "subjects_decision",
                    models.CharField(
                        choices=[
                            ("pending", "Not decided yet"),
                            ("notify", "Yes: notify"),
                            ("not_notify", "No: do not notify"),
                        ],
                        default="pending",
                        max_length=12,
                        verbose_name="notify the people affected",
                    ),
                ),
                (
                    "subjects_reason",
                    models.TextField(blank=True, verbose_name="reason for the decision (people)"),
                ),
                (
                    "subjects_notified_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="people notified"),
                ),
                (
                    "subjects_notification_method",
                    models.TextField(blank=True, verbose_name="how the people were told"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("closed", "Closed")],
                        db_index=True,
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "closed_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="closed"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="recorded"
                    ),
                ),
                (
                    "reminded_24h_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="24-hour reminder sent"
                    ),
                ),
                (
                    "reminded_48h_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="48-hour reminder sent"
                    ),
                ),
                (
                    "reminded_overdue_at",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="overdue reminder sent"
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recorded by",
                    ),
                ),
                (
                    "handler",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="handler",
                    ),
                ),
            ],
            options={
                "verbose_name": "personal data breach",
                "verbose_name_plural": "personal data breaches",
                "ordering": ["-aware_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("occurred_until__isnull", True),
                            ("occurred_from__isnull", True),
                            ("occurred_until__gte", models.F("occurred_from")),
                            _connector="OR",
                        ),
                        name="breach_ends_after_it_starts",
                    )
                ],
            },
        ),
        migrations.RunPython(sync, migrations.RunPython.noop),
    ]
