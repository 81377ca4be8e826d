"""Import and export of employees (employees/resources.py): confidential columns only for those
who may see them, the whole CPR number only for those who may reveal it."""

import csv
import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from employees.models import Employee
from privacy.encryption import blind_index
from privacy.models import AuditEntry
from privacy.roles import Role
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("admin:employees_employee_export")
IMPORT = reverse("admin:employees_employee_import")
PROCESS = reverse("admin:employees_employee_process_import")
CONFIDENTIAL = {"cpr", "bank_reg_no", "bank_account_no", "id_document_number"}
CPR_SHAPED = re.compile(r"\d{6}-?\d{4}")
HEADER = (
    "employee_number,first_name,last_name,email,phone,street,postcode,city,birth_date,"
    "nationality,cpr,employment_form,employment_start,bank_reg_no,bank_account_no\n"
)


def row(number, cpr="010190-1234", phone="40506070", postcode="4200"):
    return (
        f"{number},Lars,Hansen,{number.lower()}@example.dk,{phone},Bredgade 1,{postcode},"
        f"Slagelse,1990-01-01,DK,{cpr},temp,2024-02-01,1234,0012345678\n"
    )


def log_in(client, role=None, *, codenames=()):
    user = User.objects.create_user(username=f"u-{role}-{'-'.join(codenames)}", is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return user


def export(client, file_format="0"):
    page = client.get(EXPORT)
    assert page.status_code == 200
    fields = page.context["form"].fields
    data = {name: "on" for name, f in fields.items() if getattr(f, "is_selectable_field", False)}
    response = client.post(EXPORT, {"format": file_format, "resource": "0", **data})
    assert response.status_code == 200
    if file_format == "1":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def preview(client, content):
    upload = SimpleUploadedFile("employees.csv", content.encode())
    return client.post(IMPORT, {"resource": "0", "format": "0", "import_file": upload})


def assert_no_cpr_in_the_audit_trail():
    for entry in AuditEntry.objects.all():
        assert not CPR_SHAPED.search(f"{entry.fields} {entry.changes} {entry.detail}")


@pytest.mark.parametrize("file_format", ["0", "1"])
@pytest.mark.parametrize("role", [Role.PAYROLL, Role.DPO])
def test_payroll_and_the_dpo_export_the_confidential_columns(client, role, file_format):
    EmployeeFactory(cpr="010190-1234", bank_reg_no="1234", bank_account_no="0012345678")
    log_in(client, role)
    header, values = export(client, file_format)
    assert set(header) >= CONFIDENTIAL
    exported = dict(zip(header, values, strict=True))
    assert exported["cpr"] == "010190-1234"  # whole: both roles may reveal a CPR number
    assert (exported["bank_reg_no"], exported["bank_account_no"]) == ("1234", "0012345678")
    (entry,) = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT)
    assert entry.object_type == "employees.employee" and entry.count == 1
    assert set(entry.fields) >= CONFIDENTIAL
    assert_no_cpr_in_the_audit_trail()


def test_an_account_manager_cannot_export_employees(client):
    EmployeeFactory()
    log_in(client, Role.ACCOUNT_MANAGER)
    assert client.get(EXPORT).status_code == 403
    assert client.post(EXPORT, {"format": "0", "resource": "0"}).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_viewing_employees_without_confidential_access_exports_no_confidential_columns(client):
    EmployeeFactory(cpr="010190-1234")
    log_in(client, codenames=["view_employee"])
    rows = export(client)
    assert not CONFIDENTIAL & set(rows[0])
    assert "employee_number" in rows[0] and "email" in rows[0]
    assert not CPR_SHAPED.search(str(rows)) and "0012345678" not in str(rows)
    (entry,) = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT)
    assert not CONFIDENTIAL & set(entry.fields)


def test_confidential_access_without_the_right_to_reveal_exports_no_cpr_column(client):
    EmployeeFactory(cpr="010190-1234")
    log_in(client, codenames=["view_employee", "view_confidential"])
    header = export(client)[0]
    assert "cpr" not in header
    assert {"bank_reg_no", "bank_account_no", "id_document_number"} <= set(header)


def test_import_preview_with_a_bad_cpr_phone_and_postcode_shows_danish_errors(client):
    log_in(client, Role.PAYROLL)
    content = (
        HEADER
        + row("E100")
        + row("E101", cpr="321390-1234")
        + row("E102", phone="12")
        + row("E103", postcode="42")
    )
    page = preview(client, content)
    result = page.context["result"]
    assert [r.number for r in result.invalid_rows] == [2, 3, 4]
    assert set(result.invalid_rows[0].error_dict) == {"cpr"}
    html = page.content.decode()
    assert "CPR-nummer" in html
    assert "telefonnummer" in html
    assert "postnummer" in html
    assert page.context.get("confirm_form") is None
    assert not Employee.objects.exists()


def test_a_valid_file_imports_every_employee_with_its_cpr_index_and_one_audit_entry(client):
    EmployeeFactory(employee_number="E200", first_name="Old", cpr="020290-2222")
    user = log_in(client, Role.PAYROLL)
    content = (
        HEADER + row("E200", cpr="") + row("E201", cpr="0101901234") + row("E202", "030390-3333")
    )
    page = preview(client, content)
    form = page.context["confirm_form"]
    response = client.post(PROCESS, {name: form.initial.get(name, "") for name in form.fields})
    assert response.status_code == 302
    assert Employee.objects.count() == 3
    kept = Employee.objects.get(employee_number="E200")
    assert (kept.first_name, kept.cpr) == ("Lars", "020290-2222")  # an empty CPR cell keeps it
    new = Employee.objects.get(employee_number="E201")
    assert new.cpr == "010190-1234"  # stored as on the form, DDMMYY-SSSS
    assert new.cpr_index == blind_index("010190-1234")
    assert Employee.objects.get(cpr_index=blind_index("010190-1234")) == new
    (entry,) = AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT)
    assert (entry.count, entry.actor_id, entry.detail) == (3, user.pk, "new=2 updated=1")
    assert {"cpr", "bank_account_no", "employee_number"} <= set(entry.fields)
    assert_no_cpr_in_the_audit_trail()


def test_a_cpr_column_is_refused_from_someone_who_may_not_see_it(client):
    log_in(client, codenames=["view_employee", "add_employee", "change_employee"])
    page = preview(client, HEADER + row("E300"))
    result = page.context["result"]
    assert result.has_errors()
    assert "cpr" in str(result.base_errors[0].error)
    assert "010190-1234" not in page.content.decode()
    assert not Employee.objects.exists()
