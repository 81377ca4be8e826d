"""Danish identifiers that pass the project's validators, for made-up people and companies.

Pure functions of a ``random.Random``: the same seed gives the same values.
"""

import random
import unicodedata
from datetime import date
from decimal import Decimal

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)

# Reserved for documentation (RFC 2606, RFC 5737, RFC 3849): made-up people never get a real
# mailbox or a real IP address.
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
IPV4_PREFIXES = ("192.0.2.", "198.51.100.", "203.0.113.")

MOBILE_PREFIXES = (
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
    "26",
    "27",
    "28",
    "29",
    "30",
    "31",
    "40",
    "41",
    "42",
    "50",
    "51",
    "52",
    "53",
    "60",
    "61",
    "71",
    "81",
    "91",
    "92",
    "93",
)
LANDLINE_PREFIXES = ("32", "33", "36", "38", "43", "44", "45", "46", "57", "58", "70", "86")

# (postcode, city, region). Weighted towards Vestsjælland, where SEROP is (Slagelse).
POSTCODES: tuple[tuple[str, str, str], ...] = (
    ("4200", "Slagelse", "Region Sjælland"),
    ("4200", "Slagelse", "Region Sjælland"),
    ("4220", "Korsør", "Region Sjælland"),
    ("4230", "Skælskør", "Region Sjælland"),
    ("4241", "Vemmelev", "Region Sjælland"),
    ("4250", "Fuglebjerg", "Region Sjælland"),
    ("4261", "Dalmose", "Region Sjælland"),
    ("4270", "Høng", "Region Sjælland"),
    ("4281", "Gørlev", "Region Sjælland"),
    ("4180", "Sorø", "Region Sjælland"),
    ("4171", "Glumsø", "Region Sjælland"),
    ("4100", "Ringsted", "Region Sjælland"),
    ("4300", "Holbæk", "Region Sjælland"),
    ("4400", "Kalundborg", "Region Sjælland"),
    ("4000", "Roskilde", "Region Sjælland"),
    ("4600", "Køge", "Region Sjælland"),
    ("4700", "Næstved", "Region Sjælland"),
    ("4760", "Vordingborg", "Region Sjælland"),
    ("4800", "Nykøbing F", "Region Sjælland"),
    ("1620", "København V", "Region Hovedstaden"),
    ("2100", "København Ø", "Region Hovedstaden"),
    ("2200", "København N", "Region Hovedstaden"),
    ("2300", "København S", "Region Hovedstaden"),
    ("2500", "Valby", "Region Hovedstaden"),
    ("2630", "Taastrup", "Region Hovedstaden"),
    ("2750", "Ballerup", "Region Hovedstaden"),
    ("2800", "Kongens Lyngby", "Region Hovedstaden"),
    ("3400", "Hillerød", "Region Hovedstaden"),
    ("5000", "Odense C", "Region Syddanmark"),
    ("5700", "Svendborg", "Region Syddanmark"),
    ("6000", "Kolding", "Region Syddanmark"),
    ("6700", "Esbjerg", "Region Syddanmark"),
    ("7100", "Vejle", "Region Syddanmark"),
    ("8000", "Aarhus C", "Region Midtjylland"),
    ("8700", "Horsens", "Region Midtjylland"),
    ("7400", "Herning", "Region Midtjylland"),
    ("9000", "Aalborg", "Region Nordjylland"),
)

# Registration numbers of the shape Danish banks use (four digits).
BANK_REG_NOS = ("1551", "2191", "2270", "3001", "3409", "5301", "5470", "6010", "7244", "9570")

CENT = Decimal("0.01")
_TRANSLITERATION = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def ascii_slug(text: str) -> str:
    """``Søren Østergård`` → ``soeren.oestergaard``: the local part of a made-up e-mail."""
    plain = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATION))
    plain = plain.encode("ascii", "ignore").decode().lower()
    words = "".join(c if c.isalnum() else " " for c in plain).split()
    return ".".join(words)


