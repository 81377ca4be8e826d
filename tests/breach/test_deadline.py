import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from privacy.breaches import clock_label
from privacy.models import Breach
from privacy.models.breaches import notification_deadline

from .conftest import local, record

UTC = dt.UTC


def test_the_deadline_is_72_real_hours_over_the_spring_change():
    # Clocks go forward on 29 March 2026 at 02:00: 72 real hours end at 11:00 local time.
    aware = local(2026, 3, 28, 10, 0)
    deadline = notification_deadline(aware)
    assert deadline - aware == dt.timedelta(hours=72)
    assert timezone.localtime(deadline).replace(tzinfo=None) == dt.datetime(2026, 3, 31, 11, 0)
    assert deadline == dt.datetime(2026, 3, 31, 9, 0, tzinfo=UTC)


def test_the_deadline_is_72_real_hours_over_the_autumn_change():
    # Clocks go back on 25 October 2026 at 03:00: 72 real hours end at 09:00 local time.
    aware = local(2026, 10, 24, 10, 0)
    deadline = notification_deadline(aware)
    assert timezone.localtime(deadline).replace(tzinfo=None) == dt.datetime(2026, 10, 27, 9, 0)
    assert deadline == dt.datetime(2026, 10, 27, 8, 0, tzinfo=UTC)


def test_without_a_change_the_deadline_is_the_same_time_three_days_later():
    deadline = notification_deadline(local(2026, 1, 10, 10, 0))
    assert timezone.localtime(deadline).replace(tzinfo=None) == dt.datetime(2026, 1, 13, 10, 0)


def test_naive_wall_clock_arithmetic_would_be_an_hour_off():
    """The trap the deadline avoids: timedelta on a local datetime adds wall-clock time."""
    aware = local(2026, 3, 28, 10, 0)
    wrong = aware + dt.timedelta(hours=72)
    assert wrong.replace(tzinfo=None) == dt.datetime(2026, 3, 31, 10, 0)
    assert notification_deadline(aware) - wrong.astimezone(UTC) == dt.timedelta(hours=1)


@pytest.mark.django_db
def test_a_breach_entered_in_local_time_in_the_admin_gets_the_real_deadline(client, dpo):
    with time_machine.travel(local(2026, 3, 28, 12, 0), tick=False):
        response = client.post(
            reverse("admin:privacy_breach_add"),
            {
                "title": "Mail to the wrong customer",
                "description": "A payslip was emailed to the wrong address.",
                "status": "open",
                "aware_at_0": "2026-03-28",
                "aware_at_1": "10:00:00",
                "authority_decision": "pending",
                "subjects_decision": "pending",
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    breach = Breach.objects.get()
    assert breach.aware_at == local(2026, 3, 28, 10, 0)
    assert timezone.localtime(breach.deadline).replace(tzinfo=None) == dt.datetime(
        2026, 3, 31, 11, 0
    )


@pytest.mark.django_db
def test_the_clock_shows_the_time_left_and_then_the_time_overdue():
    with time_machine.travel(local(2026, 3, 28, 10, 0), tick=False):
        breach = record(aware_at=local(2026, 3, 28, 10, 0))
    with translation.override("en"):
        assert clock_label(breach, local(2026, 3, 31, 10, 30)) == "0 h 30 min left"
        assert clock_label(breach, local(2026, 3, 31, 13, 15)) == "Overdue by 2 h 15 min"
    with translation.override("da"):
        assert clock_label(breach, local(2026, 3, 31, 13, 15)) == "Overskredet med 2 t 15 min"
    assert not breach.is_overdue(local(2026, 3, 31, 10, 59))
    assert breach.is_overdue(local(2026, 3, 31, 11, 1))
