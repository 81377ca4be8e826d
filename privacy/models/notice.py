from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PrivacyNoticeVersion(models.Model):
    """One published version of the public privacy notice, as rendered when it was published
    (privacy/notice.py). The current one is on /privatlivspolitik; the ones before are archived
    with the date they were replaced and stay readable by the DPO."""

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    content_da = models.TextField(_("content (Danish)"), editable=False)
    content_en = models.TextField(_("content (English)"), editable=False)
    published_at = models.DateTimeField(_("published"), editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    is_current = models.BooleanField(_("current"), default=True, editable=False)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("privacy notice version")
        verbose_name_plural = _("privacy notice versions")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="privacy_notice_one_current",
            )
        ]

    def __str__(self) -> str:
        return str(_("Privacy notice, version %(version)s") % {"version": self.version})

    def content(self, language: str) -> str:
        return self.content_en if language == "en" else self.content_da
