"""Data-subject requests (GDPR Art. 12-22): what the DPO receives, verifies, answers and proves."""

from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serop.choices import Language
from serop.storage import PrivateUploadPath


def answer_due(received: date, *, months: int = 1) -> date:
    """GDPR Art. 12(3): one calendar month from receipt; where that month has no such day, its
    last day (31 January -> 28 or 29 February). ``months`` > 1 for an extended deadline."""
    return received + relativedelta(months=months)


class SubjectRequest(models.Model):
    class Kind(models.TextChoices):
        ACCESS = "access", _("Access (Art. 15)")
        PORTABILITY = "portability", _("Data portability (Art. 20)")
        ERASURE = "erasure", _("Erasure (Art. 17)")
        RECTIFICATION = "rectification", _("Rectification (Art. 16)")
        RESTRICTION = "restriction", _("Restriction (Art. 18)")
        OBJECTION = "objection", _("Objection (Art. 21)")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        LETTER = "letter", _("Letter")
        SELF_SERVICE = "self_service", _("Personal data page")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        VERIFIED = "verified", _("Identity verified")
        ANSWERED = "answered", _("Answered")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Verification(models.TextChoices):
        EMAIL_ON_FILE = "email_on_file", _("Answered from the email address on file")
        ID_DOCUMENT = "id_document", _("Identity document seen")
        MITID = "mitid", _("MitID")
        PHONE_CALLBACK = "phone_callback", _("Called back on the number on file")
        MAGIC_LINK = "magic_link", _("Signed in to the personal data page")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("request"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("received by"), max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    requester_name = models.CharField(_("name"), max_length=200)
    requester_email = models.EmailField(_("email"), blank=True)
    requester_phone = models.CharField(_("phone"), max_length=32, blank=True)
    requester_details = models.TextField(
        _("details given"),
        blank=True,
        help_text=_("What the person wrote, and anything that helps find their data."),
    )
    language = models.CharField(
        _("language of the answer"), max_length=2, choices=Language.choices, default=Language.DANISH
    )
    verification_method = models.CharField(
        _("identity verified by"), max_length=20, choices=Verification.choices, blank=True
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handler"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    due_on = models.DateField(_("answer due"), db_index=True, editable=False)
    extended_to = models.DateField(_("extended to"), null=True, blank=True, editable=False)
    extension_reason = models.TextField(_("reason for the extension"), blank=True, editable=False)
    extension_notified_at = models.DateTimeField(
        _("person told of the extension"), null=True, blank=True, editable=False
    )
    outcome = models.TextField(_("outcome"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("subject request")
        verbose_name_plural = _("subject requests")
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(extended_to__isnull=True) | Q(extended_to__gt=models.F("due_on")),
                name="extension_after_due_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()}"

    @property
    def deadline(self) -> date:
        return self.extended_to or self.due_on

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def is_overdue(self, today: date | None = None) -> bool:
        return self.is_open and (today or timezone.localdate()) > self.deadline


class RequestMatch(models.Model):
    """A record found for the request; the DPO confirms which belong to the person."""

    request = models.ForeignKey(
        SubjectRequest, on_delete=models.CASCADE, related_name="matches", verbose_name=_("request")
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("record type")
    )
    object_id = models.CharField(_("record id"), max_length=64)
    label = models.CharField(_("record"), max_length=300)
    confirmed = models.BooleanField(_("belongs to the person"), default=False)

    class Meta:
        verbose_name = _("matching record")
        verbose_name_plural = _("matching records")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "content_type", "object_id"], name="one_match_per_record"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def record(self) -> models.Model | None:
        model = self.content_type.model_class()
        if model is None:
            return None
        return model._default_manager.filter(pk=self.object_id).first()


class RecipientNotice(models.Model):
    """GDPR Art. 19: a processor or recipient to be told of an erasure, rectification or
    restriction, ticked off by the DPO."""

    request = models.ForeignKey(
        SubjectRequest,
        on_delete=models.CASCADE,
        related_name="recipients",
        verbose_name=_("request"),
    )
    processor = models.ForeignKey(
        "privacy.Processor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("processor"),
    )
    company = models.ForeignKey(
        "customers.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("customer"),
    )
    notified_at = models.DateTimeField(_("told"), null=True, blank=True)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("told by"),
    )

    class Meta:
        verbose_name = _("recipient to tell")
        verbose_name_plural = _("recipients to tell (Art. 19)")
        constraints = [
            models.CheckConstraint(
                condition=Q(processor__isnull=False) | Q(company__isnull=False),
                name="recipient_is_processor_or_customer",
            ),
        ]

    def __str__(self) -> str:
        return str(self.processor or self.company)


class RequestExport(models.Model):
    """A generated answer, stored privately: an access zip, deleted after its expiry, or a
    decision letter (PDF), kept as long as the request itself."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access and portability export (zip)")
        DECISION = "decision", _("Decision letter (PDF)")

    request = models.ForeignKey(
        SubjectRequest, on_delete=models.CASCADE, related_name="exports", verbose_name=_("request")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(
        _("file"), upload_to=PrivateUploadPath("requests"), max_length=255, blank=True
    )
    status = models.CharField(_("status"), max_length=10, default="pending")
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Access zips are deleted after SUBJECT_EXPORT_DAYS; decision letters (None) are the proof
    # of how the request was answered and go with the request under its own retention rule.
    expires_at = models.DateTimeField(_("deleted after"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    downloads = models.PositiveIntegerField(_("downloads"), default=0)

    class Meta:
        verbose_name = _("request export")
        verbose_name_plural = _("request exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.request.reference} {self.get_kind_display()}"

    def is_expired(self, now: datetime | None = None) -> bool:
        """Past its expiry (an access zip); a decision letter never expires on its own."""
        return self.expires_at is not None and (now or timezone.now()) >= self.expires_at
