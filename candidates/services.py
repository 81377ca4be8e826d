"""Writes to the CV bank. Views, forms, admin actions and tasks call these; nothing else
saves a candidate."""

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from customers.models import Company, ContactPerson
from privacy.audit import Action, audit

from .activity import ActivityKind, counts_as_activity
from .models import ActivityEvent, Candidate, CandidateDocument, Disclosure, JobPosting


# No savepoint: the event and the clock go together, and every caller is a write of its own
# that fails as a whole; a savepoint would only add two round trips to each of them.
@transaction.atomic(savepoint=False)
def candidate_record_activity(
    *,
    candidate: Candidate,
    kind: str,
    actor: User | None = None,
    at: datetime | None = None,
) -> ActivityEvent:
    """Record an event in the profile's history; if it counts as activity
    (candidates/activity.py), it restarts the CV-bank retention clock."""
    at = at or timezone.now()
    event = ActivityEvent.objects.create(
        candidate=candidate, kind=kind, occurred_at=at, actor=actor
    )
    if counts_as_activity(kind) and at > candidate.last_activity_at:
        candidate.last_activity_at = at
        candidate.save(update_fields=["last_activity_at", "updated_at"])
    return event


@transaction.atomic
def candidate_disclose(
    *,
    candidate: Candidate,
    company: Company,
    contact: ContactPerson | None = None,
    documents: Iterable[CandidateDocument] = (),
    posting: JobPosting | None = None,
    method: str = Disclosure.Method.EMAIL,
    note: str = "",
    actor: User,
    request: HttpRequest | None = None,
) -> Disclosure:
    """Record that a candidate's data goes to a customer (a recipient under GDPR Art. 15(1)(c))
    and, by email, send the chosen documents to the contact person once the record is saved."""
    documents = list(documents)
    foreign = [d for d in documents if d.candidate_id != candidate.pk]
    if foreign:
        raise ValueError("Only the candidate's own documents can be disclosed")
    if contact is not None and contact.company_id != company.pk:
        raise ValueError("The contact person must belong to the customer")
    disclosure = Disclosure.objects.create(
        candidate=candidate,
        company=company,
        contact=contact,
        posting=posting,
        method=method,
        note=note,
        disclosed_by=actor,
        disclosed_at=timezone.now(),
    )
    disclosure.documents.set(documents)
    candidate_record_activity(candidate=candidate, kind=ActivityKind.DISCLOSED, actor=actor)
    audit(
        Action.DISCLOSE,
        actor=actor,
        request=request,
        obj=disclosure,
        fields=sorted({d.kind for d in documents}),
        detail=f"customer {company.pk}",
    )
    if method == Disclosure.Method.EMAIL and contact is not None:
        from .tasks import send_disclosure

        transaction.on_commit(lambda: send_disclosure.delay(disclosure.pk))
    return disclosure
