"""Answering rectification (GDPR Art. 16), restriction (Art. 18) and objection (Art. 21)
requests. Erasure (Art. 17) and the Art. 19 recipients are in privacy/erasure.py."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from .audit import Action, audit
from .erasure import _check_open, _disclosed_to, recipients_add
from .models import PersonRecord, SubjectRequest
from .registry import registry
from .services import person_restrict
from .subject_data import collect, confirmed_records
from .subject_requests import subject_request_close


def _confirmed(request: SubjectRequest, records: Iterable[models.Model]) -> list[models.Model]:
    mine = {(r._meta.label_lower, str(r.pk)): r for r in confirmed_records(request)}
    found = []
    for record in records:
        key = (record._meta.label_lower, str(record.pk))
        if key not in mine:
            raise ValidationError(_("Only records confirmed as the person's can be named."))
        found.append(mine[key])
    return found


@transaction.atomic
def rectification_record(
    *,
    request: SubjectRequest,
    changes: Mapping[models.Model, Iterable[str]],
    note: str = "",
    actor: Any,
) -> None:
    """Record which fields staff corrected (through the normal admin and services, which
    validate and audit the values) and answer the request. Names fields, never values."""
    _check_open(request, SubjectRequest.Kind.RECTIFICATION)
    records = _confirmed(request, changes)
    corrected: list[tuple[models.Model, list[str]]] = []
    for record in records:
        names = list(dict.fromkeys(changes[record]))
        for name in names:
            if registry.field(type(record), name) is None:
                raise ValidationError(
                    _("%(field)s is not a personal-data field of this record.") % {"field": name}
                )
        if names:
            corrected.append((record, names))
    if not corrected:
        raise ValidationError(_("Name the fields that were corrected."))
    with translation.override(request.language):
        lines = [
            _("Corrected in %(record)s: %(fields)s.")
            % {
                "record": record._meta.verbose_name,
                "fields": ", ".join(str(record._meta.get_field(n).verbose_name) for n in names),  # type: ignore[union-attr]
            }
            for record, names in corrected
        ]
    processors = {
        p
        for record, names in corrected
        for name in names
        for p in registry.field(type(record), name).data.processors  # type: ignore[union-attr]
    }
    recipients_add(
        request=request,
        processors=processors,
        companies=_disclosed_to(r for r, _names in corrected),
        actor=actor,
    )
    audit(
        Action.CHANGE,
        actor=actor,
        obj=request,
        fields=[f"{r._meta.label_lower}.{n}" for r, names in corrected for n in names],
        detail="rectification recorded",
    )
    outcome = "\n".join([*lines, note.strip()]).strip()
    subject_request_close(
        request=request, status=SubjectRequest.Status.ANSWERED, outcome=outcome, actor=actor
    )


@transaction.atomic
def restriction_apply(
    *, request: SubjectRequest, records: Iterable[models.Model], reason: str, actor: Any
) -> None:
    """Restrict the named person records (Art. 18): only the DPO sees them from now on and no
    processing uses them; the retention rules still apply. Answers the request."""
    _check_open(request, SubjectRequest.Kind.RESTRICTION)
    if not reason.strip():
        raise ValidationError(_("Give the ground for the restriction (GDPR Art. 18(1))."))
    people = _confirmed(request, records)
    if not people:
        raise ValidationError(_("Choose the records to restrict."))
    if any(not isinstance(p, PersonRecord) for p in people):
        raise ValidationError(_("Only a person's own record can be restricted."))
    data = collect(people, language=request.language)
    for person in people:
        person_restrict(
            person=person,  # type: ignore[arg-type]
            reason=f"{reason.strip()} ({request.reference})",
            actor=actor,
        )
    processors = {
        p for r in data.records for v in r.values if not v.is_empty for p in v.info.data.processors
    }
    recipients_add(
        request=request, processors=processors, companies=_disclosed_to(people), actor=actor
    )
    with translation.override(request.language):
        kinds = ", ".join(dict.fromkeys(str(p._meta.verbose_name) for p in people))
        outcome = _("Processing restricted (GDPR Art. 18): %(records)s. Ground: %(reason)s") % {
            "records": kinds,
            "reason": reason.strip(),
        }
    subject_request_close(
        request=request, status=SubjectRequest.Status.ANSWERED, outcome=outcome, actor=actor
    )


@transaction.atomic
def objection_record(
    *, request: SubjectRequest, upheld: bool, explanation: str, actor: Any
) -> None:
    """Record the answer to an objection (Art. 21) and close the request. Stopping the
    processing is done through the services that own it (a consent withdrawn, a subscription
    ended), so that it is validated and audited there."""
    _check_open(request, SubjectRequest.Kind.OBJECTION)
    if not explanation.strip():
        raise ValidationError(_("Explain the decision on the objection."))
    with translation.override(request.language):
        head = (
            _("Your objection is upheld: SEROP no longer processes your data for this purpose.")
            if upheld
            else _(
                "Your objection is not upheld: SEROP has compelling legitimate grounds for the "
                "processing, or needs it for legal claims (GDPR Art. 21(1))."
            )
        )
    audit(
        Action.CHANGE,
        actor=actor,
        obj=request,
        fields=["outcome"],
        detail="objection " + ("upheld" if upheld else "not upheld"),
    )
    subject_request_close(
        request=request,
        status=SubjectRequest.Status.ANSWERED,
        outcome=f"{head}\n{explanation.strip()}",
        actor=actor,
    )
