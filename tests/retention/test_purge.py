"""retention.purge: the one implementation of deleting a person, set-based and complete."""

import datetime as dt
import os
import uuid
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.models.signals import post_delete, pre_delete
from django.utils import timezone

from candidates import models as cm
from candidates.services import candidate_disclose
from consents.models import ConsentRecord
from customers import models as km
from employees.models import Employee
from privacy.audit import MASK, Action, audit
from privacy.models import AuditEntry
from retention import files as retention_files
from retention import purge
from retention.anonymise import (
    anonymise_orders,
    anonymise_subscribers,
    email_digest,
    previously_unsubscribed,
)
from retention.models import LegalHold, RetentionRun, Tombstone
from retention.purge import PurgeBlocked, plan, purge_people
from tests.factories import (
    CompanyFactory,
    ConsentRecordFactory,
    ContactPersonFactory,
    EmployeeFactory,
    JobPostingFactory,
    PayrollRecordFactory,
)

from . import media_path, rows_of, seed_candidate

pytestmark = pytest.mark.django_db

RULE = "cv_bank_inactivity"


@pytest.fixture
def run():
    return RetentionRun.objects.create(rule=RULE, as_of=timezone.localdate())


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("dpo", password="x" * 16)


def test_a_purge_removes_the_whole_cascade_of_the_person_and_nothing_of_anyone_else(
    run, staff, django_capture_on_commit_callbacks
):
    gone, kept = seed_candidate(), seed_candidate()
    document = gone.documents.get()
    preferences = cm.JobPreference.objects.create(candidate=gone)
    preferences.job_types.add(cm.JobType.objects.create(name="Lager"))
    company = CompanyFactory()
    disclosure = candidate_disclose(
        candidate=gone, company=company, documents=[document], method="phone", actor=staff
    )
    posting = JobPostingFactory(company=company)
    application = cm.Application.objects.create(
        posting=posting,
        candidate=gone,
        channel="jobindex",
        first_name="M",
        last_name="J",
        email="m@example.dk",
        phone="20304050",
        received_at=timezone.now(),
    )
    employee = EmployeeFactory(candidate=gone)
    consent = ConsentRecordFactory(candidate=gone)

    with django_capture_on_commit_callbacks(execute=True):
        result = purge_people(cm.Candidate, [gone.pk], rule=RULE, run=run)

    assert result.people == 1
    assert not cm.Candidate.objects.filter(pk=gone.pk).exists()
    assert rows_of(gone.pk) == dict.fromkeys(rows_of(gone.pk), 0)
    assert not cm.JobPreference.objects.filter(pk=preferences.pk).exists()
    assert not cm.JobPreference.job_types.through.objects.filter(
        jobpreference_id=preferences.pk
    ).exists()
    assert not cm.Disclosure.objects.filter(pk=disclosure.pk).exists()
    assert not cm.Disclosure.documents.through.objects.filter(disclosure_id=disclosure.pk).exists()
    # SET_NULL links: the rows stay, under their own rules, without the person.
    application.refresh_from_db()
    employee.refresh_from_db()
    consent.refresh_from_db()
    assert application.candidate_id is None
    assert employee.candidate_id is None
    assert consent.candidate_id is None and consent.subject_ref == gone.public_id
    # Everyone else untouched, the shared job type and the customer too.
    assert rows_of(kept.pk) == {"documents": 1, "educations": 1, "experiences": 1, "activities": 1}
    assert cm.JobType.objects.filter(name="Lager").exists()
    assert km.Company.objects.filter(pk=company.pk).exists()
    assert result.counts == {
        "candidates.candidate": 1,
        "candidates.candidatedocument": 1,
        "candidates.education": 1,
        "candidates.experience": 1,
        "candidates.activityevent": 2,  # the signup and the disclosure
        "candidates.jobpreference": 1,
        "candidates.jobpreference_job_types": 1,
        "candidates.disclosure": 1,
        "candidates.disclosure_documents": 1,
    }
    assert result.files == [document.file.name]
    assert not media_path(document.file.name).exists()
    assert media_path(kept.documents.get().file.name).exists()


