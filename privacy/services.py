"""Writes of the privacy app: restriction of processing (GDPR Art. 18)."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from .audit import Action, audit
from .models import PersonRecord


@transaction.atomic
def person_restrict(
    *, person: PersonRecord, reason: str, actor: Any = None, request: HttpRequest | None = None
) -> None:
    """Restrict processing of a person's record: from now on only the DPO sees it."""
    person.is_restricted = True
    person.restricted_at = timezone.now()
    person.restriction_reason = reason[:300]
    person.save(update_fields=["is_restricted", "restricted_at", "restriction_reason"])
    audit(
        Action.CHANGE,
        actor=actor,
        request=request,
        obj=person,
        fields=["is_restricted"],
        detail="restricted (GDPR Art. 18)",
    )


@transaction.atomic
def person_lift_restriction(
    *, person: PersonRecord, actor: Any = None, request: HttpRequest | None = None
) -> None:
    person.is_restricted = False
    person.restricted_at = None
    person.restriction_reason = ""
    person.save(update_fields=["is_restricted", "restricted_at", "restriction_reason"])
    audit(
        Action.CHANGE,
        actor=actor,
        request=request,
        obj=person,
        fields=["is_restricted"],
        detail="restriction lifted",
    )
