"""Each retention rule, applied: what starts its clock, where its period ends (to the day), and
what happens at expiry."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from candidates import models as cm
from consents.models import ConsentRecord
from customers import models as km
from employees.models import AbsenceRecord, Employee, PayrollRecord
from privacy.audit import Action as AuditAction
from privacy.audit import audit
from privacy.models import AuditEntry
from privacy.registry import registry
from retention import engine
from retention.models import Tombstone
from retention.rules import RULES, Action, RetentionRule, get_rule
from tests.factories import (
    CandidateFactory,
    CompanyFactory,
    ConsentRecordFactory,
    ContactPersonFactory,
    EmployeeFactory,
    JobPostingFactory,
    PayrollRecordFactory,
)

from . import at, seed_candidate


def run(rule, on):
    """Run ``rule`` with the clock at noon on ``on``; the number of rows it processed."""
    with time_machine.travel(at(on), tick=False):
        return engine.run_rule(rule).run.processed


# --- dates ---------------------------------------------------------------------------------------
def test_every_rule_the_registry_names_is_implemented_once():
    named = registry.retention_rules() | set(RULES)
    for rule in named:
        job = engine.job_for(rule)
        assert job.key == rule or rule in job.covers
    assert len(engine.JOBS) == len(set(engine.JOBS))
    assert {rule for job in engine.JOBS.values() for rule in (job.key, *job.covers)} == set(RULES)


PERIODS = st.sampled_from(
    [
        relativedelta(months=12),
        relativedelta(months=6),
        relativedelta(months=1),
        relativedelta(years=5),
        relativedelta(days=30),
        relativedelta(days=0),
        relativedelta(years=3, months=1),
    ]
)


@given(
    period=PERIODS,
    as_of=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)),
    fiscal=st.booleans(),
)
def test_the_cutoff_is_exactly_the_last_expired_clock_date(period, as_of, fiscal):
    rule = RetentionRule("test_only", "", "", Action.DELETE, period)
    cutoff = engine.clock_cutoff(rule, as_of, fiscal_year=fiscal)

    def expires(day):
        return (dt.date(day.year, 12, 31) if fiscal else day) + period

    assert expires(cutoff) <= as_of
    assert expires(cutoff + dt.timedelta(days=1)) > as_of


def test_month_ends_clip_and_the_cutoff_follows():
    rule = get_rule("application_posting_closed")  # 6 months
    # 31 August + 6 months = 28 February: on 28 February, 29-31 August have expired too.
    assert engine.clock_cutoff(rule, dt.date(2026, 2, 28)) == dt.date(2025, 8, 31)
    assert engine.clock_cutoff(rule, dt.date(2026, 3, 1)) == dt.date(2025, 9, 1)


# --- the CV bank ---------------------------------------------------------------------------------
ACTIVITY = dt.date(2025, 1, 10)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "purged"),
    [(364, 0), (365, 1), (366, 1)],
    ids=["day 364 kept", "day 365 purged", "day 366 purged"],
)
def test_a_profile_goes_twelve_months_after_its_last_activity(day, purged):
    seed_candidate(last_activity=ACTIVITY)
    assert run("cv_bank_inactivity", ACTIVITY + dt.timedelta(days=day)) == purged
    assert cm.Candidate.objects.count() == 1 - purged


@pytest.mark.django_db
def test_the_clock_is_the_local_date_of_the_last_activity():
    # 23:30 in Copenhagen on 10 January is 22:30 UTC the same day; 00:30 on 11 January is
    # still 10 January in UTC. The local date decides.
    late = seed_candidate()
    late.last_activity_at = at(ACTIVITY, hour=23) + dt.timedelta(minutes=30)
    early = seed_candidate()
    early.last_activity_at = at(ACTIVITY + dt.timedelta(days=1), hour=0) + dt.timedelta(minutes=30)
    cm.Candidate.objects.bulk_update([late, early], ["last_activity_at"])
    assert run("cv_bank_inactivity", dt.date(2026, 1, 10)) == 1
    assert list(cm.Candidate.objects.values_list("pk", flat=True)) == [early.pk]


@pytest.mark.django_db
def test_the_period_is_a_setting(settings):
    settings.RETENTION_PERIODS = {"cv_bank_inactivity": {"months": 24}}
    seed_candidate(last_activity=ACTIVITY)
    assert run("cv_bank_inactivity", dt.date(2026, 6, 1)) == 0
    assert run("cv_bank_inactivity", dt.date(2027, 1, 10)) == 1


@pytest.mark.django_db
def test_an_unconfirmed_signup_goes_after_thirty_days_and_a_pending_one_only_then():
    with time_machine.travel(at(dt.date(2026, 3, 1)), tick=False):
        pending = CandidateFactory(status=cm.Candidate.Status.PENDING, email_confirmed_at=None)
    active = seed_candidate(last_activity=dt.date(2026, 3, 1))
    assert run("cv_bank_unconfirmed", dt.date(2026, 3, 30)) == 0
    assert run("cv_bank_unconfirmed", dt.date(2026, 3, 31)) == 1
    assert list(cm.Candidate.objects.values_list("pk", flat=True)) == [active.pk]
    assert not cm.Candidate.objects.filter(pk=pending.pk).exists()


@pytest.mark.django_db
def test_applications_outside_the_cv_bank_go_six_months_after_the_posting_closed():
    posting = JobPostingFactory(closed_on=dt.date(2026, 1, 15))
    open_posting = JobPostingFactory()
    member = CandidateFactory()

    def apply(posting, candidate=None):
        return cm.Application.objects.create(
            posting=posting,
            candidate=candidate,
            channel="jobindex",
            first_name="A",
            last_name="B",
            email="a@example.dk",
            phone="20304050",
            received_at=at(dt.date(2026, 1, 2)),
        )

    outsider = apply(posting)
    in_cv_bank = apply(posting, member)
    still_open = apply(open_posting)
    assert run("application_posting_closed", dt.date(2026, 7, 14)) == 0
    assert run("application_posting_closed", dt.date(2026, 7, 15)) == 1
    remaining = set(cm.Application.objects.values_list("pk", flat=True))
    assert remaining == {in_cv_bank.pk, still_open.pk} and outsider.pk not in remaining
    assert Tombstone.objects.filter(model="candidates.application").count() == 1


# --- employees -----------------------------------------------------------------------------------
ENDED = dt.date(2024, 3, 31)


def _employee_with_payroll():
    employee = EmployeeFactory(employment_end=ENDED)
    PayrollRecordFactory(employee=employee)
    AbsenceRecord.objects.create(
        employee=employee,
        kind="sick",
        starts_on=dt.date(2024, 2, 1),
        ends_on=dt.date(2024, 2, 2),
        days=Decimal(2),
    )
    return employee


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("on", "purged"),
    [(dt.date(2029, 3, 30), 0), (dt.date(2029, 3, 31), 1), (dt.date(2029, 4, 1), 1)],
    ids=["the day before", "5 years to the day", "the day after"],
)
def test_employee_data_goes_five_years_after_the_employment_ended(on, purged):
    employee = _employee_with_payroll()
    current = EmployeeFactory()  # still employed: no clock
    with time_machine.travel(at(on), tick=False):
        done = engine.run_rule("employment_end").run
    assert done.processed == done.expected == purged
    assert Employee.objects.filter(pk=employee.pk).exists() is not bool(purged)
    assert PayrollRecord.objects.filter(employee_id=employee.pk).exists() is not bool(purged)
    assert Employee.objects.filter(pk=current.pk).exists()


@pytest.mark.django_db
def test_with_the_setting_the_period_counts_from_the_end_of_the_financial_year(settings):
    settings.RETENTION_FISCAL_YEAR_RULES = ["employment_end", "payroll"]
    _employee_with_payroll()
    assert run("employment_end", dt.date(2029, 4, 1)) == 0
    assert run("employment_end", dt.date(2029, 12, 30)) == 0
    assert run("employment_end", dt.date(2029, 12, 31)) == 1


@pytest.mark.django_db
def test_a_longer_payroll_period_keeps_the_employee_and_payroll_until_it_ends(settings):
    settings.RETENTION_PERIODS = {"payroll": {"years": 10}}
    employee = _employee_with_payroll()
    assert run("employment_end", dt.date(2030, 1, 1)) == 0
    assert Employee.objects.filter(pk=employee.pk).exists()
    assert run("employment_end", dt.date(2034, 3, 31)) == 1


@pytest.mark.django_db
def test_a_shorter_payroll_period_removes_payroll_and_absence_and_keeps_the_employee(settings):
    settings.RETENTION_PERIODS = {"payroll": {"years": 3}}
    employee = _employee_with_payroll()
    assert run("employment_end", dt.date(2027, 3, 31)) == 2  # a payslip and an absence
    assert Employee.objects.filter(pk=employee.pk).exists()
    assert not PayrollRecord.objects.filter(employee=employee).exists()
    assert not AbsenceRecord.objects.filter(employee=employee).exists()
    assert not Tombstone.objects.exists()  # the person is still there


# --- customers -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_an_ended_customer_loses_its_contacts_and_goes_when_nothing_else_keeps_it():
    ended_on = dt.date(2025, 1, 31)
    free = CompanyFactory(status=km.Company.Status.ENDED, relationship_ended_on=ended_on)
    billed = CompanyFactory(status=km.Company.Status.ENDED, relationship_ended_on=ended_on)
    active = CompanyFactory()
    for company in (free, billed, active):
        ContactPersonFactory(company=company)
    mandate = km.BetalingsserviceMandate.objects.create(
        company=billed,
        cvr=billed.cvr,
        reg_no="1234",
        account_no="0012345678",
        pbs_customer_number="42",
        status="cancelled",
        registered_on=dt.date(2020, 1, 1),
        cancelled_on=dt.date(2025, 1, 31),
    )
    assert run("customer_relationship", dt.date(2026, 1, 30)) == 0
    run("customer_relationship", dt.date(2026, 1, 31))
    assert not km.Company.objects.filter(pk=free.pk).exists()
    assert km.Company.objects.filter(pk=billed.pk).exists()  # its mandate is bookkeeping
    assert not km.ContactPerson.objects.filter(company=billed).exists()
    assert km.ContactPerson.objects.filter(company=active).count() == 1
    # Bookkeeping ends 5 years after the end of the financial year: 31 December 2030.
    assert run("accounting_record", dt.date(2030, 12, 30)) == 0
    assert run("accounting_record", dt.date(2030, 12, 31)) == 1
    assert not km.BetalingsserviceMandate.objects.filter(pk=mandate.pk).exists()
    assert run("customer_relationship", dt.date(2030, 12, 31)) == 1
    assert not km.Company.objects.filter(pk=billed.pk).exists()


@pytest.mark.django_db
def test_webshop_orders_are_anonymised_after_the_bookkeeping_period():
    order = km.WebshopOrder.objects.create(
        order_number="W-7",
        first_name="Ole",
        last_name="Olsen",
        street="Vej 1",
        postcode="4200",
        city="Slagelse",
        phone="20304050",
        email="ole@example.dk",
        total=Decimal("99.00"),
        placed_at=at(dt.date(2024, 6, 1)),
    )
    assert run("accounting_record", dt.date(2029, 12, 30)) == 0
    assert run("accounting_record", dt.date(2029, 12, 31)) == 1
    order.refresh_from_db()
    assert order.email == "" and order.anonymised_at and order.total == Decimal("99.00")
    assert run("accounting_record", dt.date(2030, 1, 1)) == 0


@pytest.mark.django_db
def test_withdrawn_references_and_partners_go_with_their_logos():
    company = CompanyFactory()
    withdrawn = km.CustomerReference.objects.create(
        company=company,
        comment="God service",
        contact_name="Ole",
        logo="marketing/logo.png",
        permission_given_at=at(dt.date(2024, 1, 1)),
        permission_withdrawn_at=at(dt.date(2026, 2, 1)),
    )
    shown = km.Partner.objects.create(
        name="Partner A/S",
        agreement="Samarbejde",
        contact_name="Ida",
        permission_given_at=at(dt.date(2024, 1, 1)),
    )
    assert run("marketing_permission", dt.date(2026, 1, 31)) == 0
    assert run("marketing_permission", dt.date(2026, 2, 1)) == 1
    assert not km.CustomerReference.objects.filter(pk=withdrawn.pk).exists()
    assert km.Partner.objects.filter(pk=shown.pk).exists()


@pytest.mark.django_db
def test_enquiries_go_twelve_months_after_they_arrived():
    enquiry = km.ContactEnquiry.objects.create(
        name="Ole", email="ole@example.dk", received_at=at(dt.date(2025, 5, 5))
    )
    assert run("contact_enquiry", dt.date(2026, 5, 4)) == 0
    assert run("contact_enquiry", dt.date(2026, 5, 5)) == 1
    assert Tombstone.objects.filter(subject_ref=enquiry.public_id).exists()


# --- newsletter, consent, audit ------------------------------------------------------------------
@pytest.mark.django_db
def test_newsletter_unsubscribed_are_anonymised_and_unconfirmed_go_after_thirty_days():
    signup = at(dt.date(2026, 3, 1))
    pending = km.NewsletterSubscriber.objects.create(email="p@example.dk", subscribed_at=signup)
    left = km.NewsletterSubscriber.objects.create(
        email="left@example.dk",
        status="unsubscribed",
        subscribed_at=signup,
        unsubscribed_at=at(dt.date(2026, 3, 5)),
    )
    reader = km.NewsletterSubscriber.objects.create(
        email="r@example.dk", status="confirmed", subscribed_at=signup
    )
    assert run("newsletter_unsubscribed", dt.date(2026, 3, 4)) == 0
    assert run("newsletter_unsubscribed", dt.date(2026, 3, 5)) == 1
    assert run("newsletter_unconfirmed", dt.date(2026, 3, 30)) == 0
    assert run("newsletter_unconfirmed", dt.date(2026, 3, 31)) == 1
    assert not km.NewsletterSubscriber.objects.filter(pk=pending.pk).exists()
    left.refresh_from_db()
    assert left.email_digest and "left@" not in left.email and left.status == "unsubscribed"
    reader.refresh_from_db()
    assert reader.email == "r@example.dk" and reader.email_digest == ""


@pytest.mark.django_db
def test_consent_proof_outlives_the_person_by_the_limitation_period():
    with time_machine.travel(at(dt.date(2024, 1, 1)), tick=False):
        consent = ConsentRecordFactory(candidate=seed_candidate(last_activity=dt.date(2024, 1, 1)))
        active = CandidateFactory(last_activity_at=at(dt.date(2027, 12, 1)))
        withdrawn = ConsentRecordFactory(candidate=active, withdrawn_at=at(dt.date(2024, 2, 1)))
        kept = ConsentRecordFactory(candidate=active)
    assert run("cv_bank_inactivity", dt.date(2025, 1, 1)) == 1  # tombstone dated 2025-01-01
    assert run("consent_proof", dt.date(2027, 1, 31)) == 0
    assert run("consent_proof", dt.date(2027, 2, 1)) == 1  # withdrawn + 3 years
    assert run("consent_proof", dt.date(2028, 1, 1)) == 1  # the person's tombstone + 3 years
    remaining = set(ConsentRecord.objects.values_list("pk", flat=True))
    assert remaining == {kept.pk} and consent.pk not in remaining and withdrawn.pk not in remaining


@pytest.mark.django_db
def test_the_audit_trail_keeps_five_years_in_monthly_chunks():
    old = [audit(AuditAction.LOGIN, at=at(dt.date(2019, m, 2))) for m in (1, 3, 6)]
    recent = audit(AuditAction.LOGIN, at=at(dt.date(2021, 1, 1)))
    with time_machine.travel(at(dt.date(2025, 1, 1)), tick=False):
        outcome = engine.run_rule("audit_trail")
    assert outcome.run.processed == 3 and outcome.run.counts == {"privacy.auditentry": 3}
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEntry.objects.filter(pk=recent.pk).exists()