def test_each_purged_person_leaves_one_tombstone_without_personal_data(run):
    people = [seed_candidate() for _ in range(3)]
    purge_people(cm.Candidate, [p.pk for p in people], rule=RULE, run=run)
    stones = Tombstone.objects.filter(run=run)
    assert sorted(s.subject_ref for s in stones) == sorted(p.public_id for p in people)
    assert {(s.model, s.rule) for s in stones} == {("candidates.candidate", RULE)}
    assert [f.name for f in Tombstone._meta.concrete_fields] == [
        "id",
        "subject_ref",
        "model",
        "rule",
        "deleted_at",
        "run",
    ]


def test_a_person_without_a_public_id_gets_a_stable_pseudonym(run):
    company = CompanyFactory(status=km.Company.Status.ENDED)
    purge_people(km.Company, [company.pk], rule="customer_relationship", run=run)
    stone = Tombstone.objects.get(run=run)
    assert stone.model == "customers.company"
    assert stone.subject_ref == purge.pseudonym(km.Company, company.pk)
    assert stone.subject_ref == uuid.uuid5(
        purge.PSEUDONYM_NAMESPACE, f"customers.company:{company.pk}"
    )


def test_a_cascaded_person_gets_a_tombstone_too(run):
    company = CompanyFactory(status=km.Company.Status.ENDED)
    contact = ContactPersonFactory(company=company)
    result = purge_people(km.Company, [company.pk], rule="customer_relationship", run=run)
    assert result.counts["customers.contactperson"] == 1
    assert Tombstone.objects.filter(subject_ref=contact.public_id, model="customers.contactperson")


def test_the_query_count_does_not_grow_with_the_number_of_people(
    run, django_assert_max_num_queries
):
    few = [seed_candidate().pk for _ in range(2)]
    many = [seed_candidate().pk for _ in range(12)]
    with django_assert_max_num_queries(60) as few_queries:
        purge_people(cm.Candidate, few, rule=RULE, run=run)
    with django_assert_max_num_queries(60) as many_queries:
        purge_people(cm.Candidate, many, rule=RULE, run=run)
    assert len(many_queries.captured_queries) == len(few_queries.captured_queries)


def test_a_second_purge_of_the_same_people_does_nothing(run):
    person = seed_candidate()
    assert purge_people(cm.Candidate, [person.pk], rule=RULE, run=run).people == 1
    again = purge_people(cm.Candidate, [person.pk], rule=RULE, run=run)
    assert again.people == 0 and again.tombstones == 0 and not again.counts
    assert Tombstone.objects.filter(subject_ref=person.public_id).count() == 1


def test_restricted_records_are_purged_on_their_date(run):
    person = seed_candidate(is_restricted=True)
    assert purge_people(cm.Candidate, [person.pk], rule=RULE, run=run).people == 1


def test_the_project_sends_no_delete_signals_the_set_based_purge_would_skip():
    for model in {
        node.model for root in (cm.Candidate, Employee, km.Company) for node in plan(root).walk()
    }:
        assert not pre_delete.has_listeners(model), model
        assert not post_delete.has_listeners(model), model


# --- files ---------------------------------------------------------------------------------------
def test_files_go_only_after_the_commit(run, django_capture_on_commit_callbacks):
    person = seed_candidate()
    path = media_path(person.documents.get().file.name)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        purge_people(cm.Candidate, [person.pk], rule=RULE, run=run)
    assert path.exists()  # the row is gone in the transaction, the file still there
    for callback in callbacks:
        callback()
    assert not path.exists()
    run.refresh_from_db()
    assert run.files_removed == 1


def test_a_rolled_back_purge_leaves_rows_and_files(run, django_capture_on_commit_callbacks):
    person = seed_candidate()
    path = media_path(person.documents.get().file.name)

    def purge_then_fail():
        with transaction.atomic():
            purge_people(cm.Candidate, [person.pk], rule=RULE, run=run)
            raise RuntimeError("after the purge, before the commit")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        purge_then_fail()
    assert not callbacks
    assert path.exists()
    assert rows_of(person.pk)["documents"] == 1


