"""Celery tasks of the notice before deletion (retention/notices.py). They take ids and call
the services; the beat job runs daily (SEROP_PERIODIC_TASKS "send-deletion-notices")."""

from functools import partial

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .notices import notice_send, notices_create_due


@shared_task
def send_deletion_notices() -> int:
    """Create the notices due today and queue one email each, once the rows are committed.
    Running it again the same day creates and sends nothing new."""
    with transaction.atomic():
        notices = notices_create_due(as_of=timezone.localdate())
        for notice in notices:
            transaction.on_commit(partial(send_deletion_notice.delay, notice.pk))
    return len(notices)


# SMTP errors (smtplib.SMTPException) and connection failures are OSErrors: retried with
# backoff. A notice that is never delivered stays unsent; the deletion goes ahead regardless.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_deletion_notice(notice_id: int) -> bool:
    return notice_send(notice_id=notice_id)
