"""What the retention engine records: legal holds that block it, each run, the tombstones that
prove a deletion, and the notices sent before a CV-bank profile expires."""

import uuid
from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .rules import RULES

RULE_CHOICES = [(key, rule.label) for key, rule in RULES.items()]


class LegalHoldQuerySet(models.QuerySet):
    def active(self, on: date | None = None) -> "LegalHoldQuerySet":
        """Holds in force on ``on`` (today by default)."""
        today = on or timezone.localdate()
        return self.filter(lifted_at__isnull=True).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today)
        )


class LegalHold(models.Model):
    """Blocks purges and erasure of a person (all their records) or of one record, until it is
    lifted or ends: a complaint, a dispute, an authority's request, a lawsuit."""

    subject_ref = models.UUIDField(
        _("person (pseudonymous id)"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Holds every record of this person."),
    )
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("record type"),
    )
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_ref__isnull=False)
                | (Q(content_type__isnull=False) & ~Q(object_id="")),
                name="legal_hold_has_a_target",
            ),
        ]

    def __str__(self) -> str:
        return self.reason


class RetentionRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        REFUSED = "refused", _("Refused: already running")

    rule = models.CharField(_("rule"), max_length=40, choices=RULE_CHOICES, db_index=True)
    as_of = models.DateField(_("as of"))
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expected = models.PositiveIntegerField(_("expected"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    counts = models.JSONField(_("rows per model"), default=dict, blank=True)
    files_removed = models.PositiveIntegerField(_("files removed"), default=0)
    errors = models.TextField(_("errors"), blank=True)
    triggered_by = models.CharField(_("triggered by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.rule} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class RetentionBatch(models.Model):
    """One batch of a run: the expired rows of one of the rule's targets whose primary key lies
    in ``(after, upto]``. The run plans its batches before it starts; each is processed once, in
    one transaction, by the run itself or by a Celery worker helping it (retention/batches.py).
    A batch being processed is locked (``FOR UPDATE``): a worker that dies releases it, and it is
    pending again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped: the run stopped first")

    run = models.ForeignKey(
        RetentionRun, on_delete=models.CASCADE, related_name="batches", verbose_name=_("run")
    )
    target = models.PositiveSmallIntegerField(_("target"))  # index in the rule's targets
    after = models.JSONField(_("after id"), null=True, blank=True)  # exclusive; None: the start
    upto = models.JSONField(_("up to id"))  # inclusive
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    processed = models.PositiveIntegerField(_("processed"), default=0)
    worker = models.CharField(_("processed by"), max_length=200, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    # Files of the batch's rows still to remove: set with its commit, back to 0 once they have
    # been removed after it. Left above 0, the process died between the two (an orphan).
    files_pending = models.PositiveIntegerField(_("files still to remove"), default=0)

    class Meta:
        verbose_name = _("retention batch")
        verbose_name_plural = _("retention batches")
        ordering = ["run", "pk"]
        indexes = [
            models.Index(
                fields=["run"], condition=Q(status="pending"), name="retention_batch_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.pk}"


class Tombstone(models.Model):
    """Proof that a person's data was deleted, without any of it."""

    subject_ref = models.UUIDField(_("person (pseudonymous id)"), db_index=True)
    model = models.CharField(_("record type"), max_length=100)
    rule = models.CharField(_("rule"), max_length=40)
    deleted_at = models.DateTimeField(_("deleted"), default=timezone.now, db_index=True)
    run = models.ForeignKey(
        RetentionRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tombstones",
        verbose_name=_("run"),
    )

    class Meta:
        verbose_name = _("tombstone")
        verbose_name_plural = _("tombstones")
        ordering = ["-deleted_at"]

    def __str__(self) -> str:
        return f"{self.model} {self.subject_ref}"


class DeletionNotice(models.Model):
    """A notice that a CV-bank profile will be deleted, with a link to keep it. Sending is
    recorded; a bounced or unanswered notice does not stop the deletion."""

    candidate = models.ForeignKey(
        "candidates.Candidate",
        on_delete=models.CASCADE,
        related_name="deletion_notices",
        verbose_name=_("candidate"),
    )
    token_id = models.UUIDField(_("link id"), default=uuid.uuid4, unique=True, editable=False)
    expires_on = models.DateField(_("profile expires"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=2)
    used_at = models.DateTimeField(_("kept the profile at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deletion notice")
        verbose_name_plural = _("deletion notices")
        ordering = ["-expires_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "expires_on"], name="one_notice_per_expiry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.expires_on}"
