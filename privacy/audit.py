"""Writing the audit trail. Every sensitive action goes through ``audit`` (one place that
knows how to mask values and name the person concerned)."""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction
from django.http import HttpRequest

from .models import AuditEntry
from .registry import registry
from .taxonomy import Sensitivity

Action = AuditEntry.Action
MASK = "***"
MAX_VALUE = 200


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the server saw it. Behind the production proxy Django's
    REMOTE_ADDR is the proxy's; gunicorn is started with --forwarded-allow-ips for that."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def subject_ref_of(obj: models.Model | None) -> uuid.UUID | None:
    """The pseudonymous id of the person a record is about, following the registry's path."""
    if obj is None:
        return None
    entry = registry.entry(type(obj))
    target: Any = obj
    if entry is not None and entry.person:
        for part in entry.person.split("__"):
            target = getattr(target, part, None)
            if target is None:
                return None
    public_id = getattr(target, "public_id", None)
    return public_id if isinstance(public_id, uuid.UUID) else None


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set | models.QuerySet):
        return [_plain(v) for v in value]
    return str(value)[:MAX_VALUE]


def masked_changes(
    model: type[models.Model], changes: dict[str, tuple[Any, Any]]
) -> dict[str, Any]:
    """``{field: [old, new]}`` with every non-ordinary value replaced by a mask."""
    result: dict[str, Any] = {}
    for name, (old, new) in changes.items():
        info = registry.field(model, name)
        if info is not None and info.sensitivity != Sensitivity.ORDINARY:
            result[name] = [MASK, MASK]
        else:
            result[name] = [_plain(old), _plain(new)]
    return result


def audit(
    action: str,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    model: type[models.Model] | None = None,
    subject_ref: uuid.UUID | None = None,
    fields: Iterable[str] = (),
    changes: dict[str, tuple[Any, Any]] | None = None,
    count: int | None = None,
    detail: str = "",
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry. Pass the request when there is one (actor and IP come from it)."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    model = model or (type(obj) if obj is not None else None)
    entry = AuditEntry(
        actor_id=actor.pk if actor is not None else None,
        actor_username=actor.get_username() if actor is not None else "",
        ip_address=client_ip(request),
        action=action,
        object_type=model._meta.label_lower if model is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        subject_ref=subject_ref or subject_ref_of(obj),
        fields=sorted(fields),
        changes=masked_changes(model, changes) if model is not None and changes else {},
        count=count,
        detail=detail[:300],
    )
    if at is not None:
        entry.at = at
    entry.save()
    return entry


# Irreversible. Deletes audit entries older than the cutoff, in one transaction, and only here:
# the PostgreSQL trigger (privacy/migrations/0005) refuses every other UPDATE or DELETE. The
# setting is LOCAL to the transaction, so it ends with it, on commit or on a crash.
def purge_audit_entries(*, before: datetime) -> int:
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET LOCAL serop.audit_purge = 'on'")
        deleted, _ = models.QuerySet(AuditEntry).filter(at__lt=before).delete()
        if postgres:  # also when called inside a longer transaction
            cursor.execute("SET LOCAL serop.audit_purge = 'off'")
    return deleted
