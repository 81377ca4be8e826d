import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from serop.validators import (
    cpr_birth_date,
    mask_cpr,
    normalize_cpr,
    normalize_phone,
    validate_account_no,
    validate_cpr,
    validate_cvr,
    validate_phone,
    validate_postcode,
    validate_reg_no,
)

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


def century_for(seventh: int, yy: int) -> int:
    if seventh <= 3:
        return 1900
    if seventh in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800


@given(
    st.dates(min_value=dt.date(1858, 1, 1), max_value=dt.date(2036, 12, 31)), st.integers(0, 9999)
)
def test_every_real_birth_date_makes_a_valid_cpr_whose_date_reads_back(birth, serial):
    yy, seventh = birth.year % 100, serial // 1000
    if century_for(seventh, yy) + yy != birth.year:
        return  # this serial's century cannot encode that year
    cpr = f"{birth:%d%m}{yy:02d}-{serial:04d}"
    validate_cpr(cpr)
    assert cpr_birth_date(cpr) == birth


@given(st.integers(32, 99), st.integers(1, 12), st.integers(0, 99), st.integers(0, 9999))
def test_a_cpr_with_an_impossible_day_is_refused(day, month, yy, serial):
    with pytest.raises(ValidationError) as exc:
        validate_cpr(f"{day:02d}{month:02d}{yy:02d}-{serial:04d}")
    assert exc.value.code == "cpr_date"


def test_a_cpr_for_29_february_depends_on_the_century():
    validate_cpr("290200-4000")  # 2000 was a leap year (seventh digit 4, yy 00 -> 2000)
    with pytest.raises(ValidationError):
        validate_cpr("290200-1000")  # 1900 was not


def test_cpr_modulus_11_is_not_required():
    validate_cpr("010190-1235")  # fails modulus 11, issued since 2007 all the same


@pytest.mark.parametrize("value", ["", "0101901234567", "01019-01234", "abcdef-ghij", "0101901"])
def test_malformed_cpr_numbers_get_a_format_error(value):
    with pytest.raises(ValidationError) as exc:
        validate_cpr(value)
    assert exc.value.code == "cpr_format"


def test_cpr_errors_speak_danish_by_default_and_english_on_request():
    with pytest.raises(ValidationError) as exc:
        validate_cpr("x")
    with translation.override("da"):
        assert "CPR-nummer" in exc.value.messages[0]
    with translation.override("en"):
        assert "Enter a CPR number" in exc.value.messages[0]


def test_cpr_is_normalized_and_masked():
    assert normalize_cpr(" 0101901234 ") == "010190-1234"
    assert mask_cpr("0101901234") == "010190-****"
    assert mask_cpr("garbage") == "******-****"


@given(st.integers(1000000, 9999999))
def test_cvr_numbers_pass_exactly_when_modulus_11_holds(first_seven):
    for last in range(10):
        cvr = f"{first_seven}{last}"
        ok = sum(int(d) * w for d, w in zip(cvr, CVR_WEIGHTS, strict=True)) % 11 == 0
        if ok:
            validate_cvr(cvr)
        else:
            with pytest.raises(ValidationError):
                validate_cvr(cvr)


def test_serops_own_cvr_is_valid():
    validate_cvr("29135789")


@given(st.text(max_size=12))
def test_bank_numbers_accept_only_digits_of_the_right_length(text):
    reg_ok = len(text) == 4 and text.isascii() and text.isdigit()
    acc_ok = 1 <= len(text) <= 10 and text.isascii() and text.isdigit()
    for validator, ok in ((validate_reg_no, reg_ok), (validate_account_no, acc_ok)):
        if ok:
            validator(text)
        else:
            with pytest.raises(ValidationError):
                validator(text)


@given(st.from_regex(r"\A[0-9]{4}\Z"))
def test_four_digit_postcodes_are_valid(postcode):
    validate_postcode(postcode)


