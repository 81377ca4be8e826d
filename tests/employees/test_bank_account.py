"""The bank account: optional in the database, so that an erasure request can empty it once the
employment has ended; required by the admin form and the import while the employment lasts."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from employees.bank_account import missing_bank_fields
from employees.models import Employee
from privacy.roles import Role
from tests.factories import EmployeeFactory

from .test_import_export import HEADER, IMPORT

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


def payroll(client):
    user = User.objects.create_user(username="u-payroll", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.PAYROLL))
    client.force_login(user)


def post_employee(client, employee, **changes):
    url = reverse("admin:employees_employee_change", args=[employee.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"cpr": "", "candidate": "", "employment_end": "", **changes})
    for prefix in ("assignments", "payslips", "absences"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return client.post(url, data)


@pytest.mark.parametrize(
    ("end", "missing"),
    [
        (None, ["bank_reg_no", "bank_account_no"]),  # no end date: employed
        (TODAY, ["bank_reg_no", "bank_account_no"]),  # the last day is still paid
        (TODAY + dt.timedelta(days=30), ["bank_reg_no", "bank_account_no"]),
        (TODAY - dt.timedelta(days=1), []),  # ended: may be empty
    ],
)
def test_the_bank_account_is_required_only_while_the_employment_lasts(end, missing):
    empty = {"bank_reg_no": "", "bank_account_no": ""}
    assert missing_bank_fields(employment_end=end, values=empty, today=TODAY) == missing
    full = {"bank_reg_no": "1234", "bank_account_no": "0012345678"}
    assert missing_bank_fields(employment_end=end, values=full, today=TODAY) == []


def test_the_admin_form_refuses_an_active_employee_without_a_bank_account(client):
    employee = EmployeeFactory(employment_end=None)
    payroll(client)
    with translation.override("en"):
        response = post_employee(client, employee, bank_reg_no="", bank_account_no="")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) >= {"bank_reg_no", "bank_account_no"}
    # in the admin's language, Danish by default
    assert "Lønnen kræver bankkontoen, så længe ansættelsen varer" in str(errors)
    stored = Employee.objects.get(pk=employee.pk)
    assert stored.bank_reg_no == employee.bank_reg_no and stored.bank_account_no


def test_the_admin_form_in_danish_refuses_it_too(client):
    employee = EmployeeFactory(employment_end=None)
    payroll(client)
    response = post_employee(client, employee, bank_reg_no="", bank_account_no="")
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) >= {"bank_reg_no", "bank_account_no"}


def test_the_admin_form_lets_a_former_employee_be_saved_without_a_bank_account(client):
    ended = timezone.localdate() - dt.timedelta(days=10)
    employee = EmployeeFactory(employment_end=ended)
    payroll(client)
    response = post_employee(
        client, employee, employment_end=ended.isoformat(), bank_reg_no="", bank_account_no=""
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = Employee.objects.get(pk=employee.pk)
    assert (stored.bank_reg_no, stored.bank_account_no) == ("", "")


def test_the_import_refuses_an_active_employee_without_a_bank_account(client):
    payroll(client)
    content = HEADER + (
        "E-900,Lars,Hansen,e-900@example.dk,40506070,Bredgade 1,4200,Slagelse,1990-01-01,DK,"
        "010190-1234,temp,2024-02-01,,\n"
    )
    with translation.override("en"):
        upload = SimpleUploadedFile("employees.csv", content.encode())
        page = client.post(IMPORT, {"resource": "0", "format": "0", "import_file": upload})
    result = page.context["result"]
    assert [r.number for r in result.invalid_rows] == [1]
    assert set(result.invalid_rows[0].error_dict) == {"bank_reg_no", "bank_account_no"}
    assert "så længe ansættelsen varer" in str(result.invalid_rows[0].error_dict)
    assert not Employee.objects.filter(employee_number="E-900").exists()
