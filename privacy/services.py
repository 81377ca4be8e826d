"""Writes of the privacy app: restriction of processing (GDPR Art. 18), and emptying fields
erased from a record that is otherwise kept (GDPR Art. 17)."""

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction
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


@transaction.atomic
def record_fields_blank(
    *, record: models.Model, values: Mapping[str, Any], actor: Any = None, detail: str
) -> None:
    """Set the given fields of ``record`` to their empty values (``values``: name to the empty
    value, "" or None, which the caller has checked the field accepts). Irreversible. The audit
    entry names the fields, never a value: neither the old one nor the new."""
    if not values:
        return
    for name, empty in values.items():
        setattr(record, record._meta.get_field(name).attname, empty)  # type: ignore[union-attr]
    record.save(update_fields=list(values))
    audit(Action.CHANGE, actor=actor, obj=record, fields=list(values), detail=detail)
