import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from employees.models import Employee
from privacy.models import AuditEntry
from privacy.roles import Role
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def client_for(client, role):
    user = User.objects.create_user(username=f"u-{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return client


def test_payroll_sees_the_cpr_masked_on_the_employee_page_and_never_whole(client):
    employee = EmployeeFactory(cpr="010190-1234")
    page = client_for(client, Role.PAYROLL).get(
        reverse("admin:employees_employee_change", args=[employee.pk])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "010190-****" in html
    assert "010190-1234" not in html and "0101901234" not in html
    assert reverse("admin:employees_employee_reveal_cpr", args=[employee.pk]) in html


def test_revealing_the_cpr_shows_it_and_is_audited(client):
    employee = EmployeeFactory(cpr="010190-1234")
    page = client_for(client, Role.PAYROLL).get(
        reverse("admin:employees_employee_reveal_cpr", args=[employee.pk])
    )
    assert page.status_code == 200
    assert "010190-1234" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVEAL)
    assert entry.subject_ref == employee.public_id and entry.fields == ["cpr"]
    assert "010190" not in str(entry.changes) + entry.detail


def test_roles_without_the_permission_cannot_reveal(client):
    employee = EmployeeFactory()
    response = client_for(client, Role.RECRUITER).get(
        reverse("admin:employees_employee_reveal_cpr", args=[employee.pk])
    )
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).exists()


def test_saving_the_employee_without_a_new_cpr_keeps_the_stored_one(client):
    employee = EmployeeFactory(cpr="010190-1234")
    client_for(client, Role.PAYROLL)
    url = reverse("admin:employees_employee_change", args=[employee.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"cpr": "", "first_name": "Lasse", "candidate": ""})
    for prefix in ("assignments", "payslips", "absences"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    fresh = Employee.objects.get(pk=employee.pk)
    assert (fresh.first_name, fresh.cpr) == ("Lasse", "010190-1234")
    change = AuditEntry.objects.get(action=AuditEntry.Action.CHANGE)
    assert change.fields == ["first_name"]
