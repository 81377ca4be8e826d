from celery import shared_task
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Disclosure


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_disclosure(disclosure_id: int) -> None:
    """Email the documents of a recorded disclosure to the customer's contact person."""
    disclosure = (
        Disclosure.objects.select_related("candidate", "company", "contact", "posting")
        .prefetch_related("documents")
        .get(pk=disclosure_id)
    )
    if disclosure.contact is None:
        return
    with translation.override("da"):
        subject = _("Candidate from SEROP: %(name)s") % {"name": disclosure.candidate}
        if disclosure.posting is not None:
            subject += f" ({disclosure.posting.title})"
        body = _(
            "Dear %(contact)s,\n\nattached is the material on %(name)s that we discussed.\n"
            "Please treat it confidentially and delete it when it is no longer needed for the "
            "recruitment.\n\nKind regards,\nSEROP ApS"
        ) % {"contact": disclosure.contact.first_name, "name": disclosure.candidate}
    message = EmailMessage(subject, body, to=[disclosure.contact.email])
    for document in disclosure.documents.all():
        with document.file.open("rb") as handle:
            message.attach(
                document.original_name or str(document.file.name).rsplit("/", 1)[-1],
                handle.read(),
                document.content_type or "application/octet-stream",
            )
    message.send()
