"""The breach register (GDPR Art. 33/34) and the daily count of the personal data SEROP holds.

Every breach is recorded, notified or not (Art. 33(5)): what happened, when SEROP became aware,
the 72-hour clock from that moment, the data and people affected, the consequences, the measures
and the two decisions (tell Datatilsynet, tell the people). Writes go through privacy/breaches.py.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# GDPR Art. 33(1): "without undue delay and, where feasible, not later than 72 hours after
# having become aware of it". Real hours: the clock ignores daylight-saving changes.
NOTIFICATION_HOURS = 72


def notification_deadline(aware_at: datetime) -> datetime:
    """``aware_at`` plus exactly 72 hours, as an instant in UTC.

    Adding a timedelta to a datetime in Europe/Copenhagen adds wall-clock time (71 or 73 real
    hours across a DST change); in UTC it adds real time."""
    return aware_at.astimezone(UTC) + timedelta(hours=NOTIFICATION_HOURS)


class Breach(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Not decided yet")
        NOTIFY = "notify", _("Yes: notify")
        NOT_NOTIFY = "not_notify", _("No: do not notify")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"))
    # --- time line ---
    occurred_from = models.DateTimeField(
        _("happened from"), null=True, blank=True, help_text=_("Leave empty if not known.")
    )
    occurred_until = models.DateTimeField(
        _("happened until"), null=True, blank=True, help_text=_("Leave empty if not known.")
    )
    aware_at = models.DateTimeField(
        _("SEROP became aware"),
        db_index=True,
        help_text=_("The 72-hour deadline for notifying Datatilsynet runs from this moment."),
    )
    discovery = models.TextField(_("how it was discovered"), blank=True)
    # --- nature (the three security properties of Art. 32(1)(b)) ---
    confidentiality = models.BooleanField(
        _("breach of confidentiality"),
        default=False,
        help_text=_("Data disclosed to or accessed by someone not entitled to it."),
    )
    integrity = models.BooleanField(
        _("breach of integrity"), default=False, help_text=_("Data altered without permission.")
    )
    availability = models.BooleanField(
        _("breach of availability"), default=False, help_text=_("Data lost or made unavailable.")
    )
    # --- what and who: keys of privacy.taxonomy.Category and Subject ---
    data_categories = models.JSONField(_("categories of data"), default=list, blank=True)
    subject_types = models.JSONField(_("categories of people"), default=list, blank=True)
    people_computed = models.PositiveIntegerField(
        _("people (counted)"), null=True, blank=True, editable=False
    )
    records_computed = models.PositiveIntegerField(
        _("records (counted)"), null=True, blank=True, editable=False
    )
    counts_detail = models.JSONField(_("counted per record type"), default=dict, editable=False)
    counted_at = models.DateTimeField(_("counted"), null=True, blank=True, editable=False)
    people_estimate = models.PositiveIntegerField(
        _("people (estimate)"),
        null=True,
        blank=True,
        help_text=_("Overrides the count, e.g. when only some of the records were affected."),
    )
    records_estimate = models.PositiveIntegerField(_("records (estimate)"), null=True, blank=True)
    estimate_note = models.TextField(_("basis of the estimate"), blank=True)
    # --- assessment and measures ---
    consequences = models.TextField(_("likely consequences"), blank=True)
    measures_taken = models.TextField(_("measures taken"), blank=True)
    measures_proposed = models.TextField(_("measures proposed"), blank=True)
    cross_border = models.BooleanField(
        _("people in other EU/EEA countries affected"), default=False
    )
    cross_border_details = models.TextField(_("cross-border details"), blank=True)
    # --- Art. 33: Datatilsynet ---
    authority_decision = models.CharField(
        _("notify Datatilsynet"),
        max_length=12,
        choices=Decision.choices,
        default=Decision.PENDING,
        db_index=True,
    )
    authority_decided_at = models.DateTimeField(
        _("decision recorded"), null=True, blank=True, editable=False
    )
    authority_reason = models.TextField(_("reason for the decision"), blank=True)
    authority_notified_at = models.DateTimeField(_("Datatilsynet notified"), null=True, blank=True)
    authority_reference = models.CharField(
        _("Datatilsynet's reference"), max_length=100, blank=True
    )
    late_reason = models.TextField(
        _("reason for notifying after 72 hours"),
        blank=True,
        help_text=_("Required when Datatilsynet is notified after the deadline (Art. 33(1))."),
    )
    # --- Art. 34: the people affected ---
    subjects_decision = models.CharField(
        _("notify the people affected"),
        max_length=12,
        choices=Decision.choices,
        default=Decision.PENDING,
    )
    subjects_reason = models.TextField(_("reason for the decision (people)"), blank=True)
    subjects_notified_at = models.DateTimeField(_("people notified"), null=True, blank=True)
    subjects_notification_method = models.TextField(_("how the people were told"), blank=True)
    # --- handling ---
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handler"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        editable=False,
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)
    # Reminders (privacy/breach_tasks.py), each sent once.
    reminded_24h_at = models.DateTimeField(
        _("24-hour reminder sent"), null=True, blank=True, editable=False
    )
    reminded_48h_at = models.DateTimeField(
        _("48-hour reminder sent"), null=True, blank=True, editable=False
    )
    reminded_overdue_at = models.DateTimeField(
        _("overdue reminder sent"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("personal data breach")
        verbose_name_plural = _("personal data breaches")
        ordering = ["-aware_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_until__isnull=True)
                | Q(occurred_from__isnull=True)
                | Q(occurred_until__gte=models.F("occurred_from")),
                name="breach_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def deadline(self) -> datetime:
        return notification_deadline(self.aware_at)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def decided(self) -> bool:
        return self.authority_decision != self.Decision.PENDING

    def time_left(self, now: datetime | None = None) -> timedelta:
        """Until the deadline; negative once it has passed."""
        return self.deadline - (now or timezone.now())

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Past the deadline without a decision on notifying Datatilsynet."""
        return not self.decided and self.time_left(now) < timedelta(0)

    @property
    def notified_late(self) -> bool:
        return self.authority_notified_at is not None and self.authority_notified_at > self.deadline

    @property
    def people(self) -> int | None:
        """The number reported: the estimate where given, else the count."""
        return self.people_estimate if self.people_estimate is not None else self.people_computed

    @property
    def records(self) -> int | None:
        if self.records_estimate is not None:
            return self.records_estimate
        return self.records_computed


class HoldingSnapshot(models.Model):
    """How many people (and records) SEROP held on one day, per subject type and data category;
    ``category`` "" is the subject type's total over all categories (people counted once)."""

    taken_on = models.DateField(_("date"), db_index=True)
    subject = models.CharField(_("category of people"), max_length=40)
    category = models.CharField(_("category of data"), max_length=40, blank=True)
    people = models.PositiveIntegerField(_("people"))
    records = models.PositiveIntegerField(_("records"))

    class Meta:
        verbose_name = _("holdings snapshot")
        verbose_name_plural = _("holdings snapshots")
        ordering = ["-taken_on", "subject", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["taken_on", "subject", "category"], name="one_snapshot_per_day_and_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.taken_on} {self.subject} {self.category or '*'}"
