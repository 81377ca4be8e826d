"""Celery tasks of the newsletter and the contact form. They take ids, are queued once the
transaction that created the row has committed (customers/newsletter.py,
customers/public/services.py), and send through Django's email backend.

SMTP errors (smtplib.SMTPException) and connection failures are OSErrors: retried with backoff.
"""

from typing import Any

from celery import shared_task
from django.core.mail import get_connection

from .emails import (
    already_subscribed_message,
    confirmation_message,
    enquiry_notification,
    newsletter_message,
)
from .models import ContactEnquiry, NewsletterIssue, NewsletterSubscriber
from .newsletter import issue_batches, recipients

Status = NewsletterSubscriber.Status


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_newsletter_confirmation(subscriber_id: int) -> bool:
    """Send the confirmation link, unless the signup is gone, confirmed or restricted."""
    subscriber = NewsletterSubscriber.objects.filter(
        pk=subscriber_id, status=Status.PENDING, is_restricted=False
    ).first()
    if subscriber is None:
        return False
    confirmation_message(subscriber).send()
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_newsletter_already_subscribed(subscriber_id: int) -> bool:
    subscriber = recipients().filter(pk=subscriber_id).first()
    if subscriber is None:
        return False
    already_subscribed_message(subscriber).send()
    return True


@shared_task
def send_newsletter_issue(issue_id: int) -> int:
    """Fan a queued issue out: one send_newsletter_batch task per batch of confirmed
    subscribers. Returns the number of batches."""
    batches = issue_batches(issue_id=issue_id)
    for batch in batches:
        send_newsletter_batch.delay(issue_id, batch)
    return len(batches)


@shared_task(bind=True, max_retries=5)
def send_newsletter_batch(self: Any, issue_id: int, subscriber_ids: list[int]) -> int:
    """Send the issue to those of ``subscriber_ids`` who are still confirmed when the batch
    runs (an unsubscription in the meantime is honoured). On an SMTP error the task retries
    with the subscribers not yet sent to, so a retry repeats no email but the failed one.
    Returns the number sent."""
    issue = NewsletterIssue.objects.get(pk=issue_id)
    people = list(recipients().filter(pk__in=subscriber_ids).order_by("pk"))
    sent = 0
    with get_connection() as connection:
        for index, subscriber in enumerate(people):
            try:
                newsletter_message(issue, subscriber, connection=connection).send()
            except OSError as error:
                remaining = [person.pk for person in people[index:]]
                raise self.retry(
                    args=(issue_id, remaining), exc=error, countdown=60 * 2**self.request.retries
                ) from error
            sent += 1
    return sent


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_contact_enquiry(enquiry_id: int) -> bool:
    enquiry = ContactEnquiry.objects.filter(pk=enquiry_id).first()
    if enquiry is None:
        return False
    enquiry_notification(enquiry).send()
    return True
