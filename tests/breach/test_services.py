import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from privacy.breaches import breach_problems, breach_save
from privacy.models import AuditEntry, Breach
from tests.concurrency import race

from .conftest import local, record

pytestmark = pytest.mark.django_db
AWARE = local(2026, 3, 28, 10, 0)


def change(breach, actor=None, **values):
    old = {name: getattr(breach, name) for name in values}
    for name, value in values.items():
        setattr(breach, name, value)
    return breach_save(
        breach=breach, changes={n: (old[n], v) for n, v in values.items()}, actor=actor
    )


@time_machine.travel(local(2026, 4, 20, 9, 0), tick=False)
def test_references_count_per_year_of_awareness():
    first = record(aware_at=AWARE)
    second = record(aware_at=AWARE)
    old = record(aware_at=local(2025, 12, 31, 23, 30))
    assert (first.reference, second.reference, old.reference) == (
        "BR-2026-0001",
        "BR-2026-0002",
        "BR-2025-0001",
    )


@time_machine.travel(local(2026, 4, 20, 9, 0), tick=False)
def test_the_time_line_must_make_sense():
    problems = breach_problems(
        {
            "aware_at": local(2026, 5, 1, 9, 0),
            "occurred_from": local(2026, 4, 10, 9, 0),
            "occurred_until": local(2026, 4, 9, 9, 0),
        }
    )
    assert set(problems) == {"aware_at", "occurred_until"}
    problems = breach_problems(
        {"aware_at": local(2026, 4, 10, 9, 0), "occurred_from": local(2026, 4, 11, 9, 0)}
    )
    assert set(problems) == {"occurred_from"}


@time_machine.travel(local(2026, 4, 20, 9, 0), tick=False)
def test_not_notifying_needs_a_reason_and_recording_the_decision_stamps_it():
    breach = record(aware_at=AWARE)
    with pytest.raises(ValidationError) as error:
        change(breach, authority_decision=Breach.Decision.NOT_NOTIFY)
    assert "authority_reason" in error.value.message_dict
    breach.refresh_from_db()
    change(
        breach,
        authority_decision=Breach.Decision.NOT_NOTIFY,
        authority_reason="The files were encrypted; no risk to the people.",
    )
    breach.refresh_from_db()
    assert breach.authority_decided_at == local(2026, 4, 20, 9, 0)
    assert breach.decided and not breach.is_overdue()


@time_machine.travel(local(2026, 4, 20, 9, 0), tick=False)
def test_a_late_notification_needs_the_reasons_for_the_delay():
    breach = record(aware_at=AWARE)
    values = {
        "authority_decision": Breach.Decision.NOTIFY,
        "authority_notified_at": local(2026, 3, 31, 11, 30),  # 30 minutes past the deadline
        "authority_reference": "2026-441-0001",
    }
    with pytest.raises(ValidationError) as error:
        change(breach, **values)
    assert "late_reason" in error.value.message_dict
    breach.refresh_from_db()
    change(breach, late_reason="The extent was only known after the weekend.", **values)
    breach.refresh_from_db()
    assert breach.notified_late


@time_machine.travel(local(2026, 4, 20, 9, 0), tick=False)
def test_a_notification_in_time_needs_no_reasons():
    breach = record(aware_at=AWARE)
    change(
        breach,
        authority_decision=Breach.Decision.NOTIFY,
        authority_notified_at=local(2026, 3, 31, 10, 59),
    )
    assert not breach.notified_late


@time_machine.travel(local(2026, 4, 20, 9, 0), tick=False)
def test_telling_the_people_needs_the_decision_and_how():
    problems = breach_problems({"aware_at": AWARE, "subjects_notified_at": local(2026, 4, 1, 9, 0)})
    assert "subjects_notified_at" in problems
    problems = breach_problems(
        {
            "aware_at": AWARE,
            "subjects_decision": Breach.Decision.NOTIFY,
            "subjects_notified_at": local(2026, 4, 1, 9, 0),
        }
    )
    assert "subjects_notification_method" in problems
    problems = breach_problems({"aware_at": AWARE, "subjects_decision": "not_notify"})
    assert "subjects_reason" in problems


@time_machine.travel(local(2026, 4, 20, 9, 0), tick=False)
def test_a_breach_is_closed_only_with_both_decisions_carried_out():
    breach = record(aware_at=AWARE)
    with pytest.raises(ValidationError) as error:
        change(breach, status=Breach.Status.CLOSED)
    assert {"authority_decision", "subjects_decision"} <= set(error.value.message_dict)
    breach.refresh_from_db()
    change(
        breach,
        status=Breach.Status.CLOSED,
        authority_decision=Breach.Decision.NOTIFY,
        authority_notified_at=local(2026, 3, 30, 9, 0),
        subjects_decision=Breach.Decision.NOT_NOTIFY,
        subjects_reason="Low risk: only work email addresses.",
    )
    breach.refresh_from_db()
    assert breach.closed_at == local(2026, 4, 20, 9, 0)
    change(breach, status=Breach.Status.OPEN)
    breach.refresh_from_db()
    assert breach.closed_at is None


@time_machine.travel(local(2026, 4, 20, 9, 0), tick=False)
def test_every_write_is_audited_without_the_free_text():
    breach = record(aware_at=AWARE, description="Payslip of Lars Hansen sent to the wrong Lars.")
    created = AuditEntry.objects.get(object_type="privacy.breach", action="create")
    assert created.object_id == str(breach.pk)
    change(
        breach,
        description="Payslip of Lars Hansen, CPR included, sent to the wrong Lars.",
        handler=None,
        confidentiality=True,
    )
    entry = AuditEntry.objects.get(object_type="privacy.breach", action="change")
    assert set(entry.fields) == {"description", "handler", "confidentiality"}
    assert "description" not in entry.changes
    assert entry.changes["confidentiality"] == [False, True]
    assert "Lars" not in str(entry.changes) + entry.detail


def test_the_deadline_property_matches_the_stored_awareness():
    with time_machine.travel(AWARE + dt.timedelta(hours=1), tick=False):
        breach = record(aware_at=AWARE)
    breach.refresh_from_db()
    assert breach.deadline - breach.aware_at == dt.timedelta(hours=72)


def test_a_changed_decision_is_stamped_with_the_time_it_was_changed():
    with time_machine.travel(local(2026, 3, 29, 9, 0), tick=False):
        breach = record(aware_at=AWARE)
        change(breach, authority_decision=Breach.Decision.NOTIFY)
    breach.refresh_from_db()
    assert breach.authority_decided_at == local(2026, 3, 29, 9, 0)
    with time_machine.travel(local(2026, 3, 30, 14, 0), tick=False):
        change(breach, measures_taken="Passwords reset.")  # another field: the time stays
        breach.refresh_from_db()
        assert breach.authority_decided_at == local(2026, 3, 29, 9, 0)
        change(
            breach,
            authority_decision=Breach.Decision.NOT_NOTIFY,
            authority_reason="The laptop was found; the disk was encrypted.",
        )
    breach.refresh_from_db()
    assert breach.authority_decided_at == local(2026, 3, 30, 14, 0)


@pytest.mark.django_db(transaction=True)
def test_two_breaches_recorded_at_once_get_consecutive_references():
    """The second recording waits for the first to commit instead of taking the same number
    (and failing on the unique reference)."""
    outcome = race(
        lambda: record(aware_at=AWARE).reference,
        lambda: record(aware_at=AWARE).reference,
    )
    assert outcome.second_waited  # for the first transaction, not failing on its number
    assert sorted([outcome.first, outcome.second]) == ["BR-2026-0001", "BR-2026-0002"]
