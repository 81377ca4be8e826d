"""The contact form's write (policy §7): the enquiry is stored, audited and staff are notified
by a Celery task once it has committed."""

from functools import partial

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from privacy.audit import Action, audit

from ..models import ContactEnquiry
from ..tasks import notify_contact_enquiry


def enquiry_create(
    *,
    topics: list[str],
    name: str,
    email: str,
    phone: str,
    message: str,
    language: str,
    request: HttpRequest | None = None,
) -> ContactEnquiry:
    with transaction.atomic():
        enquiry = ContactEnquiry.objects.create(
            topics=sorted(set(topics)),
            name=name,
            email=email,
            phone=phone,
            message=message,
            language=language,
            received_at=timezone.now(),
        )
        audit(
            Action.CREATE,
            request=request,
            obj=enquiry,
            fields=["topics", "name", "email", "phone", "message", "language"],
            detail="enquiry through the website's contact form",
        )
        transaction.on_commit(partial(notify_contact_enquiry.delay, enquiry.pk))
    return enquiry
