from celery import shared_task
from django.core import management


@shared_task
def clear_expired_sessions() -> None:
    """Delete expired sessions: staff and self-service sessions may hold personal data."""
    management.call_command("clearsessions")
