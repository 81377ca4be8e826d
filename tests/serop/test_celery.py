"""The Celery app really runs tasks: a worker consuming from the real Redis broker."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from serop.celery import app
from serop.tasks import clear_expired_sessions


def test_the_app_is_configured_for_safe_json_tasks():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit
    assert app.conf.broker_url == settings.REDIS_URL
    assert "clear_expired_sessions" in clear_expired_sessions.name


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_clears_expired_sessions():
    live = SessionStore()
    live["k"] = "v"
    live.create()
    expired = SessionStore()
    expired["k"] = "v"
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = clear_expired_sessions.apply_async(ignore_result=False)
        result.get(timeout=30, propagate=True)
    keys = set(Session.objects.values_list("session_key", flat=True))
    assert live.session_key in keys
    assert expired.session_key not in keys
