"""Provable consent (GDPR Art. 7(1)): which text, which version, when, how; withdrawal as easy
as giving it."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .purposes import ConsentPurpose


class ConsentText(models.Model):
    """One version of the text a person agrees to. Never edited once used: a change is a new
    version."""

    purpose = models.CharField(_("purpose"), max_length=40, choices=ConsentPurpose.choices)
    version = models.PositiveIntegerField(_("version"))
    text_da = models.TextField(_("text (Danish)"))
    text_en = models.TextField(_("text (English)"))
    valid_for_months = models.PositiveIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("How long the consent lasts, where the text promises a duration."),
    )
    published_at = models.DateTimeField(_("published"))

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="consent_text_version"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version}"

    def text(self, language: str) -> str:
        return self.text_en if language == "en" else self.text_da


class ConsentRecord(models.Model):
    """One consent given by one person. When the person is deleted the record stays, linked only
    by ``subject_ref`` (their pseudonymous id), as proof until its own retention ends."""

    class Channel(models.TextChoices):
        WEB_FORM = "web_form", _("Web form")
        SELF_SERVICE = "self_service", _("Personal data page")
        EMAIL_LINK = "email_link", _("Link in an email")
        EMAIL = "email", _("Email")
        PAPER = "paper", _("On paper")
        PHONE = "phone", _("Phone")

    candidate = models.ForeignKey(
        "candidates.Candidate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("candidate"),
    )
    subscriber = models.ForeignKey(
        "customers.NewsletterSubscriber",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("newsletter subscriber"),
    )
    subject_ref = models.UUIDField(_("person (pseudonymous id)"), db_index=True)
    text = models.ForeignKey(
        ConsentText,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("consent text"),
    )
    given_at = models.DateTimeField(_("given"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=400, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal_channel = models.CharField(
        _("withdrawn through"), max_length=20, choices=Channel.choices, blank=True
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.text} ({self.given_at:%Y-%m-%d})"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
