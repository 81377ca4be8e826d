from celery import shared_task
from django.utils import timezone

from retention.rules import get_rule

from .audit import purge_audit_entries


@shared_task
def purge_expired_audit_entries() -> int:
    """Delete audit entries older than the ``audit_trail`` retention rule (5 years by default;
    settings.RETENTION_PERIODS overrides it). The only deletion the trail allows."""
    cutoff = timezone.now() - get_rule("audit_trail").period
    return purge_audit_entries(before=cutoff)
