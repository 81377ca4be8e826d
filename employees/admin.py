"""Employees in the admin. Encrypted values (CPR, bank, identity document, payroll amounts,
absence notes) cannot be searched, filtered or sorted, so they appear on change forms only; a
CPR search will go through the blind index."""

from contextvars import ContextVar
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from privacy import access
from privacy.admin_mixins import PersonalDataAdmin, PersonalDataInline
from privacy.audit import Action, audit
from privacy.import_export import PersonalDataImportExportMixin
from serop.validators import mask_cpr, normalize_cpr

from .bank_account import BANK_ACCOUNT_REQUIRED, BANK_FIELDS, missing_bank_fields
from .models import AbsenceRecord, Assignment, Employee, PayrollRecord
from .resources import EmployeeResource

_request: ContextVar[HttpRequest | None] = ContextVar("employee_admin_request", default=None)
PERSON_RECORD_FIELDS = ["public_id", "is_restricted", "restricted_at", "restriction_reason"]
EMPLOYEE_SEARCH = ["employee__first_name", "employee__last_name", "employee__employee_number"]


class EmploymentStatusFilter(admin.SimpleListFilter):
    title = _("employment")
    parameter_name = "employed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("current", _("Currently employed")), ("ended", _("Employment ended"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Employee]) -> QuerySet[Employee]:
        today = timezone.localdate()
        current = Q(employment_end__isnull=True) | Q(employment_end__gte=today)
        if self.value() == "current":
            return queryset.filter(current)
        if self.value() == "ended":
            return queryset.exclude(current)
        return queryset


