import datetime as dt
from calendar import monthrange

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from privacy.models import AuditEntry, SubjectRequest
from privacy.models.requests import answer_due
from privacy.subject_requests import (
    subject_request_close,
    subject_request_extend,
    subject_request_receive,
    subject_request_verify,
)
from tests.concurrency import race


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 3, 31), dt.date(2026, 4, 30)),
        (dt.date(2026, 12, 15), dt.date(2027, 1, 15)),
        (dt.date(2026, 2, 28), dt.date(2026, 3, 28)),
    ],
)
def test_the_answer_is_due_one_calendar_month_after_receipt(received, due):
    assert answer_due(received) == due


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_the_due_date_is_the_same_day_next_month_or_that_months_last_day(received):
    due = answer_due(received)
    next_month = (received.month % 12) + 1
    assert due.month == next_month
    last_day = monthrange(due.year, due.month)[1]
    assert due.day == min(received.day, last_day)


@pytest.mark.django_db
def test_a_request_gets_a_reference_and_a_due_date_and_is_audited():
    received = timezone.make_aware(dt.datetime(2026, 1, 31, 10, 0))
    first = subject_request_receive(
        kind="access", channel="email", requester_name="Mette", received_at=received
    )
    second = subject_request_receive(
        kind="erasure", channel="letter", requester_name="Lars", received_at=received
    )
    assert (first.reference, second.reference) == ("SR-2026-0001", "SR-2026-0002")
    assert first.due_on == dt.date(2026, 2, 28)
    assert AuditEntry.objects.filter(object_type="privacy.subjectrequest").count() == 2


@pytest.mark.django_db
def test_an_unverified_request_cannot_be_answered():
    dpo = User.objects.create_user("dpo-x")
    request = subject_request_receive(kind="access", channel="email", requester_name="Mette")
    with pytest.raises(ValidationError):
        subject_request_close(request=request, status="answered", outcome="sent", actor=dpo)
    subject_request_verify(request=request, method="id_document", actor=dpo)
    subject_request_close(request=request, status="answered", outcome="sent", actor=dpo)
    assert SubjectRequest.objects.get(pk=request.pk).closed_at is not None


@pytest.mark.django_db
def test_an_extension_needs_a_reason_and_a_notice_before_the_first_deadline():
    dpo = User.objects.create_user("dpo-y")
    received = timezone.make_aware(dt.datetime(2026, 1, 31, 10, 0))
    request = subject_request_receive(
        kind="access", channel="email", requester_name="M", received_at=received
    )
    late = timezone.make_aware(dt.datetime(2026, 3, 1, 9, 0))
    in_time = timezone.make_aware(dt.datetime(2026, 2, 20, 9, 0))
    with pytest.raises(ValidationError):
        subject_request_extend(
            request=request, months=2, reason="many records", notified_at=late, actor=dpo
        )
    with pytest.raises(ValidationError):
        subject_request_extend(
            request=request, months=3, reason="x", notified_at=in_time, actor=dpo
        )
    with pytest.raises(ValidationError):
        subject_request_extend(
            request=request, months=1, reason=" ", notified_at=in_time, actor=dpo
        )
    subject_request_extend(
        request=request, months=2, reason="many records", notified_at=in_time, actor=dpo
    )
    request.refresh_from_db()
    assert request.extended_to == dt.date(2026, 4, 28) and request.deadline == request.extended_to
    assert not request.is_overdue(dt.date(2026, 4, 28))
    assert request.is_overdue(dt.date(2026, 4, 29))


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 2, 10, 12, 0, tzinfo=dt.UTC), tick=False)
def test_an_extension_cannot_record_a_notice_still_to_come_or_before_the_request():
    dpo = User.objects.create_user("dpo-z")
    received = timezone.make_aware(dt.datetime(2026, 1, 31, 10, 0))
    request = subject_request_receive(
        kind="access", channel="email", requester_name="M", received_at=received
    )
    tomorrow = timezone.make_aware(dt.datetime(2026, 2, 11, 9, 0))  # before 28 Feb, not yet sent
    before_receipt = timezone.make_aware(dt.datetime(2026, 1, 30, 9, 0))
    for notified_at in (tomorrow, before_receipt):
        with pytest.raises(ValidationError):
            subject_request_extend(
                request=request, months=1, reason="many records", notified_at=notified_at, actor=dpo
            )
    request.refresh_from_db()
    assert request.extended_to is None


@pytest.mark.django_db
def test_a_closed_request_cannot_be_extended():
    dpo = User.objects.create_user("dpo-w")
    request = subject_request_receive(kind="access", channel="email", requester_name="M")
    subject_request_close(request=request, status="withdrawn", outcome="withdrawn", actor=dpo)
    with pytest.raises(ValidationError):
        subject_request_extend(
            request=request, months=1, reason="x", notified_at=timezone.now(), actor=dpo
        )


@pytest.mark.django_db(transaction=True)
def test_two_requests_received_at_the_same_time_get_distinct_references():
    """The personal data page and the DPO's form may receive at once: the second must not fail
    on the unique reference the first has not yet committed."""
    received = timezone.make_aware(dt.datetime(2026, 5, 4, 10, 0))
    outcome = race(
        lambda: (
            subject_request_receive(
                kind="access", channel="email", requester_name="A", received_at=received
            ).reference
        ),
        # The second computes the same number and waits on the index until the first commits.
        lambda: (
            subject_request_receive(
                kind="erasure", channel="self_service", requester_name="B", received_at=received
            ).reference
        ),
    )
    assert outcome.second_waited
    assert sorted([outcome.first, outcome.second]) == ["SR-2026-0001", "SR-2026-0002"]
    assert SubjectRequest.objects.count() == 2
