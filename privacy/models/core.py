import uuid
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Processor(models.Model):
    """A processor or recipient of personal data (the processor register, GDPR Art. 28/30).

    Data, not code: the DPO keeps contracts and transfer safeguards up to date in the admin.
    Registry declarations refer to a processor by its stable ``key``.
    """

    class Role(models.TextChoices):
        PROCESSOR = "processor", _("Processor")
        INDEPENDENT_CONTROLLER = "independent_controller", _("Independent controller")
        JOINT_CONTROLLER = "joint_controller", _("Joint controller")
        SOFTWARE = "software", _("Software run by SEROP (no separate processor)")

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    service = models.CharField(_("service"), max_length=300)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code"))
    third_country_transfer = models.BooleanField(_("transfer outside the EU/EEA"), default=False)
    transfer_safeguard = models.CharField(
        _("transfer safeguard"),
        max_length=300,
        blank=True,
        help_text=_("e.g. adequacy decision, standard contractual clauses"),
    )
    dpa_reference = models.CharField(
        _("data processing agreement reference"), max_length=200, blank=True
    )
    dpa_signed_on = models.DateField(_("data processing agreement date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("processor")
        verbose_name_plural = _("processors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PersonRecord(models.Model):
    """Base of every model whose row is a person (candidate, employee, contact, subscriber...).

    ``public_id`` is the stable pseudonymous id that audit entries, tombstones and subject
    requests use instead of names. ``is_restricted`` is GDPR Art. 18 restriction: a restricted
    record is hidden from every role but the DPO and excluded from all processing.
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    is_restricted = models.BooleanField(
        _("restricted (GDPR Art. 18)"), default=False, db_index=True, editable=False
    )
    restricted_at = models.DateTimeField(_("restricted at"), null=True, blank=True, editable=False)
    restriction_reason = models.CharField(
        _("restriction reason"), max_length=300, blank=True, editable=False
    )

    class Meta:
        abstract = True


class SensitiveData(models.Model):
    """Carries the permissions that open sensitive fields (privacy/access.py); no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_confidential", _("Can see confidential data (CPR, bank, payroll)")),
            ("view_special_category", _("Can see special-category data (health)")),
            ("view_criminal_record", _("Can see criminal-record data")),
            ("reveal_cpr", _("Can reveal a whole CPR number")),
            ("view_restricted", _("Can see restricted records (GDPR Art. 18)")),
        ]
        verbose_name = _("sensitive data")
        verbose_name_plural = _("sensitive data")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise PermissionError("The audit trail is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit trail is append-only; retention expires old entries")


class AuditEntry(models.Model):
    """One entry of the append-only audit trail (GDPR Art. 5(2)).

    Never holds a confidential value: changes of confidential fields are recorded by field name
    only. Persons appear by their pseudonymous ``subject_ref``, staff by id and username. On
    PostgreSQL a trigger refuses UPDATE and DELETE except inside the retention job
    (privacy/audit.py, ``purge_audit_entries``).
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        CREATE = "create", _("Created")
        CHANGE = "change", _("Changed")
        DELETE = "delete", _("Deleted")
        REVEAL = "reveal", _("Revealed a confidential value")
        EXPORT = "export", _("Exported")
        IMPORT = "import", _("Imported")
        DISCLOSE = "disclose", _("Disclosed to a customer")
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKED_OUT = "locked_out", _("Locked out")
        OTP_FAILED = "otp_failed", _("Wrong second factor")
        OTP_ENROLLED = "otp_enrolled", _("Set up a second factor")
        PURGE = "purge", _("Deleted by retention")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True, editable=False)
    actor_id = models.IntegerField(_("staff id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("staff member"), max_length=150, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("record type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    subject_ref = models.UUIDField(
        _("person (pseudonymous id)"), null=True, blank=True, db_index=True
    )
    fields = models.JSONField(_("fields"), default=list, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username or '-'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: an entry is written once (a guard, not business logic).
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("The audit trail is append-only; retention expires old entries")
