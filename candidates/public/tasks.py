"""Emails of the self-service pages, sent by the worker once the request's transaction has
committed (queued with ``transaction.on_commit``)."""

from celery import shared_task
from django.db.models import Value
from django.db.models.functions import Lower

from candidates.models import Candidate

from .emails import send_confirmation_email, send_login_email


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_signup_confirmation(candidate_id: int) -> bool:
    """Email the confirmation link of a signup that is still unconfirmed."""
    candidate = Candidate.objects.filter(
        pk=candidate_id, status=Candidate.Status.PENDING, is_restricted=False
    ).first()
    if candidate is None:  # confirmed or deleted in the meantime
        return False
    send_confirmation_email(candidate)
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_login_link(email: str) -> bool:
    """Email a sign-in link to the personal data page if ``email`` belongs to a CV-bank
    profile (for an unconfirmed signup: its confirmation link again); otherwise do nothing.
    Takes the address, not an id, so that the web request does the same work whether or not
    the address is known: the form must not reveal who is in the CV bank."""
    candidate = Candidate.objects.filter(
        email__lower=Lower(Value(email.strip())), is_restricted=False
    ).first()
    if candidate is None:
        return False
    if candidate.status == Candidate.Status.PENDING:
        send_confirmation_email(candidate)
    else:
        send_login_email(candidate)
    return True
