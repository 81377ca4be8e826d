import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core import mail
from django.utils import timezone
from django.utils.module_loading import import_string

from privacy.request_tasks import remind_request_handlers
from privacy.roles import Role
from privacy.subject_requests import (
    subject_request_close,
    subject_request_extend,
    subject_request_receive,
    subject_request_verify,
)

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()
RECEIVED = dt.datetime(2026, 1, 10, 9, 0, tzinfo=TZ)  # answer due 10 February 2026


@pytest.fixture
def handler():
    return User.objects.create_user("handler", email="handler@serop.dk", is_staff=True)


@pytest.fixture
def dpos():
    group = Group.objects.get(name=Role.DPO)
    users = [
        User.objects.create_user("dpo1", email="dpo1@serop.dk", is_staff=True),
        User.objects.create_user("dpo2", email="dpo2@serop.dk", is_staff=True),
        User.objects.create_user("dpo-no-mail", email="", is_staff=True),
    ]
    for user in users:
        user.groups.add(group)
    return users


def receive(**details):
    return subject_request_receive(
        kind="access",
        channel="email",
        requester_name="Mette Jensen",
        received_at=RECEIVED,
        **details,
    )


def run_on(day):
    mail.outbox.clear()
    with time_machine.travel(dt.datetime.combine(day, dt.time(8, 0), tzinfo=TZ), tick=False):
        remind_request_handlers()
    return list(mail.outbox)


def test_the_handler_is_reminded_7_days_and_1_day_before_and_when_overdue(handler):
    request = receive(handler=handler)
    sent_on = {}
    day = dt.date(2026, 1, 10)
    while day <= dt.date(2026, 2, 13):
        messages = run_on(day)
        if messages:
            sent_on[day] = messages
        day += dt.timedelta(days=1)
    assert sorted(sent_on) == [
        dt.date(2026, 2, 3),  # 7 days before
        dt.date(2026, 2, 9),  # 1 day before
        dt.date(2026, 2, 11),  # overdue, and every day after until closed
        dt.date(2026, 2, 12),
        dt.date(2026, 2, 13),
    ]
    for messages in sent_on.values():
        assert [m.to for m in messages] == [["handler@serop.dk"]]
        assert request.reference in messages[0].body
    assert "7" in sent_on[dt.date(2026, 2, 3)][0].body


def test_the_reminder_names_the_request_not_the_requester(handler):
    request = receive(handler=handler, requester_email="mette@example.dk")
    (message,) = run_on(dt.date(2026, 2, 3))
    assert request.reference in message.body
    assert "Mette" not in message.body + message.subject
    assert "mette@example.dk" not in message.body


def test_without_a_handler_every_dpo_with_an_email_address_is_reminded(dpos):
    receive()
    messages = run_on(dt.date(2026, 2, 9))
    assert sorted(m.to[0] for m in messages) == ["dpo1@serop.dk", "dpo2@serop.dk"]


def test_one_email_per_handler_lists_all_their_requests(handler):
    first = receive(handler=handler)
    second = subject_request_receive(
        kind="erasure",
        channel="letter",
        requester_name="Lars",
        received_at=RECEIVED - dt.timedelta(days=6),  # due 4 February: 1 day on 3 February
        handler=handler,
    )
    (message,) = run_on(dt.date(2026, 2, 3))
    assert first.reference in message.body and second.reference in message.body


def test_closed_requests_are_not_reminded(handler):
    request = receive(handler=handler)
    subject_request_verify(request=request, method="mitid", actor=handler)
    subject_request_close(request=request, status="answered", outcome="sent", actor=handler)
    assert run_on(dt.date(2026, 2, 11)) == []


def test_an_extended_request_is_reminded_against_its_new_deadline(handler):
    request = receive(handler=handler)
    subject_request_extend(
        request=request,
        months=1,
        reason="complex",
        notified_at=dt.datetime(2026, 2, 1, 9, 0, tzinfo=TZ),
        actor=handler,
    )  # now due 10 March
    assert run_on(dt.date(2026, 2, 11)) == []
    assert len(run_on(dt.date(2026, 3, 3))) == 1


def test_the_reminders_run_daily_at_eight_from_the_beat_schedule():
    job = settings.SEROP_PERIODIC_TASKS["remind-request-handlers"]
    assert job["crontab"] == {"minute": "0", "hour": "8"}
    assert import_string(job["task"]) is remind_request_handlers
    assert remind_request_handlers.name == job["task"]


def test_the_worker_imports_the_task_module():
    # Autodiscovery imports only the apps' tasks.py; this module is named in CELERY_IMPORTS.
    from serop.celery import app

    assert "privacy.request_tasks" in app.conf.imports