def test_a_file_already_missing_counts_as_removed(run):
    person = seed_candidate()
    name = person.documents.get().file.name
    media_path(name).unlink()
    report = retention_files.remove_files([name], run_id=run.pk)
    assert report.removed == 1 and not report.failed


def test_a_storage_error_is_retried_then_succeeds(run, monkeypatch):
    person = seed_candidate()
    name = person.documents.get().file.name
    real_remove = os.remove
    calls = []

    def flaky(path):
        calls.append(path)
        if len(calls) < 3:
            raise OSError("storage busy")
        real_remove(path)

    monkeypatch.setattr(retention_files, "BACKOFF_SECONDS", 0)
    monkeypatch.setattr(retention_files.os, "remove", flaky)
    report = retention_files.remove_files([name], run_id=run.pk)
    assert len(calls) == 3 and report.removed == 1
    assert not media_path(name).exists()


def test_a_storage_error_that_persists_is_reported_in_the_run_and_the_log(run, monkeypatch, caplog):
    person = seed_candidate()
    name = person.documents.get().file.name

    def broken(path):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(retention_files, "BACKOFF_SECONDS", 0)
    monkeypatch.setattr(retention_files.os, "remove", broken)
    report = retention_files.remove_files([name], run_id=run.pk)
    assert report.removed == 0 and len(report.failed) == 1
    run.refresh_from_db()
    assert run.files_removed == 0
    assert "1 file(s) could not be removed" in run.errors and name in run.errors
    assert "PermissionError" in caplog.text


