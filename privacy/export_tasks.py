"""Celery tasks of subject-request exports: building an access zip, deleting expired ones.
They take ids, call a service (privacy/subject_export.py) and own the retries."""

from typing import Any

from celery import Task, shared_task
from django.db import DatabaseError

from .subject_export import export_build, export_delete_expired, export_mark_failed

# Worth another try: the storage or the database was away. Anything else (a bug, bad data) fails
# at once, with the error on the export for the DPO to see.
TRANSIENT = (OSError, DatabaseError)
MAX_RETRIES = 3


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def generate_access_export(self: Task[Any, Any], export_id: int) -> None:
    """Build an access export; progress and status are kept on the ``RequestExport``."""
    try:
        export_build(export_id)
    except TRANSIENT as exc:
        final = self.request.retries >= MAX_RETRIES
        export_mark_failed(export_id, exc, final=final)
        if final:
            raise
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
    except Exception as exc:
        export_mark_failed(export_id, exc, final=True)
        raise


@shared_task
def delete_expired_exports() -> int:
    """Delete request exports (files and rows) past their expiry; audited per export."""
    return export_delete_expired()
