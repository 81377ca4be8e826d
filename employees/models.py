"""Employees: temps and consultants, their assignments, payroll and absence (policy §10)."""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from privacy.fields import (
    BlindIndexedQuerySet,
    BlindIndexField,
    EncryptedCharField,
    EncryptedDecimalField,
    EncryptedTextField,
)
from privacy.models import PersonRecord
from privacy.person_search import PhoneKey
from serop.choices import EmploymentForm, Gender, Language
from serop.validators import (
    validate_account_no,
    validate_cpr,
    validate_phone,
    validate_postcode,
    validate_reg_no,
)


class Employee(PersonRecord):
    class IdDocument(models.TextChoices):
        PASSPORT = "passport", _("Passport")
        NATIONAL_ID = "national_id", _("National identity card")
        DRIVERS_LICENCE = "drivers_licence", _("Driving licence")
        RESIDENCE_CARD = "residence_card", _("Residence card")

    class WorkPermit(models.TextChoices):
        NOT_REQUIRED = "not_required", _("Not required (Danish, Nordic or EU/EEA citizen)")
        PAY_LIMIT = "pay_limit", _("Pay limit scheme")
        POSITIVE_LIST = "positive_list", _("Positive list")
        FAST_TRACK = "fast_track", _("Fast-track scheme")
        STUDENT = "student", _("Student (limited hours)")
        FAMILY = "family", _("Family reunification")
        OTHER = "other", _("Other residence and work permit")

    candidate = models.OneToOneField(
        "candidates.Candidate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
        verbose_name=_("CV-bank profile"),
    )
    employee_number = models.CharField(_("employee number"), max_length=20, unique=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=32, validators=[validate_phone])
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=4, validators=[validate_postcode])
    city = models.CharField(_("city"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DANISH
    )
    nationality = models.CharField(
        _("nationality"), max_length=2, help_text=_("ISO 3166 country code, e.g. DK")
    )
    cpr = EncryptedCharField(_("CPR number"), max_length=11, validators=[validate_cpr])
    cpr_index = BlindIndexField(source="cpr", normalizer="serop.validators.normalize_cpr")
    id_document_type = models.CharField(
        _("identity document"), max_length=20, choices=IdDocument.choices, blank=True
    )
    id_document_number = EncryptedCharField(
        _("identity document number"), max_length=50, blank=True
    )
    id_document_expires = models.DateField(_("identity document expires"), null=True, blank=True)
    work_permit_type = models.CharField(
        _("work permit"), max_length=20, choices=WorkPermit.choices, default=WorkPermit.NOT_REQUIRED
    )
    work_permit_expires = models.DateField(
        _("work permit expires"), null=True, blank=True, db_index=True
    )
    employment_form = models.CharField(
        _("employment form"), max_length=20, choices=EmploymentForm.choices
    )
    employment_start = models.DateField(_("employment start"))
    employment_end = models.DateField(_("employment end"), null=True, blank=True, db_index=True)
    shift_planning_username = models.CharField(
        _("shift-planning username (LESSOR)"), max_length=100, blank=True
    )
    # Blank so that an erasure request can empty them once the employment has ended (they are
    # held for the contract only, GDPR Art. 6(1)(b)). While it lasts, payroll needs them: the
    # admin form and the import require them (employees/bank_account.py).
    bank_reg_no = EncryptedCharField(
        _("bank registration number"), max_length=4, blank=True, validators=[validate_reg_no]
    )
    bank_account_no = EncryptedCharField(
        _("bank account number"), max_length=10, blank=True, validators=[validate_account_no]
    )
    pension_company = models.CharField(_("pension company"), max_length=100, blank=True)
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=200, blank=True)
    emergency_contact_phone = models.CharField(
        _("emergency contact phone"), max_length=32, blank=True, validators=[validate_phone]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # update(cpr=...) keeps cpr_index in step, as save() does.
    objects = BlindIndexedQuerySet.as_manager()

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["last_name", "first_name"]
        indexes = [  # for finding a person's records (privacy/person_search.py)
            models.Index(Lower("email"), name="employee_email_ci"),
            models.Index(PhoneKey("phone"), name="employee_phone_key"),
            models.Index(fields=["birth_date"], name="employee_birth_date"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.employee_number})"


class Assignment(models.Model):
    """A placement of an employee at a customer (policy §10.2)."""

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("employee")
    )
    company = models.ForeignKey(
        "customers.Company",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("customer"),
    )
    title = models.CharField(_("job title"), max_length=200)
    location = models.CharField(_("location"), max_length=200, blank=True)
    started_on = models.DateField(_("started"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=4, decimal_places=1, null=True, blank=True
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return f"{self.title} @ {self.company}"


class PayrollRecord(models.Model):
    """One payslip. Amounts are confidential: encrypted, and visible only to payroll."""

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="payslips", verbose_name=_("employee")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    paid_on = models.DateField(_("paid on"), db_index=True)
    hours = EncryptedDecimalField(_("hours"), max_digits=7, decimal_places=2)
    gross_pay = EncryptedDecimalField(_("gross pay"))
    am_contribution = EncryptedDecimalField(_("labour market contribution (AM-bidrag)"))
    a_tax = EncryptedDecimalField(_("income tax (A-skat)"))
    pension_employee = EncryptedDecimalField(_("pension, employee share"))
    pension_employer = EncryptedDecimalField(_("pension, employer share"))
    holiday_pay = EncryptedDecimalField(_("holiday pay"))
    net_pay = EncryptedDecimalField(_("net pay"))

    class Meta:
        verbose_name = _("payslip")
        verbose_name_plural = _("payslips")
        ordering = ["-paid_on"]

    def __str__(self) -> str:
        return f"{self.employee} {self.period_start:%Y-%m}"


class AbsenceRecord(models.Model):
    class Kind(models.TextChoices):
        SICK = "sick", _("Sickness")
        CHILD_SICK = "child_sick", _("Child's sickness")
        VACATION = "vacation", _("Vacation")
        PARENTAL = "parental", _("Parental leave")
        LEAVE = "leave", _("Other leave")

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="absences", verbose_name=_("employee")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    days = models.DecimalField(_("days"), max_digits=5, decimal_places=1)
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on:%Y-%m-%d}"
