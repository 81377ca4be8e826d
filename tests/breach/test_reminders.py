import datetime as dt

import pytest
import time_machine
from django.core import mail

from privacy.breach_tasks import remind_breach_deadlines
from privacy.breaches import breach_save
from privacy.models import AuditEntry, Breach
from privacy.roles import Role

from .conftest import local, record, staff

pytestmark = pytest.mark.django_db
AWARE = local(2026, 3, 28, 10, 0)  # deadline 31 March 11:00 (72 real hours, over the DST change)


@pytest.fixture
def people():
    dpo = staff(Role.DPO, "dpo", email="dpo@serop.dk")
    staff(Role.DPO, "dpo-no-mail", email="")
    handler = staff(Role.RECRUITER, "handler", email="handler@serop.dk")
    return dpo, handler


def run_at(moment):
    mail.outbox.clear()
    with time_machine.travel(moment, tick=False):
        remind_breach_deadlines()
    return list(mail.outbox)


def every_15_minutes(start, end):
    moment = start
    while moment <= end:
        yield moment
        moment += dt.timedelta(minutes=15)


def test_reminders_go_at_24_and_48_hours_and_when_overdue_once_each(people):
    _dpo, handler = people
    with time_machine.travel(AWARE, tick=False):
        breach = record(aware_at=AWARE, handler=handler, title="Stolen laptop, Lars Hansen")
    sent = {}
    for moment in every_15_minutes(AWARE, local(2026, 4, 2, 12, 0)):
        messages = run_at(moment)
        if messages:
            sent[moment] = messages
    assert sorted(sent) == [
        local(2026, 3, 29, 11, 0),  # 24 real hours (the clocks went forward in between)
        local(2026, 3, 30, 11, 0),  # 48 hours
        local(2026, 3, 31, 11, 0),  # 72 hours: the deadline has passed
    ]
    for messages in sent.values():
        assert len(messages) == 1
        assert messages[0].to == ["dpo@serop.dk", "handler@serop.dk"]
        assert breach.reference in messages[0].subject
        assert "Lars Hansen" not in messages[0].subject + messages[0].body  # no title by mail
    first, second, overdue = (sent[m][0] for m in sorted(sent))
    assert "48" in first.subject and "24" in second.subject
    assert "72" in overdue.subject
    breach.refresh_from_db()
    assert breach.reminded_24h_at == local(2026, 3, 29, 11, 0)
    assert breach.reminded_48h_at == local(2026, 3, 30, 11, 0)
    assert breach.reminded_overdue_at == local(2026, 3, 31, 11, 0)
    assert (
        AuditEntry.objects.filter(
            object_type="privacy.breach", detail__endswith="reminder sent"
        ).count()
        == 3
    )


def test_the_reminders_are_in_danish():
    staff(Role.DPO, "dpo", email="dpo@serop.dk")
    with time_machine.travel(AWARE, tick=False):
        record(aware_at=AWARE)
    [message] = run_at(local(2026, 3, 29, 11, 0))
    assert "timer tilbage til at anmelde til Datatilsynet" in message.subject
    assert "Datatilsynet" in message.body


def test_no_reminder_once_the_decision_is_recorded(people):
    dpo, handler = people
    with time_machine.travel(AWARE, tick=False):
        breach = record(aware_at=AWARE, handler=handler)
    assert len(run_at(local(2026, 3, 29, 11, 0))) == 1  # 24 hours
    with time_machine.travel(local(2026, 3, 29, 15, 0), tick=False):
        breach.authority_decision = Breach.Decision.NOT_NOTIFY
        breach.authority_reason = "Encrypted laptop: no risk to the people (Art. 33(1))."
        breach_save(
            breach=breach,
            changes={"authority_decision": ("pending", "not_notify")},
            actor=dpo,
        )
    for moment in every_15_minutes(local(2026, 3, 29, 15, 0), local(2026, 4, 2, 12, 0)):
        assert run_at(moment) == []
    breach.refresh_from_db()
    assert breach.reminded_48h_at is None and breach.reminded_overdue_at is None


def test_a_closed_breach_is_not_reminded(people):
    with time_machine.travel(AWARE, tick=False):
        breach = record(aware_at=AWARE)
    Breach.objects.filter(pk=breach.pk).update(status=Breach.Status.CLOSED)
    assert run_at(local(2026, 3, 29, 11, 0)) == []


def test_a_breach_recorded_late_gets_only_the_most_urgent_reminder(people):
    with time_machine.travel(local(2026, 3, 30, 12, 0), tick=False):
        breach = record(aware_at=AWARE)  # 49 hours ago
    messages = run_at(local(2026, 3, 30, 12, 15))
    assert len(messages) == 1 and "24" in messages[0].subject
    assert run_at(local(2026, 3, 30, 12, 30)) == []
    breach.refresh_from_db()
    assert breach.reminded_24h_at is None and breach.reminded_48h_at is not None


def test_without_recipients_nothing_is_recorded_as_sent():
    with time_machine.travel(AWARE, tick=False):
        breach = record(aware_at=AWARE)
    assert run_at(local(2026, 3, 29, 11, 0)) == []
    breach.refresh_from_db()
    assert breach.reminded_24h_at is None


def test_a_failing_mail_server_leaves_the_reminder_to_send_again(people, monkeypatch):
    with time_machine.travel(AWARE, tick=False):
        breach = record(aware_at=AWARE)

    def refuse(self, *args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with (
        time_machine.travel(local(2026, 3, 29, 11, 0), tick=False),
        pytest.raises(OSError, match="SMTP down"),
    ):
        remind_breach_deadlines.run()
    breach.refresh_from_db()
    assert breach.reminded_24h_at is None
    monkeypatch.undo()
    assert len(run_at(local(2026, 3, 29, 11, 15))) == 1
