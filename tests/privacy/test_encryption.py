import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection

from employees.models import Employee, PayrollRecord
from privacy.encryption import DecryptionError, blind_index, decrypt, encrypt
from serop.validators import normalize_cpr
from tests.factories import EmployeeFactory, PayrollRecordFactory

pytestmark = pytest.mark.django_db


def raw_column(model, pk, column):
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "{column}" FROM "{model._meta.db_table}" WHERE id = %s',  # noqa: S608
            [pk],
        )
        return cursor.fetchone()[0]


def test_a_cpr_number_is_stored_as_ciphertext_and_read_back_as_plaintext():
    employee = EmployeeFactory(cpr="010190-1234")
    stored = raw_column(Employee, employee.pk, "cpr")
    assert "010190" not in stored
    assert Employee.objects.get(pk=employee.pk).cpr == "010190-1234"


def test_payroll_amounts_round_trip_as_decimals():
    slip = PayrollRecordFactory()
    fresh = PayrollRecord.objects.get(pk=slip.pk)
    assert fresh.gross_pay == slip.gross_pay
    assert str(fresh.hours) == "160.33"
    assert "32000" not in raw_column(PayrollRecord, slip.pk, "gross_pay")


def test_reading_with_a_wrong_key_raises_instead_of_returning_ciphertext(settings):
    employee = EmployeeFactory()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(DecryptionError) as exc:
        Employee.objects.get(pk=employee.pk)
    assert "gAAAA" not in str(exc.value)  # the message never carries the token


def test_a_missing_key_raises(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured):
        encrypt("x")


def test_an_old_key_still_decrypts_after_a_new_one_is_put_first(settings):
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    token = encrypt("secret")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    assert decrypt(token) == "secret"


def test_encrypted_columns_cannot_be_searched():
    with pytest.raises(FieldError):
        list(Employee.objects.filter(cpr="010190-1234"))
    with pytest.raises(FieldError):
        list(Employee.objects.filter(cpr__icontains="0101"))
    assert list(Employee.objects.filter(cpr__isnull=True)) == []


def test_cpr_numbers_are_found_through_the_blind_index():
    employee = EmployeeFactory(cpr="0101901234")
    EmployeeFactory(cpr="020290-1234")
    key = blind_index(normalize_cpr("010190 1234"))
    assert list(Employee.objects.filter(cpr_index=key)) == [employee]
    assert employee.cpr_index == key and len(key) == 64


def test_the_blind_index_depends_on_its_own_key(settings):
    before = blind_index("010190-1234")
    settings.BLIND_INDEX_KEY = "another-key-entirely-0123456789"
    assert blind_index("010190-1234") != before


def test_the_blind_index_key_is_required(settings):
    settings.BLIND_INDEX_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        blind_index("010190-1234")


def test_reading_without_any_key_configured_raises(settings):
    employee = EmployeeFactory()
    del settings.FIELD_ENCRYPTION_KEYS
    with pytest.raises(ImproperlyConfigured):
        Employee.objects.get(pk=employee.pk)


def test_a_plaintext_value_in_an_encrypted_column_raises_instead_of_being_shown():
    employee = EmployeeFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE employees_employee SET cpr = %s WHERE id = %s", ["010190-1234", employee.pk]
        )
    with pytest.raises(DecryptionError):
        Employee.objects.get(pk=employee.pk)


def test_updating_a_cpr_number_in_bulk_keeps_its_blind_index_in_step():
    """QuerySet.update() bypasses save(), which derives the index: the Employee queryset sets
    the index with the number, so a search by CPR finds the new number and not the old."""
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    employee = EmployeeFactory(cpr="010190-1234")
    Employee.objects.filter(pk=employee.pk).update(cpr="020290-2345")
    employee.refresh_from_db()
    assert employee.cpr_index == blind_index(normalize_cpr("020290-2345"))
    assert list(Employee.objects.filter(cpr_index=blind_index("0101901234"))) == []
    Employee.objects.filter(pk=employee.pk).update(cpr="")  # erased: no index of it left
    employee.refresh_from_db()
    assert employee.cpr == "" and employee.cpr_index == ""
    with pytest.raises(TypeError, match="expression"):
        Employee.objects.update(cpr=Concat(F("cpr"), Value("")))
    with pytest.raises(TypeError, match="derived"):
        Employee.objects.update(cpr="010190-1234", cpr_index="x")
