"""retention/accountability.py: the rules of the accountability records, at their boundaries.

Each rule keeps a record on the day before its expiry and deletes it on the day after; open
records are never selected; files go after the commit; holds keep what they hold."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from privacy.models import (
    Breach,
    PrivacyNoticeVersion,
    RecipientNotice,
    RequestExport,
    RequestMatch,
    SubjectRequest,
)
from retention import engine
from retention.models import DeletionNotice, LegalHold, RetentionBatch, RetentionRun, Tombstone
from retention.purge import pseudonym
from tests.factories import CandidateFactory, CompanyFactory

from . import at, media_path

pytestmark = pytest.mark.django_db

CLOSED_ON = dt.date(2022, 3, 15)
# Three years after 15 March 2022 is the first day it may no longer be kept (the rule's
# ``expires_on``): kept on 14 March 2025, gone on the 15th.
LAST_DAY_KEPT = dt.date(2025, 3, 14)


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("dpo-acc", password="x" * 16)


def run(rule, day, **kwargs):
    with time_machine.travel(at(day), tick=False):
        return engine.run_rule(rule, as_of=day, triggered_by="test", **kwargs).run


def make_request(staff, *, closed_on=None, email="mette@example.dk", **fields):
    received = at(closed_on or dt.date(2026, 1, 5)) - dt.timedelta(days=20)
    return SubjectRequest.objects.create(
        reference=f"SR-T-{uuid.uuid4().hex[:8]}",
        kind=SubjectRequest.Kind.ACCESS,
        channel=SubjectRequest.Channel.EMAIL,
        received_at=received,
        requester_name="Mette Jensen",
        requester_email=email,
        due_on=timezone.localdate(received) + dt.timedelta(days=30),
        handler=staff,
        status=SubjectRequest.Status.ANSWERED if closed_on else SubjectRequest.Status.RECEIVED,
        closed_at=at(closed_on, 15) if closed_on else None,
        **fields,
    )


def with_answer(request, staff, candidate):
    RequestMatch.objects.create(
        request=request,
        content_type=ContentType.objects.get_for_model(candidate),
        object_id=str(candidate.pk),
        label="Mette Jensen <mette@example.dk>",
        confirmed=True,
    )
    RecipientNotice.objects.create(request=request, company=CompanyFactory())
    export = RequestExport(
        request=request,
        kind=RequestExport.Kind.ACCESS,
        expires_at=timezone.now(),
        created_by=staff,
        status="done",
    )
    export.file.save("answer.zip", ContentFile(b"PK demo"), save=False)
    export.save()
    return export


# --- subject requests ----------------------------------------------------------------------------
def test_a_closed_request_is_kept_3_years_and_then_deleted_with_its_answer_and_file(
    staff, django_capture_on_commit_callbacks
):
    candidate = CandidateFactory()
    request = make_request(staff, closed_on=CLOSED_ON)
    export = with_answer(request, staff, candidate)
    path = media_path(export.file.name)
    assert path.exists()

    kept = run("subject_request", LAST_DAY_KEPT)
    assert kept.status == RetentionRun.Status.DONE and kept.processed == 0
    assert SubjectRequest.objects.filter(pk=request.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        gone = run("subject_request", LAST_DAY_KEPT + dt.timedelta(days=1))
    assert gone.status == RetentionRun.Status.DONE
    assert not SubjectRequest.objects.filter(pk=request.pk).exists()
    assert not RequestMatch.objects.filter(request_id=request.pk).exists()
    assert not RecipientNotice.objects.filter(request_id=request.pk).exists()
    assert not RequestExport.objects.filter(pk=export.pk).exists()
    assert not path.exists()
    assert gone.processed == 1
    assert gone.counts["privacy.subjectrequest"] == 1
    assert gone.counts["privacy.requestexport"] == 1
    # The request was a person's own record: a tombstone proves it went, without its data.
    stone = Tombstone.objects.get(model="privacy.subjectrequest")
    assert stone.subject_ref == pseudonym(SubjectRequest, request.pk)
    assert stone.rule == "subject_request" and stone.run_id == gone.pk
    assert CandidateFactory._meta.model.objects.filter(pk=candidate.pk).exists()


def test_an_open_request_is_never_deleted_however_old(staff):
    request = make_request(staff)
    SubjectRequest.objects.filter(pk=request.pk).update(received_at=at(dt.date(2015, 1, 1)))
    run("subject_request", dt.date(2030, 1, 1))
    assert SubjectRequest.objects.filter(pk=request.pk).exists()


def test_a_legal_hold_on_a_request_keeps_it(staff):
    request = make_request(staff, closed_on=CLOSED_ON)
    LegalHold.objects.create(
        content_type=ContentType.objects.get_for_model(SubjectRequest),
        object_id=str(request.pk),
        reason="Klage til Datatilsynet",
        owner=staff,
    )
    done = run("subject_request", dt.date(2026, 1, 1))
    assert done.processed == 0
    assert SubjectRequest.objects.filter(pk=request.pk).exists()


def test_the_request_period_is_a_setting(staff, settings):
    settings.RETENTION_PERIODS = {"subject_request": {"years": 1}}
    request = make_request(staff, closed_on=CLOSED_ON)
    run("subject_request", dt.date(2023, 3, 15))
    assert not SubjectRequest.objects.filter(pk=request.pk).exists()


# --- breaches ------------------------------------------------------------------------------------
def make_breach(staff, *, closed_on=None):
    aware = at(closed_on or dt.date(2026, 1, 5)) - dt.timedelta(days=10)
    return Breach.objects.create(
        reference=f"BR-T-{uuid.uuid4().hex[:8]}",
        title="CV sendt til forkert kunde",
        description="Et CV blev sendt til en forkert modtager.",
        aware_at=aware,
        status=Breach.Status.CLOSED if closed_on else Breach.Status.OPEN,
        closed_at=at(closed_on) if closed_on else None,
        handler=staff,
        created_by=staff,
    )


def test_a_closed_breach_is_kept_5_years_then_deleted_without_a_tombstone(staff):
    breach = make_breach(staff, closed_on=CLOSED_ON)
    still_open = make_breach(staff)
    Breach.objects.filter(pk=still_open.pk).update(aware_at=at(dt.date(2015, 1, 1)))

    run("breach_record", dt.date(2027, 3, 14))
    assert Breach.objects.filter(pk=breach.pk).exists()

    gone = run("breach_record", dt.date(2027, 3, 15))
    assert not Breach.objects.filter(pk=breach.pk).exists()
    assert Breach.objects.filter(pk=still_open.pk).exists()
    assert gone.counts == {"privacy.breach": 1}
    # A breach is not a person: no tombstone for it.
    assert not Tombstone.objects.filter(model="privacy.breach").exists()


# --- legal holds ---------------------------------------------------------------------------------
def test_a_lifted_hold_goes_3_years_after_lifting_and_one_in_force_stays(staff):
    lifted = LegalHold.objects.create(
        subject_ref=uuid.uuid4(), reason="Tvist", owner=staff, lifted_at=at(CLOSED_ON)
    )
    ended = LegalHold.objects.create(
        subject_ref=uuid.uuid4(), reason="Sag hos myndighed", owner=staff, ends_on=CLOSED_ON
    )
    in_force = LegalHold.objects.create(subject_ref=uuid.uuid4(), reason="Retssag", owner=staff)

    run("legal_hold", LAST_DAY_KEPT)
    assert LegalHold.objects.count() == 3

    gone = run("legal_hold", LAST_DAY_KEPT + dt.timedelta(days=1))
    assert set(LegalHold.objects.values_list("pk", flat=True)) == {in_force.pk}
    assert gone.processed == 2
    assert not LegalHold.objects.filter(pk__in=[lifted.pk, ended.pk]).exists()


# --- deletion notices ----------------------------------------------------------------------------
def test_a_deletion_notice_goes_3_years_after_the_date_it_announced(staff):
    candidate = CandidateFactory()
    notice = DeletionNotice.objects.create(
        candidate=candidate, expires_on=CLOSED_ON, sent_at=at(CLOSED_ON), language="da"
    )
    run("deletion_notice", LAST_DAY_KEPT)
    assert DeletionNotice.objects.filter(pk=notice.pk).exists()
    run("deletion_notice", LAST_DAY_KEPT + dt.timedelta(days=1))
    assert not DeletionNotice.objects.filter(pk=notice.pk).exists()
    assert CandidateFactory._meta.model.objects.filter(pk=candidate.pk).exists()


# --- the retention engine's own records ----------------------------------------------------------
def test_runs_and_tombstones_go_5_years_after_and_the_run_counts_them():
    old_run = RetentionRun.objects.create(
        rule="cv_bank_inactivity",
        as_of=CLOSED_ON,
        status=RetentionRun.Status.DONE,
        started_at=at(CLOSED_ON),
        finished_at=at(CLOSED_ON),
        triggered_by="dpo",
    )
    RetentionBatch.objects.create(run=old_run, target=0, upto=10)
    old_stone = Tombstone.objects.create(
        subject_ref=uuid.uuid4(), model="candidates.candidate", rule="x", deleted_at=at(CLOSED_ON)
    )
    new_stone = Tombstone.objects.create(
        subject_ref=uuid.uuid4(),
        model="candidates.candidate",
        rule="x",
        deleted_at=at(CLOSED_ON + dt.timedelta(days=2)),
        run=old_run,
    )

    dry = run("retention_record", dt.date(2027, 3, 15), dry_run=True)
    assert dry.counts == {"retention.retentionrun": 1, "retention.tombstone": 1}
    assert Tombstone.objects.count() == 2

    kept = run("retention_record", dt.date(2027, 3, 14))
    assert kept.processed == 0 and Tombstone.objects.count() == 2

    gone = run("retention_record", dt.date(2027, 3, 15))
    assert gone.status == RetentionRun.Status.DONE
    assert gone.processed == 2
    assert gone.counts == {"retention.retentionrun": 1, "retention.tombstone": 1}
    assert not RetentionRun.objects.filter(pk=old_run.pk).exists()
    assert not RetentionBatch.objects.filter(run_id=old_run.pk).exists()
    assert not Tombstone.objects.filter(pk=old_stone.pk).exists()
    new_stone.refresh_from_db()
    assert new_stone.run_id is None  # outlives its run, on its own date
    # The runs that just ran are not their own victims.
    assert RetentionRun.objects.filter(pk__in=[dry.pk, kept.pk, gone.pk]).count() == 3


# --- the archive of privacy notices --------------------------------------------------------------
def test_an_archived_notice_goes_5_years_after_it_was_replaced_and_the_current_one_stays(staff):
    old = PrivacyNoticeVersion.objects.create(
        version=1,
        content_da="v1",
        content_en="v1",
        published_at=at(dt.date(2021, 1, 1)),
        published_by=staff,
        is_current=False,
        archived_at=at(CLOSED_ON),
    )
    current = PrivacyNoticeVersion.objects.create(
        version=2, content_da="v2", content_en="v2", published_at=at(CLOSED_ON), is_current=True
    )
    run("privacy_notice_version", dt.date(2027, 3, 14))
    assert PrivacyNoticeVersion.objects.filter(pk=old.pk).exists()
    run("privacy_notice_version", dt.date(2040, 1, 1))
    assert list(PrivacyNoticeVersion.objects.values_list("pk", flat=True)) == [current.pk]


def test_every_accountability_rule_is_scheduled(settings):
    scheduled = {
        rule
        for job in settings.SEROP_PERIODIC_TASKS.values()
        for rule in job.get("kwargs", {}).get("rules", [])
    }
    assert {
        "subject_request",
        "breach_record",
        "legal_hold",
        "deletion_notice",
        "retention_record",
        "privacy_notice_version",
    } <= scheduled
