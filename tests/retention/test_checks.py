"""retention.checks: the retention settings are checked at start-up."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from retention.checks import check_retention_settings, retention_setting_errors


def ids(errors):
    return [error.id for error in errors]


def test_the_defaults_and_valid_overrides_pass():
    assert retention_setting_errors({}, []) == []
    periods = {"cv_bank_inactivity": {"months": 24}, "customer_relationship": {"days": 0}}
    assert retention_setting_errors(periods, ["employment_end", "payroll"]) == []


def test_it_rejects_a_period_for_an_unknown_rule():
    errors = retention_setting_errors({"cv_bank_inactivty": {"months": 24}}, [])
    assert ids(errors) == ["retention.E002"] and "cv_bank_inactivty" in errors[0].msg


def test_it_rejects_a_singular_keyword_that_would_set_a_date():
    assert ids(retention_setting_errors({"cv_bank_inactivity": {"month": 6}}, [])) == [
        "retention.E003"
    ]


def test_it_rejects_amounts_that_are_not_whole_numbers_and_empty_periods():
    periods = {
        "contact_enquiry": {"months": "12"},
        "payroll": {"years": -1},
        "newsletter_unconfirmed": {},
    }
    assert ids(retention_setting_errors(periods, [])) == ["retention.E003"] * 3
    assert ids(retention_setting_errors([], [])) == ["retention.E001"]


def test_it_rejects_an_unknown_financial_year_rule():
    assert ids(retention_setting_errors({}, ["employment"])) == ["retention.E004"]


def test_the_check_is_registered_and_stops_manage_py_check(settings):
    settings.RETENTION_PERIODS = {"cv_bank": {"months": 12}}
    assert ids(check_retention_settings()) == ["retention.E002"]
    with pytest.raises(SystemCheckError, match="cv_bank"):
        call_command("check", tags=["retention"])
