from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from employees.models import Employee
from privacy.audit import Action, audit, purge_audit_entries, subject_ref_of
from privacy.models import AuditEntry
from tests.factories import CandidateFactory, EmployeeFactory, PayrollRecordFactory

pytestmark = pytest.mark.django_db


def test_an_entry_names_the_actor_the_ip_and_the_person_by_pseudonym():
    staff = User.objects.create_user("anna", is_staff=True)
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    request.user = staff
    candidate = CandidateFactory()
    entry = audit(Action.VIEW, request=request, obj=candidate)
    assert (entry.actor_id, entry.actor_username) == (staff.pk, "anna")
    assert entry.ip_address == "10.1.2.3"
    assert entry.subject_ref == candidate.public_id
    assert entry.object_type == "candidates.candidate"


def test_child_records_are_attributed_to_their_person():
    slip = PayrollRecordFactory()
    assert subject_ref_of(slip) == slip.employee.public_id


def test_confidential_values_are_never_written_to_the_trail():
    employee = EmployeeFactory(cpr="010190-1234")
    entry = audit(
        Action.CHANGE,
        obj=employee,
        changes={"cpr": ("010190-1234", "020290-4321"), "first_name": ("Lars", "Lasse")},
        fields=["cpr", "first_name"],
    )
    assert entry.changes == {"cpr": ["***", "***"], "first_name": ["Lars", "Lasse"]}
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(a)::text FROM privacy_auditentry a")
        dump = " ".join(row[0] for row in cursor.fetchall())
    assert "010190" not in dump and "020290" not in dump


def test_the_application_cannot_change_or_delete_an_entry():
    entry = audit(Action.LOGIN)
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(detail="x")


def test_the_database_refuses_update_and_delete_of_an_entry():
    entry = audit(Action.LOGIN)
    for sql in (
        "UPDATE privacy_auditentry SET detail = 'x' WHERE id = %s",
        "DELETE FROM privacy_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, detail="").exists()


def test_only_the_retention_purge_removes_old_entries():
    old = audit(Action.LOGIN, at=timezone.now() - timedelta(days=6 * 365))
    recent = audit(Action.LOGIN)
    assert purge_audit_entries(before=timezone.now() - timedelta(days=5 * 365)) == 1
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    # The permission ended with the purge's transaction.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_auditentry")


def test_an_employee_without_restriction_is_found_and_a_missing_person_gives_no_ref():
    assert subject_ref_of(None) is None
    assert isinstance(Employee.objects.count(), int)


def test_the_scheduled_purge_follows_the_audit_trail_rule(settings):
    from retention import engine

    settings.RETENTION_PERIODS = {"audit_trail": {"days": 30}}
    audit(Action.LOGIN, at=timezone.now() - timedelta(days=31))
    kept = audit(Action.LOGIN, at=timezone.now() - timedelta(days=29))
    engine.run_rule("audit_trail")
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [kept.pk]