def cvr_from_body(body: int) -> str | None:
    """The CVR number whose first seven digits are ``body`` (1000000-9999999), or None where
    modulus 11 would need a check digit of 10 (no valid number has that body)."""
    if not 1_000_000 <= body <= 9_999_999:
        raise ValueError("a CVR body has seven digits and does not start with 0")
    digits = f"{body:07d}"
    total = sum(int(d) * w for d, w in zip(digits, CVR_WEIGHTS, strict=False))
    check = -total % 11
    return None if check == 10 else f"{digits}{check}"


def demo_cvr(number: int) -> str:
    """The CVR number of demo company ``number`` (1-90000): distinct numbers give distinct
    CVR numbers, all with bodies 9000000-9999999. The bulk seed uses bodies 2000000-8999999
    and the test factories start at 1000000, so none of them collide on the unique column."""
    for k in range(11):
        cvr = cvr_from_body(9_000_000 + 11 * number + k)
        if cvr:
            return cvr
    raise AssertionError("unreachable: 11 consecutive bodies always include a valid one")


def cpr_for(birth_date: date, rng: random.Random, *, female: bool) -> str:
    """A CPR number (``DDMMYY-SSSS``) for a birth date in 1900-2036.

    The seventh digit tells the century (CPR-kontoret's table, as ``serop.validators`` reads
    it); the last digit is even for women, odd for men. No modulus 11 (not required since 2007).
    """
    year = birth_date.year
    if 1900 <= year <= 1999:
        seventh = rng.randint(0, 3)
    elif 2000 <= year <= 2036:
        seventh = rng.choice((4, 9))
    else:
        raise ValueError("demo CPR numbers cover birth years 1900-2036")
    middle = rng.randrange(100)
    last = rng.randrange(0, 10, 2) if female else rng.randrange(1, 10, 2)
    return f"{birth_date:%d%m}{year % 100:02d}-{seventh}{middle:02d}{last}"


def phone(rng: random.Random, *, landline: bool = False) -> str:
    prefixes = LANDLINE_PREFIXES if landline else MOBILE_PREFIXES
    return f"{rng.choice(prefixes)}{rng.randrange(1_000_000):06d}"


def bank_account(rng: random.Random) -> tuple[str, str]:
    """(registration number, account number)."""
    return rng.choice(BANK_REG_NOS), f"{rng.randrange(10**10):010d}"


def ipv4(rng: random.Random) -> str:
    return f"{rng.choice(IPV4_PREFIXES)}{rng.randrange(1, 255)}"


def payslip_amounts(
    hours: Decimal, hourly_rate: Decimal, *, tax_rate: Decimal, monthly_allowance: Decimal
) -> dict[str, Decimal]:
    """A month's pay for an hourly-paid temp, the Danish way.

    Pension 4 % employee, 8 % employer; AM-bidrag 8 % of pay after the employee's pension;
    A-skat at the tax card's rate above the monthly allowance (personfradrag); holiday pay
    12.5 % of gross (paid to the holiday fund, so not part of net pay).
    """
    gross = (hours * hourly_rate).quantize(CENT)
    pension_employee = (gross * Decimal("0.04")).quantize(CENT)
    pension_employer = (gross * Decimal("0.08")).quantize(CENT)
    am_contribution = ((gross - pension_employee) * Decimal("0.08")).quantize(CENT)
    taxable = max(gross - pension_employee - am_contribution - monthly_allowance, Decimal(0))
    a_tax = (taxable * tax_rate).quantize(CENT)
    return {
        "hours": hours,
        "gross_pay": gross,
        "am_contribution": am_contribution,
        "a_tax": a_tax,
        "pension_employee": pension_employee,
        "pension_employer": pension_employer,
        "holiday_pay": (gross * Decimal("0.125")).quantize(CENT),
        "net_pay": gross - pension_employee - am_contribution - a_tax,
    }
