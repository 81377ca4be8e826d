"""The one Celery application. Configuration comes from Django settings (``CELERY_*``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "serop.settings.local")

app = Celery("serop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