def test_other_storages_delete_through_their_own_api(run, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("candidates/cv.pdf", ContentFile(b"cv"))
    report = retention_files.remove_files([name, "candidates/never-there.pdf"], run_id=run.pk)
    assert report.removed == 2 and not default_storage.exists(name)


def test_a_name_outside_the_storage_folder_is_refused(run):
    report = retention_files.remove_files(["../../etc/passwd"], run_id=run.pk)
    assert report.removed == 0 and "SuspiciousFileOperation" in report.failed[0]


def test_the_orphan_sweep_removes_only_old_unreferenced_files(run):
    kept = seed_candidate()
    referenced = media_path(kept.documents.get().file.name)
    orphan = media_path("candidates/orphan.pdf")
    orphan.write_bytes(b"left behind")
    cutoff = timezone.now() + dt.timedelta(seconds=5)
    fresh = media_path("candidates/in-flight.pdf")
    report = retention_files.sweep_orphans([cm.CandidateDocument], older_than=cutoff, run_id=run.pk)
    assert report.removed == 1
    assert not orphan.exists() and referenced.exists()
    fresh.write_bytes(b"being uploaded")
    retention_files.sweep_orphans(
        [cm.CandidateDocument], older_than=timezone.now() - dt.timedelta(hours=1)
    )
    assert fresh.exists()


# --- legal holds ---------------------------------------------------------------------------------
def test_a_hold_on_the_person_keeps_them_whole(run, staff):
    held, free = seed_candidate(), seed_candidate()
    LegalHold.objects.create(subject_ref=held.public_id, reason="Klage", owner=staff)
    result = purge_people(cm.Candidate, [held.pk, free.pk], rule=RULE, run=run)
    assert result.held == [held.pk] and result.people == 1
    assert rows_of(held.pk)["documents"] == 1
    assert not Tombstone.objects.filter(subject_ref=held.public_id).exists()


def test_a_hold_on_one_record_of_the_cascade_keeps_the_person(run, staff):
    person = seed_candidate()
    LegalHold.objects.create(
        content_type=ContentType.objects.get_for_model(cm.CandidateDocument),
        object_id=str(person.documents.get().pk),
        reason="Tvist",
        owner=staff,
    )
    result = purge_people(cm.Candidate, [person.pk], rule=RULE, run=run)
    assert result.held == [person.pk]
    assert cm.Candidate.objects.filter(pk=person.pk).exists()


def test_lifted_and_ended_holds_no_longer_block(run, staff):
    a, b = seed_candidate(), seed_candidate()
    LegalHold.objects.create(
        subject_ref=a.public_id, reason="Løst", owner=staff, lifted_at=timezone.now()
    )
    LegalHold.objects.create(
        subject_ref=b.public_id,
        reason="Udløbet",
        owner=staff,
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    )
    assert purge_people(cm.Candidate, [a.pk, b.pk], rule=RULE, run=run).people == 2


def test_a_protected_row_stops_the_purge_before_anything_is_written(run):
    company = CompanyFactory(status=km.Company.Status.ENDED)
    contact = ContactPersonFactory(company=company)
    km.Subscription.objects.create(
        company=company, product="hr", monthly_price=Decimal(100), started_on=dt.date(2020, 1, 1)
    )
    with pytest.raises(PurgeBlocked, match=r"customers\.subscription\.company"):
        purge_people(km.Company, [company.pk], rule="customer_relationship", run=run)
    assert km.ContactPerson.objects.filter(pk=contact.pk).exists()
    assert not Tombstone.objects.exists()


# --- the audit trail -----------------------------------------------------------------------------
def test_audit_entries_of_a_purged_person_keep_only_the_pseudonymous_id(run):
    person = seed_candidate()
    other = seed_candidate()
    change = audit(Action.CHANGE, obj=person, changes={"first_name": ("Mette", "Mette Marie")})
    viewed = audit(Action.VIEW, obj=person)
    untouched = audit(Action.CHANGE, obj=other, changes={"first_name": ("Ida", "Ida Sofie")})
    purge_people(cm.Candidate, [person.pk], rule=RULE, run=run)

    change = AuditEntry.objects.get(pk=change.pk)
    assert change.subject_ref == person.public_id
    assert change.changes == {"first_name": [MASK, MASK]}
    assert change.at and change.action == Action.CHANGE
    assert AuditEntry.objects.get(pk=viewed.pk).subject_ref == person.public_id
    assert AuditEntry.objects.get(pk=untouched.pk).changes == {"first_name": ["Ida", "Ida Sofie"]}
    entry = AuditEntry.objects.get(action=Action.PURGE)
    assert entry.subject_ref is None and entry.count == 1
    assert "candidates.candidate=1" in entry.detail and f"run {run.pk}" in entry.detail
    assert "Mette" not in str(list(AuditEntry.objects.values()))


def test_the_persons_own_ip_addresses_go_and_staff_addresses_stay(run, rf, staff):
    person = seed_candidate()
    other = seed_candidate()
    public = rf.post("/cv-bank/mine-data/", REMOTE_ADDR="198.51.100.7")
    office = rf.get("/admin/", REMOTE_ADDR="192.0.2.10")
    office.user = staff
    signed_in = audit(Action.LOGIN, request=public, obj=person)  # the person, on a public page
    viewed = audit(Action.VIEW, request=office, obj=person)  # a staff member
    theirs = audit(Action.LOGIN, request=public, obj=other)
    purge_people(cm.Candidate, [person.pk], rule=RULE, run=run)

    signed_in = AuditEntry.objects.get(pk=signed_in.pk)
    assert signed_in.ip_address is None and signed_in.subject_ref == person.public_id
    assert signed_in.action == Action.LOGIN and signed_in.at
    assert AuditEntry.objects.get(pk=viewed.pk).ip_address == "192.0.2.10"
    assert AuditEntry.objects.get(pk=theirs.pk).ip_address == "198.51.100.7"


def test_an_anonymised_subscribers_own_ip_address_goes(run, rf):
    subscriber = km.NewsletterSubscriber.objects.create(
        email="left@example.dk",
        status="unsubscribed",
        subscribed_at=timezone.now(),
        unsubscribed_at=timezone.now(),
    )
    entry = audit(
        Action.CHANGE,
        request=rf.post("/nyhedsbrev/afmeld/", REMOTE_ADDR="198.51.100.8"),
        obj=subscriber,
        fields=["status"],
    )
    anonymise_subscribers(
        km.NewsletterSubscriber, [subscriber.pk], rule="newsletter_unsubscribed", run=run
    )
    assert AuditEntry.objects.get(pk=entry.pk).ip_address is None


def test_the_trail_is_append_only_again_after_a_purge(run):
    person = seed_candidate()
    audit(Action.CHANGE, obj=person, changes={"first_name": ("Mette", "Mette Marie")})
    purge_people(cm.Candidate, [person.pk], rule=RULE, run=run)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM privacy_auditentry")


def test_audit_entries_of_a_purged_applicant_are_masked_by_record(run):
    application = cm.Application.objects.create(
        posting=JobPostingFactory(),
        channel="jobindex",
        first_name="Ole",
        last_name="Olsen",
        email="ole@example.dk",
        phone="20304050",
        received_at=timezone.now(),
    )
    entry = audit(Action.CHANGE, obj=application, changes={"last_name": ("Olsen", "Olesen")})
    purge_people(cm.Application, [application.pk], rule="application_posting_closed", run=run)
    assert AuditEntry.objects.get(pk=entry.pk).changes == {"last_name": [MASK, MASK]}


# --- anonymising ---------------------------------------------------------------------------------
def test_an_unsubscribed_address_leaves_only_the_proof_of_the_opt_out(run):
    subscriber = km.NewsletterSubscriber.objects.create(
        email="Ida@Example.dk",
        status=km.NewsletterSubscriber.Status.UNSUBSCRIBED,
        subscribed_at=timezone.now(),
        unsubscribed_at=timezone.now(),
    )
    result = anonymise_subscribers(
        km.NewsletterSubscriber, [subscriber.pk], rule="newsletter_unsubscribed", run=run
    )
    subscriber.refresh_from_db()
    assert result.people == 1 and result.tombstones == 1
    assert "ida" not in subscriber.email.lower()
    assert subscriber.email_digest == email_digest("ida@example.dk")
    assert subscriber.unsubscribed_at is not None
    assert previously_unsubscribed("IDA@example.dk ")
    assert not previously_unsubscribed("someone@example.dk")
    assert Tombstone.objects.filter(subject_ref=subscriber.public_id).exists()
    # Twice is once.
    again = anonymise_subscribers(
        km.NewsletterSubscriber, [subscriber.pk], rule="newsletter_unsubscribed", run=run
    )
    assert again.people == 0


def test_an_old_order_keeps_the_sale_and_loses_the_buyer(run):
    company = CompanyFactory()
    order = km.WebshopOrder.objects.create(
        order_number="W-1",
        company=company,
        first_name="Ole",
        last_name="Olsen",
        company_name="Olsens VVS",
        street="Vej 1",
        postcode="4200",
        city="Slagelse",
        phone="20304050",
        email="ole@example.dk",
        total=Decimal("499.00"),
        gateway_transaction_ref="qp-123",
        placed_at=timezone.now(),
    )
    km.OrderLine.objects.create(order=order, product="Kontrakt", unit_price=Decimal("499.00"))
    result = anonymise_orders(km.WebshopOrder, [order.pk], rule="accounting_record", run=run)
    order.refresh_from_db()
    assert result.people == 1
    assert (order.first_name, order.last_name, order.email, order.phone, order.street) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert order.company_id is None and order.company_name == "" and order.anonymised_at
    assert order.total == Decimal("499.00") and order.lines.count() == 1


def test_payroll_rows_purge_without_tombstones(run):
    payslip = PayrollRecordFactory()
    result = purge_people(type(payslip), [payslip.pk], rule="payroll", run=run)
    assert result.people == 1 and result.tombstones == 0
    assert Employee.objects.filter(pk=payslip.employee_id).exists()


def test_consent_records_outlive_their_person_by_subject_ref(run):
    consent = ConsentRecordFactory()
    purge_people(cm.Candidate, [consent.candidate_id], rule=RULE, run=run)
    consent = ConsentRecord.objects.get(pk=consent.pk)
    assert consent.candidate_id is None
    assert Tombstone.objects.filter(subject_ref=consent.subject_ref).exists()
