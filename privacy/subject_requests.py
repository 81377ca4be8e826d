"""Writes of subject requests: receive, verify, extend, close. Each is audited; the rules of
GDPR Art. 12 are enforced here, not in the admin."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import Action, audit
from .models import SubjectRequest
from .models.requests import answer_due

MAX_EXTENSION_MONTHS = 2
# Two requests received at once (the DPO's form and the personal data page) compute the same
# next reference; the unique index refuses the second, which then takes the next number.
REFERENCE_ATTEMPTS = 5


def _next_reference(received: datetime) -> str:
    # No lock here: a SELECT with an aggregate cannot lock rows (Django drops FOR UPDATE from
    # it), and the first request of a year would have no row to lock anyway. The unique index
    # on ``reference`` decides, and ``_save_with_reference`` retries.
    prefix = f"SR-{received.year}-"
    last = SubjectRequest.objects.filter(reference__startswith=prefix).aggregate(
        last=Max("reference")
    )["last"]
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _save_with_reference(request: SubjectRequest) -> None:
    for attempt in range(1, REFERENCE_ATTEMPTS + 1):
        request.reference = _next_reference(request.received_at)
        try:
            with transaction.atomic():  # a savepoint: the caller's transaction survives
                request.save(force_insert=True)
            return
        except IntegrityError:
            taken = SubjectRequest.objects.filter(reference=request.reference).exists()
            if not taken or attempt == REFERENCE_ATTEMPTS:
                raise


@transaction.atomic
def subject_request_receive(
    *,
    kind: str,
    channel: str,
    requester_name: str,
    received_at: datetime | None = None,
    actor: Any = None,
    **details: Any,
) -> SubjectRequest:
    received_at = received_at or timezone.now()
    request = SubjectRequest(
        kind=kind,
        channel=channel,
        requester_name=requester_name,
        received_at=received_at,
        due_on=answer_due(timezone.localdate(received_at)),
        **details,
    )
    request.full_clean(exclude=["reference"])
    _save_with_reference(request)
    audit(Action.CREATE, actor=actor, obj=request, detail=f"{kind} request received")
    return request


@transaction.atomic
def subject_request_verify(*, request: SubjectRequest, method: str, actor: Any) -> None:
    request.verification_method = method
    request.verified_by = actor
    request.verified_at = timezone.now()
    request.status = SubjectRequest.Status.VERIFIED
    request.save(update_fields=["verification_method", "verified_by", "verified_at", "status"])
    audit(
        Action.CHANGE,
        actor=actor,
        obj=request,
        fields=["verified_at"],
        detail=f"identity verified: {method}",
    )


@transaction.atomic
def subject_request_extend(
    *, request: SubjectRequest, months: int, reason: str, notified_at: datetime, actor: Any
) -> None:
    """Art. 12(3): by up to two further months, where the request is complex or numerous, and
    only if the person is told, with the reasons, within the first month."""
    if not request.is_open:
        raise ValidationError(_("This request is closed."))
    if request.extended_to is not None:
        raise ValidationError(_("The deadline has already been extended once."))
    if not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise ValidationError(_("A deadline can be extended by one or two months."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the extension."))
    if timezone.localdate(notified_at) > request.due_on:
        raise ValidationError(
            _("The person must be told of the extension before the first deadline.")
        )
    # The notice is a fact already recorded: not a date still to come, nor one before the
    # request arrived (a typing error that would otherwise pass as "in time").
    if notified_at > timezone.now():
        raise ValidationError(_("Record the extension once the person has been told."))
    if notified_at < request.received_at:
        raise ValidationError(_("The person cannot have been told before the request arrived."))
    request.extended_to = answer_due(request.due_on, months=months)
    request.extension_reason = reason
    request.extension_notified_at = notified_at
    request.save(update_fields=["extended_to", "extension_reason", "extension_notified_at"])
    audit(
        Action.CHANGE,
        actor=actor,
        obj=request,
        fields=["extended_to"],
        detail=f"deadline extended to {request.extended_to}",
    )


def require_verified(request: SubjectRequest) -> None:
    """A request cannot be answered before the requester's identity is verified."""
    if not request.is_verified:
        raise ValidationError(_("Verify the requester's identity before answering."))


@transaction.atomic
def subject_request_close(
    *, request: SubjectRequest, status: str, outcome: str, actor: Any
) -> None:
    if status == SubjectRequest.Status.ANSWERED:
        require_verified(request)
    request.status = status
    request.outcome = outcome
    request.closed_at = timezone.now()
    request.save(update_fields=["status", "outcome", "closed_at"])
    audit(Action.CHANGE, actor=actor, obj=request, fields=["status"], detail=f"closed: {status}")


def requests_due_for_reminder(today: date) -> dict[str, list[SubjectRequest]]:
    """Open requests whose deadline is 7 days or 1 day away, or past."""
    open_requests = SubjectRequest.objects.filter(closed_at__isnull=True).select_related("handler")
    result: dict[str, list[SubjectRequest]] = {"7_days": [], "1_day": [], "overdue": []}
    for request in open_requests:
        left = (request.deadline - today).days
        if left == 7:
            result["7_days"].append(request)
        elif left == 1:
            result["1_day"].append(request)
        elif left < 0:
            result["overdue"].append(request)
    return result
