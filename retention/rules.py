"""The catalogue of retention rules: stable keys that registry declarations name.

Each rule says what starts its clock, how long the period is (a setting, with the defaults of
DATA_INVENTORY.md) and what happens at expiry. The engine that applies them lives beside this
module; nothing else in the code base decides how long personal data is kept.
"""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    DELETE = "delete", _("Delete")
    ANONYMISE = "anonymise", _("Anonymise (the record stays without the person)")


@dataclass(frozen=True)
class RetentionRule:
    key: str
    label: Promise
    clock: Promise  # what starts the period, in words for the privacy notice
    action: Action
    default_period: relativedelta
    fiscal_year_end: bool = False  # period counts from the end of the clock's financial year

    @property
    def period(self) -> relativedelta:
        override = settings.RETENTION_PERIODS.get(self.key)
        return relativedelta(**override) if override else self.default_period

    @property
    def counts_from_fiscal_year_end(self) -> bool:
        return self.fiscal_year_end or self.key in settings.RETENTION_FISCAL_YEAR_RULES

    def expires_on(self, clock_date: date) -> date:
        """The first day the data may no longer be kept, for a clock that started on
        ``clock_date``. With a financial-year rule the period counts from 31 December of that
        year (SEROP's financial year is the calendar year)."""
        start = date(clock_date.year, 12, 31) if self.counts_from_fiscal_year_end else clock_date
        return start + self.period


def _rule(key: str, label: Promise, clock: Promise, action: Action, **period: int) -> RetentionRule:
    return RetentionRule(key, label, clock, action, relativedelta(**period))


RULES: dict[str, RetentionRule] = {
    rule.key: rule
    for rule in [
        _rule(
            "cv_bank_inactivity",
            _("CV-bank profile: 12 months without activity"),
            _("the last registered activity on the profile"),
            Action.DELETE,
            months=12,
        ),
        _rule(
            "cv_bank_unconfirmed",
            _("CV-bank signup never confirmed"),
            _("the signup, when the email address was not confirmed"),
            Action.DELETE,
            days=30,
        ),
        _rule(
            "application_posting_closed",
            _("Application outside the CV bank: 6 months after the posting closed"),
            _("the closing of the job posting"),
            Action.DELETE,
            months=6,
        ),
        _rule(
            "employment_end",
            _("Employee data: 5 years after employment ended"),
            _("the end of the employment"),
            Action.DELETE,
            years=5,
        ),
        _rule(
            "payroll",
            _("Payroll and absence: 5 years after employment ended"),
            _("the end of the employment"),
            Action.DELETE,
            years=5,
        ),
        _rule(
            "customer_relationship",
            _("Customer data: the relationship's end plus a grace period"),
            _("the end of the customer relationship"),
            Action.DELETE,
            months=12,
        ),
        _rule(
            "accounting_record",
            _("Accounting records: 5 years after the end of the financial year (Bogføringsloven)"),
            _("the end of the financial year of the transaction"),
            Action.ANONYMISE,
            years=5,
        ),
        _rule(
            "newsletter_unsubscribed",
            _("Newsletter: deleted on unsubscribe, keeping only the proof of the opt-out"),
            _("the unsubscription"),
            Action.ANONYMISE,
            days=0,
        ),
        _rule(
            "newsletter_unconfirmed",
            _("Newsletter signup never confirmed"),
            _("the signup, when it was not confirmed"),
            Action.DELETE,
            days=30,
        ),
        _rule(
            "contact_enquiry",
            _("Website enquiry: 12 months after the last message"),
            _("the last message"),
            Action.DELETE,
            months=12,
        ),
        _rule(
            "marketing_permission",
            _("References and partners: until the permission is withdrawn"),
            _("the withdrawal of the marketing permission"),
            Action.DELETE,
            days=0,
        ),
        _rule(
            "consent_proof",
            _("Consent proof: the processing it covers plus the 3-year limitation period"),
            _("the end of the processing the consent covers"),
            Action.DELETE,
            years=3,
        ),
        _rule(
            "audit_trail",
            _("Audit trail: 5 years"),
            _("the recorded event"),
            Action.DELETE,
            years=5,
        ),
        # The accountability records (GDPR Art. 5(2)): retention/accountability.py.
        _rule(
            "subject_request",
            _("Data-protection request: 3 years after it was closed (limitation period)"),
            _("the closing of the request"),
            Action.DELETE,
            years=3,
        ),
        _rule(
            "breach_record",
            _("Breach register entry: 5 years after the breach was closed"),
            _("the closing of the breach"),
            Action.DELETE,
            years=5,
        ),
        _rule(
            "legal_hold",
            _("Legal hold: 3 years after it was lifted or ended"),
            _("the lifting or end of the hold"),
            Action.DELETE,
            years=3,
        ),
        _rule(
            "deletion_notice",
            _("Notice before a CV-bank deletion: 3 years after the date it announced"),
            _("the deletion date the notice announced"),
            Action.DELETE,
            years=3,
        ),
        _rule(
            "retention_record",
            _("Retention runs and deletion proofs: 5 years"),
            _("the end of the run, or the deletion"),
            Action.DELETE,
            years=5,
        ),
        _rule(
            "privacy_notice_version",
            _("Archived privacy notice: 5 years after it was replaced"),
            _("the publication of the next version"),
            Action.DELETE,
            years=5,
        ),
    ]
}


def get_rule(key: str) -> RetentionRule:
    return RULES[key]
