"""Validators for Danish identifiers, with messages in the user's language.

Pure functions: each ``validate_*`` raises ``ValidationError`` and each ``normalize_*`` returns
the canonical stored form. Tested with hypothesis in tests/serop/test_validators.py.
"""

import re
from datetime import date

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# re.ASCII throughout: Python's \d also matches the digits of other scripts (Arabic-Indic,
# fullwidth), which int() happily reads, so without it such input would pass and be stored.
_CPR_RE = re.compile(r"^\s*(\d{2})(\d{2})(\d{2})\s*-?\s*(\d{4})\s*$", re.ASCII)
_CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def cpr_birth_date(value: str) -> date | None:
    """The birth date a CPR number encodes, or None if it encodes no real date.

    The century follows from the seventh digit and the two-digit year (CPR-kontoret's table);
    modulus 11 is deliberately not checked: numbers without it have been issued since 2007.
    """
    match = _CPR_RE.match(value or "")
    if not match:
        return None
    day, month, yy = (int(g) for g in match.groups()[:3])
    seventh = int(match.group(4)[0])
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if yy <= 36 else 1900
    else:  # 5-8
        century = 2000 if yy <= 57 else 1800
    try:
        return date(century + yy, month, day)
    except ValueError:
        return None


def normalize_cpr(value: str) -> str:
    """``DDMMYY-SSSS`` from any spacing or dash; input that is not 10 digits is returned
    stripped, unchanged otherwise."""
    match = _CPR_RE.match(value or "")
    if not match:
        return (value or "").strip()
    return "{}{}{}-{}".format(*match.groups())


def validate_cpr(value: str) -> None:
    if not _CPR_RE.match(value or ""):
        raise ValidationError(
            _("Enter a CPR number as DDMMYY-SSSS (ten digits)."), code="cpr_format"
        )
    if cpr_birth_date(value) is None:
        raise ValidationError(
            _("The first six digits of a CPR number must be a real date (DDMMYY)."),
            code="cpr_date",
        )


def mask_cpr(value: str) -> str:
    """``DDMMYY-****``: the form in which a CPR number may be shown."""
    normalized = normalize_cpr(value)
    return f"{normalized[:6]}-****" if len(normalized) == 11 else "******-****"


def validate_cvr(value: str) -> None:
    digits = (value or "").replace(" ", "")
    if not re.fullmatch(r"\d{8}", digits, re.ASCII):
        raise ValidationError(_("A CVR number has exactly 8 digits."), code="cvr_format")
    if digits[0] == "0" or sum(int(d) * w for d, w in zip(digits, _CVR_WEIGHTS, strict=True)) % 11:
        raise ValidationError(
            _("This is not a valid CVR number (the check digit does not match)."),
            code="cvr_checksum",
        )


def validate_reg_no(value: str) -> None:
    if not re.fullmatch(r"\d{4}", value or "", re.ASCII):
        raise ValidationError(_("A bank registration number has exactly 4 digits."), code="reg_no")


def validate_account_no(value: str) -> None:
    if not re.fullmatch(r"\d{1,10}", value or "", re.ASCII):
        raise ValidationError(_("A bank account number has 1 to 10 digits."), code="account_no")


def validate_postcode(value: str) -> None:
    if not re.fullmatch(r"\d{4}", value or "", re.ASCII):
        raise ValidationError(_("A Danish postcode has exactly 4 digits."), code="postcode")


def normalize_phone(value: str) -> str:
    """Danish numbers as 8 digits; others in E.164 (``+4512345678`` becomes ``12345678``)."""
    compact = re.sub(r"[\s\-().]", "", value or "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+45") and len(compact) == 11:
        compact = compact[3:]
    return compact


def validate_phone(value: str) -> None:
    compact = normalize_phone(value)
    if re.fullmatch(r"\d{8}", compact, re.ASCII):
        return
    if re.fullmatch(r"\+\d+", compact, re.ASCII):
        try:
            number = phonenumbers.parse(compact, None)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_possible_number(number):
            return
    raise ValidationError(
        _("Enter a Danish phone number of 8 digits, or an international number starting with +."),
        code="phone",
    )
