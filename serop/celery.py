"""The one Celery application. Configuration comes from Django settings (``CELERY_*``)."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serop.settings.local")

app = Celery("serop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _database_connections_as_around_a_request(task: Any = None, **kwargs: Any) -> None:
    """What Django does at the start and end of each request, around each task: drop a
    connection that is older than CONN_MAX_AGE, broken or left in a failed transaction, and
    health-check a kept one before its next query (CONN_HEALTH_CHECKS). Celery's own closing
    of every connection is held off by CELERY_DB_REUSE_MAX (settings/base.py). Not for a task
    run eagerly inside a caller's transaction, which this would close."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    close_old_connections()