class AssignmentInline(PersonalDataInline, admin.TabularInline):
    model = Assignment
    extra = 0
    show_change_link = True
    fields = ["company", "title", "location", "started_on", "ended_on", "hours_per_week"]
    autocomplete_fields = ["company"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        # Each row prints str(assignment), which names the customer.
        return super().get_queryset(request).select_related("company")


class PayrollRecordInline(PersonalDataInline, admin.TabularInline):
    """Payslips as a list of periods linking to each payslip: the amounts stay on the payslip's
    own page, and a payslip (an accounting record) is not added or deleted in passing."""

    model = PayrollRecord
    extra = 0
    show_change_link = True
    fields = ["period_start", "period_end", "paid_on"]
    readonly_fields = ["period_start", "period_end", "paid_on"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[PayrollRecord]:
        # Each row prints str(payslip), which names the employee.
        return super().get_queryset(request).select_related("employee")


class AbsenceRecordInline(PersonalDataInline, admin.TabularInline):
    model = AbsenceRecord
    extra = 0
    show_change_link = True
    fields = ["kind", "starts_on", "ends_on", "days"]  # the note is on the absence's own page


class EmployeeAdminForm(forms.ModelForm):
    """The whole CPR number never goes to the browser: on an existing employee the field starts
    empty and is only for a correction; left empty, the stored number is kept."""

    class Meta:
        model = Employee
        fields = ["cpr"]  # the admin passes the full list it shows

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("cpr")
        if field is not None and self.instance.pk:
            self.initial["cpr"] = ""
            field.required = False
            field.label = _("New CPR number")
            field.help_text = _("Only to correct the number; leave empty to keep it.")

    def clean_cpr(self) -> str:
        value = self.cleaned_data.get("cpr") or ""
        if not value and self.instance.pk:
            return self.instance.cpr
        return normalize_cpr(value)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "employment_end" in self.errors:
            return cleaned

        def value(name: str) -> Any:  # a field this role does not see keeps the stored value
            return cleaned.get(name) if name in self.fields else getattr(self.instance, name)

        missing = missing_bank_fields(
            employment_end=value("employment_end"),
            values={name: value(name) for name in BANK_FIELDS},
            today=timezone.localdate(),
        )
        for name in missing:
            if name in self.errors:  # already refused by the field's own validation
                continue
            self.add_error(name if name in self.fields else None, BANK_ACCOUNT_REQUIRED)
        return cleaned


@admin.register(Employee)
class EmployeeAdmin(PersonalDataImportExportMixin, PersonalDataAdmin):
    resource_classes = [EmployeeResource]
    list_display = [
        "employee_number",
        "last_name",
        "first_name",
        "email",
        "phone",
        "employment_form",
        "employment_start",
        "employment_end",
        "work_permit_expires",
        "is_restricted",
    ]
    list_display_links = ["employee_number", "last_name", "first_name"]
    list_filter = [EmploymentStatusFilter, "employment_form", "work_permit_type", "is_restricted"]
    search_fields = ["first_name", "last_name", "email", "employee_number"]
    date_hierarchy = "employment_start"
    show_full_result_count = False
    raw_id_fields = ["candidate"]
    readonly_fields = [*PERSON_RECORD_FIELDS, "created_at", "updated_at", "cpr_masked"]
    form = EmployeeAdminForm
    derived_fields = {"cpr_masked": "cpr"}
    fieldsets = [
        (
            None,
            {"fields": ["employee_number", "first_name", "last_name", "candidate"]},
        ),
        (
            _("Contact"),
            {"fields": ["email", "phone", "language", "street", "postcode", "city"]},
        ),
        (
            _("Personal details"),
            {"fields": ["birth_date", "gender", "nationality", "cpr_masked", "cpr"]},
        ),
        (
            _("Identity document and work permit"),
            {
                "fields": [
                    "id_document_type",
                    "id_document_number",
                    "id_document_expires",
                    "work_permit_type",
                    "work_permit_expires",
                ]
            },
        ),
        (
            _("Employment"),
            {
                "fields": [
                    "employment_form",
                    "employment_start",
                    "employment_end",
                    "shift_planning_username",
                ]
            },
        ),
        (
            _("Pay"),
            {"fields": ["bank_reg_no", "bank_account_no", "pension_company"]},
        ),
        (
            _("Emergency contact"),
            {"fields": ["emergency_contact_name", "emergency_contact_phone"]},
        ),
        (
            _("Record"),
            {"fields": [*PERSON_RECORD_FIELDS, "created_at", "updated_at"]},
        ),
    ]
    inlines = [AssignmentInline, PayrollRecordInline, AbsenceRecordInline]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # adding: nothing to mask yet
            fieldsets = [
                (title, {**opts, "fields": [f for f in opts["fields"] if f != "cpr_masked"]})
                for title, opts in fieldsets
            ]
        return fieldsets

    @admin.display(description=_("CPR number"))
    def cpr_masked(self, obj: Employee) -> str:
        if not obj.pk or not obj.cpr:
            return "-"
        masked = mask_cpr(obj.cpr)
        request = _request.get()
        if request is None or not request.user.has_perm(access.REVEAL_CPR):
            return masked
        url = reverse("admin:employees_employee_reveal_cpr", args=[obj.pk])
        return format_html('{} <a class="button" href="{}">{}</a>', masked, url, _("Show"))

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # Display methods get only the object; the request travels in a context variable
        # (per thread and per task, unlike an attribute of this shared admin instance).
        token = _request.set(request)
        try:
            response = super().changeform_view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            return response
        finally:
            _request.reset(token)

    def get_urls(self) -> list[Any]:
        reveal = path(
            "<path:object_id>/reveal-cpr/",
            self.admin_site.admin_view(self.reveal_cpr_view),
            name="employees_employee_reveal_cpr",
        )
        return [reveal, *super().get_urls()]

    def reveal_cpr_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Shows one whole CPR number, to those allowed to, and records that it was seen."""
        employee = self.get_object(request, object_id)
        if employee is None:
            raise Http404
        if not (
            self.has_view_permission(request, employee)
            and request.user.has_perm(access.REVEAL_CPR)
            and access.may_see_field(request.user, Employee, "cpr")
        ):
            raise PermissionDenied
        audit(Action.REVEAL, request=request, obj=employee, fields=["cpr"])
        response = TemplateResponse(
            request,
            "admin/employees/reveal_cpr.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "employee": employee,
                "cpr": employee.cpr,
            },
        )
        response["Cache-Control"] = "no-store"
        return response


@admin.register(Assignment)
class AssignmentAdmin(PersonalDataAdmin):
    list_display = ["employee", "company", "title", "location", "started_on", "ended_on"]
    list_select_related = ["employee", "company"]
    search_fields = [*EMPLOYEE_SEARCH, "title", "company__name"]
    date_hierarchy = "started_on"
    show_full_result_count = False
    autocomplete_fields = ["employee", "company"]


@admin.register(PayrollRecord)
class PayrollRecordAdmin(PersonalDataAdmin):
    list_display = ["employee", "period_start", "period_end", "paid_on"]
    list_select_related = ["employee"]
    search_fields = EMPLOYEE_SEARCH
    date_hierarchy = "paid_on"
    show_full_result_count = False
    autocomplete_fields = ["employee"]


@admin.register(AbsenceRecord)
class AbsenceRecordAdmin(PersonalDataAdmin):
    list_display = ["employee", "kind", "starts_on", "ends_on", "days"]
    list_select_related = ["employee"]
    list_filter = ["kind"]
    search_fields = EMPLOYEE_SEARCH
    date_hierarchy = "starts_on"
    show_full_result_count = False
    autocomplete_fields = ["employee"]
