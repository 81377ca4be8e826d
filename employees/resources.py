"""Import and export of employees (privacy/import_export.py).

The confidential columns (CPR, bank account, identity document number) follow the registry
like everywhere else: only those who may see them (payroll, the DPO) export or import them. The
CPR number goes out whole, so on top of that it needs the permission to reveal a CPR number;
everyone else's file has no CPR column. The EXPORT audit entry names the columns exported.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from privacy import access
from privacy.import_export import PersonalDataResource

from .bank_account import BANK_ACCOUNT_REQUIRED, BANK_FIELDS, missing_bank_fields
from .models import Employee

NOT_EXCHANGED = {
    "id",
    "public_id",
    "candidate",
    "cpr_index",
    "is_restricted",
    "restricted_at",
    "restriction_reason",
}


class EmployeeResource(PersonalDataResource):
    export_only = ("created_at", "updated_at")

    class Meta:
        model = Employee
        # Every column of the employee but its keys, links and processing state; which of them a
        # given user sees then follows the registry (hidden_for).
        fields = tuple(
            f.name for f in Employee._meta.concrete_fields if f.name not in NOT_EXCHANGED
        )
        import_id_fields = ["employee_number"]

    def hidden_for(self, user: Any) -> set[str]:
        hidden = super().hidden_for(user)
        if not user.has_perm(access.REVEAL_CPR):
            hidden.add("cpr")
        return hidden

    def import_field(self, field: Any, instance: Any, row: Any, *args: Any, **kwargs: Any) -> None:
        # As on the employee form: an empty CPR cell keeps the stored number.
        if field.attribute == "cpr" and instance.pk and not row.get(field.column_name):
            return
        super().import_field(field, instance, row, *args, **kwargs)

    def validate_instance(
        self, instance: Any, import_validation_errors: Any = None, validate_unique: bool = True
    ) -> None:
        # As on the employee form: the bank account is required while the employment lasts.
        errors = dict(import_validation_errors or {})
        missing = (
            []
            if "employment_end" in errors
            else missing_bank_fields(
                employment_end=instance.employment_end,
                values={name: getattr(instance, name) for name in BANK_FIELDS},
                today=timezone.localdate(),
            )
        )
        for name in missing:
            if name not in errors:
                errors[name] = [ValidationError(BANK_ACCOUNT_REQUIRED)]
        super().validate_instance(instance, errors, validate_unique)