@pytest.mark.parametrize("value", ["420", "42000", "DK-4200", ""])
def test_other_postcodes_are_refused(value):
    with pytest.raises(ValidationError):
        validate_postcode(value)


@pytest.mark.parametrize(
    "value",
    [
        "70233838",
        "70 23 38 38",
        "+45 70 23 38 38",
        "004570233838",
        "+46 8 123 456 78",
        "+1 202 555 0143",
    ],
)
def test_danish_and_international_phone_numbers_are_accepted(value):
    validate_phone(value)


@pytest.mark.parametrize("value", ["1234567", "123456789", "phone", "+", "+999 1", ""])
def test_other_phone_numbers_are_refused(value):
    with pytest.raises(ValidationError):
        validate_phone(value)


def test_danish_numbers_are_normalized_to_eight_digits():
    assert normalize_phone("+45 70 23 38 38") == "70233838"


@pytest.mark.parametrize(
    ("cpr", "born"),
    [
        ("311299-3999", dt.date(1999, 12, 31)),  # 0-3: always 1900s
        ("010100-0000", dt.date(1900, 1, 1)),
        ("010136-4000", dt.date(2036, 1, 1)),  # 4 and 9: 00-36 -> 2000s
        ("010137-4000", dt.date(1937, 1, 1)),  # 37-99 -> 1900s
        ("010136-9999", dt.date(2036, 1, 1)),
        ("010137-9999", dt.date(1937, 1, 1)),
        ("010157-5000", dt.date(2057, 1, 1)),  # 5-8: 00-57 -> 2000s
        ("010158-8999", dt.date(1858, 1, 1)),  # 58-99 -> 1800s
    ],
)
def test_the_century_follows_cpr_kontorets_table_for_the_seventh_digit(cpr, born):
    # Written out by hand from the table, not computed like the property test above, so that a
    # mistake shared by the validator and the test's helper would still be caught here.
    assert cpr_birth_date(cpr) == born


@st.composite
def non_ascii_digit_strings(draw, size):
    # Digits of other scripts (Arabic-Indic, fullwidth, Devanagari...): int() reads them, \d
    # matches them, but they are no Danish number.
    digits = st.characters(categories=["Nd"]).filter(lambda c: not c.isascii())
    return "".join(draw(st.lists(digits, min_size=size, max_size=size)))


@given(non_ascii_digit_strings(4), non_ascii_digit_strings(8), non_ascii_digit_strings(10))
def test_digits_of_other_scripts_are_refused_by_every_validator(four, eight, ten):
    for validator, value in (
        (validate_postcode, four),
        (validate_reg_no, four),
        (validate_account_no, ten),
        (validate_cvr, eight),
        (validate_phone, eight),
        (validate_phone, "+45" + eight),
        (validate_cpr, f"{ten[:6]}-{ten[6:]}"),
    ):
        with pytest.raises(ValidationError):
            validator(value)


def test_a_cpr_in_arabic_indic_digits_is_refused():
    with pytest.raises(ValidationError):
        validate_cpr("٠١٠١٩٠-١٢٣٤")  # 010190-1234
    assert cpr_birth_date("٠١٠١٩٠-١٢٣٤") is None


@pytest.mark.parametrize(
    ("validator", "value"),
    [
        (validate_cpr, "x"),
        (validate_cpr, "320190-1234"),
        (validate_cvr, "1"),
        (validate_cvr, "29135788"),
        (validate_reg_no, "1"),
        (validate_account_no, "x"),
        (validate_postcode, "1"),
        (validate_phone, "1"),
    ],
)
def test_every_validator_explains_itself_in_danish_and_in_english(validator, value):
    with pytest.raises(ValidationError) as exc:
        validator(value)
    with translation.override("en"):
        english = exc.value.messages[0]
    with translation.override("da"):
        danish = exc.value.messages[0]
    assert english and danish and danish != english  # a Danish translation exists
