import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from employees.models import Employee, PayrollRecord
from privacy.encryption import DecryptionError
from tests.factories import EmployeeFactory, PayrollRecordFactory

pytestmark = pytest.mark.django_db


def test_rotation_re_encrypts_every_row_so_the_old_key_can_be_removed(settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    employees = EmployeeFactory.create_batch(3)
    PayrollRecordFactory(employee=employees[0])
    new = Fernet.generate_key().decode()

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115

    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert sorted(e.cpr for e in Employee.objects.all()) == sorted(e.cpr for e in employees)
    assert PayrollRecord.objects.get().gross_pay == 32000

    settings.FIELD_ENCRYPTION_KEYS = [old]
    with pytest.raises(DecryptionError):
        list(Employee.objects.all())


def test_rotation_walks_every_chunk_of_a_table_and_keeps_empty_values(settings, monkeypatch):
    from django.db import connection

    from privacy.management.commands import rotate_encryption_keys

    monkeypatch.setattr(rotate_encryption_keys, "CHUNK", 2)  # 5 rows: three chunks
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    employees = EmployeeFactory.create_batch(5)
    Employee.objects.filter(pk=employees[0].pk).update(id_document_number="")
    new = Fernet.generate_key().decode()

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115

    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert sorted(e.cpr for e in Employee.objects.all()) == sorted(e.cpr for e in employees)
    assert Employee.objects.get(pk=employees[0].pk).id_document_number == ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cpr FROM employees_employee")
        assert all(token.startswith("gAAAA") for (token,) in cursor.fetchall())
