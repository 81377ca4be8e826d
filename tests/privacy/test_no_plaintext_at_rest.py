"""A raw SQL dump of the database holds no CPR-shaped or account-number-shaped plaintext."""

import re
import subprocess

import pytest
from django.db import connection

from tests.factories import ContactPersonFactory, EmployeeFactory, PayrollRecordFactory

# A CPR number written the usual way, standing alone. Undashed ten-digit runs are not
# searched by shape: they occur by chance inside hex digests and UUIDs (CI once found
# one in a blind index), so the undashed form is checked for the exact numbers stored.
CPR_SHAPED = re.compile(rb"(?<![0-9A-Za-z])\d{6}-\d{4}(?![0-9A-Za-z])")
ACCOUNT_NUMBERS = [b"0012345678", b"9876543210", b"0099887766"]


def pg_dump() -> bytes:
    db = connection.settings_dict
    cmd = [
        "pg_dump",
        "--data-only",
        "--no-owner",
        "-h",
        db["HOST"] or "127.0.0.1",
        "-p",
        str(db["PORT"] or 5432),
        "-U",
        db["USER"] or "postgres",
        db["NAME"],
    ]
    env = {"PGPASSWORD": db["PASSWORD"] or "", "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return subprocess.run(cmd, check=True, capture_output=True, env=env).stdout  # noqa: S603


@pytest.mark.django_db(transaction=True)
def test_a_dump_of_the_database_holds_no_cpr_or_account_number_in_clear():
    from customers.models import BetalingsserviceMandate

    cprs = [f"0{i + 1}0190-12{i}4" for i in range(len(ACCOUNT_NUMBERS))]
    for cpr, account in zip(cprs, ACCOUNT_NUMBERS, strict=True):
        employee = EmployeeFactory(cpr=cpr, bank_account_no=account)
        PayrollRecordFactory(employee=employee)
    contact = ContactPersonFactory()
    BetalingsserviceMandate.objects.create(
        company=contact.company,
        cvr=contact.company.cvr,
        reg_no="1234",
        account_no="9988776655",
        pbs_customer_number="12345",
        registered_on="2026-01-01",
    )
    dump = pg_dump()
    assert b"gAAAA" in dump  # the encrypted values are there, as Fernet tokens
    assert CPR_SHAPED.findall(dump) == []
    for cpr in cprs:
        assert cpr.replace("-", "").encode() not in dump
    for account in [*ACCOUNT_NUMBERS, b"9988776655"]:
        assert account not in dump
    assert b"32000.00" not in dump  # payroll amounts
