"""When an employee's bank account is required.

The model lets the two bank fields be empty, so that an erasure request can empty them once the
employment has ended (they are held for the contract only, GDPR Art. 6(1)(b); privacy/erasure.py).
While the employment lasts (no end date, or an end date today or later, as the admin's
"currently employed" filter counts it), payroll cannot pay without them: the admin form and the
import require them, with this message.
"""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

BANK_FIELDS = ("bank_reg_no", "bank_account_no")
BANK_ACCOUNT_REQUIRED = _(
    "Payroll needs the bank account while the employment lasts: enter the registration and "
    "account number. They may be empty only once the employment has ended."
)


def employment_ongoing(employment_end: date | None, *, today: date) -> bool:
    return employment_end is None or employment_end >= today


def missing_bank_fields(
    *, employment_end: date | None, values: Mapping[str, Any], today: date
) -> list[str]:
    """The bank fields of ``values`` that are empty although the employment is ongoing."""
    if not employment_ongoing(employment_end, today=today):
        return []
    return [name for name in BANK_FIELDS if not values.get(name)]
