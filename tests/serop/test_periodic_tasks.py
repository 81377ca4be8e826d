import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, PeriodicTask

pytestmark = pytest.mark.django_db


def setup(*args):
    call_command("setup_periodic_tasks", *args, stdout=io.StringIO())


def test_it_installs_every_configured_job_in_the_database_scheduler():
    setup()
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert set(settings.SEROP_PERIODIC_TASKS) <= names
    task = PeriodicTask.objects.get(name="clear-expired-sessions")
    assert task.task == "serop.tasks.clear_expired_sessions"
    assert (task.crontab.hour, task.crontab.minute) == ("3", "17")


def test_it_keeps_a_schedule_edited_in_the_admin_unless_reset():
    setup()
    task = PeriodicTask.objects.get(name="clear-expired-sessions")
    edited = CrontabSchedule.objects.create(minute="0", hour="5", timezone=settings.TIME_ZONE)
    task.crontab = edited
    task.save()
    setup()
    assert PeriodicTask.objects.get(name="clear-expired-sessions").crontab == edited
    setup("--reset")
    assert PeriodicTask.objects.get(name="clear-expired-sessions").crontab.hour == "3"


def test_running_it_twice_creates_nothing_twice():
    setup()
    setup()
    assert PeriodicTask.objects.filter(name="clear-expired-sessions").count() == 1
