"""Consents on the self-service pages: which text version a person sees, recording a consent,
and withdrawing one, which stops the processing that depended on it.

What depends on a consent is read from the registry (``PersonalData.consent`` in each app's
privacy.py), never listed here: a field of the candidate that depends on the withdrawn consent
is blanked; a related row all of whose personal fields depend on it is deleted. Documents are the
one exception the registry cannot express (one model, a consent per kind): ``DOCUMENT_CONSENT``.
Withdrawing the CV-bank consent itself means deleting the profile, which is the erasure flow
(candidates/public/profile.py), not this module.

Irreversible (withdrawal). Invariants: the consent records are marked withdrawn, the dependent
values blanked and rows deleted, the activity and the audit entry written in one transaction;
uploaded files of deleted documents are removed only after the commit
(retention.files.remove_files_on_commit). The audit entry names fields and counts, never values.
"""

from collections import defaultdict
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from candidates.activity import ActivityKind
from candidates.models import Candidate, CandidateDocument
from candidates.services import candidate_record_activity
from consents.models import ConsentRecord, ConsentText
from consents.purposes import ConsentPurpose
from consents.texts import in_force
from privacy.audit import Action, audit, client_ip
from privacy.registry import FieldInfo, registry
from retention.files import remove_files_on_commit

P = ConsentPurpose
CHANNEL = ConsentRecord.Channel.SELF_SERVICE
# The voluntary extras of a CV-bank profile, each behind its own consent, in the order shown.
EXTRAS: tuple[str, ...] = (
    P.CANDIDATE_ADDRESS,
    P.CANDIDATE_BIRTH_DATE,
    P.CANDIDATE_EDUCATION,
    P.CANDIDATE_LANGUAGES,
    P.CANDIDATE_PHOTO,
    P.CANDIDATE_VIDEO,
    P.CANDIDATE_CRIMINAL_RECORD,
)
CANDIDATE_PURPOSES: tuple[str, ...] = (P.CV_BANK, *EXTRAS)
# Documents whose kind needs a consent of its own (the rest are covered by the CV-bank consent).
DOCUMENT_CONSENT: dict[str, str] = {
    CandidateDocument.Kind.PHOTO: P.CANDIDATE_PHOTO,
    CandidateDocument.Kind.VIDEO: P.CANDIDATE_VIDEO,
}
_MAX_USER_AGENT = ConsentRecord._meta.get_field("user_agent").max_length or 400


def current_texts(purposes: tuple[str, ...] = CANDIDATE_PURPOSES) -> dict[str, ConsentText]:
    """The newest published text of each purpose, from the cache (consents/texts.py). A
    purpose without a published text is missing from the result."""
    return in_force(purposes)


def active_consents(candidate: Candidate) -> dict[str, ConsentRecord]:
    """The purposes the candidate's consent is in force for, with the newest record of each."""
    found: dict[str, ConsentRecord] = {}
    rows = (
        ConsentRecord.objects.filter(candidate=candidate, withdrawn_at__isnull=True)
        .select_related("text")
        .order_by("-given_at")
    )
    for record in rows:
        found.setdefault(record.text.purpose, record)
    return found


def consent_record(
    *,
    candidate: Candidate,
    text: ConsentText,
    channel: str,
    request: HttpRequest | None,
    at: Any = None,
) -> ConsentRecord:
    """Store the proof of one consent: the exact text version, when, how, from where."""
    return ConsentRecord.objects.create(
        candidate=candidate,
        subject_ref=candidate.public_id,
        text=text,
        given_at=at or timezone.now(),
        channel=channel,
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:_MAX_USER_AGENT],
    )


@transaction.atomic
def consent_give(
    *, candidate: Candidate, purpose: str, text: ConsentText, request: HttpRequest
) -> ConsentRecord:
    """The candidate gives an extra's consent (again) on the personal data page."""
    if purpose not in EXTRAS or text.purpose != purpose:
        raise ValueError(f"not a consent of the personal data page: {purpose}")
    record = consent_record(candidate=candidate, text=text, channel=CHANNEL, request=request)
    candidate_record_activity(candidate=candidate, kind=ActivityKind.CONSENT_CHANGED)
    audit(
        Action.CREATE,
        request=request,
        obj=record,
        detail=f"consent {purpose} v{text.version} given on the personal data page",
    )
    return record


# --- what depends on a consent ---------------------------------------------------------------
def dependent_fields(purpose: str) -> dict[type[models.Model], list[FieldInfo]]:
    """The registry's fields whose processing rests on ``purpose``, per model."""
    found: dict[type[models.Model], list[FieldInfo]] = defaultdict(list)
    for info in registry.fields():
        if info.data.consent == purpose:
            found[info.model].append(info)
    return dict(found)


def _blank(field: models.Field) -> Any:
    return None if field.null else ""


def _remove_dependent_data(candidate: Candidate, purpose: str) -> dict[str, int]:
    """Blank the candidate's values and delete the related rows that rest on ``purpose``.
    Returns what was removed, per ``model.field`` or model, for the audit entry."""
    removed: dict[str, int] = {}
    for model, infos in dependent_fields(purpose).items():
        if model is Candidate:
            changed = [i.name for i in infos if getattr(candidate, i.name) not in (None, "")]
            for name in changed:
                setattr(candidate, name, _blank(Candidate._meta.get_field(name)))  # type: ignore[arg-type]
            if changed:
                candidate.save(update_fields=[*changed, "updated_at"])
                removed.update({f"candidate.{name}": 1 for name in changed})
            continue
        entry = registry.entry(model)
        if entry is None or entry.person != "candidate":
            continue  # only rows that belong to the candidate directly
        personal = {i.name for i in registry.fields(model=model)}
        rows = model._default_manager.filter(candidate=candidate)
        if personal == {i.name for i in infos}:
            count = rows.count()
            if count:
                rows.delete()
                removed[model._meta.model_name or ""] = count
        else:
            values = {i.name: _blank(model._meta.get_field(i.name)) for i in infos}  # type: ignore[arg-type]
            count = rows.update(**values)
            if count:
                removed.update({f"{model._meta.model_name}.{n}": count for n in values})
    kinds = [kind for kind, needed in DOCUMENT_CONSENT.items() if needed == purpose]
    if kinds:
        documents = CandidateDocument.objects.filter(candidate=candidate, kind__in=kinds)
        paths = [str(d.file.name) for d in documents if d.file]
        count = documents.count()
        if count:
            documents.delete()
            remove_files_on_commit(paths)
            removed["candidatedocument"] = removed.get("candidatedocument", 0) + count
    return removed


@transaction.atomic
def consent_withdraw(*, candidate: Candidate, purpose: str, request: HttpRequest) -> int:
    """Withdraw the candidate's consent to an extra: every record in force for the purpose is
    marked withdrawn (channel: the personal data page) and the data that rested on it is
    removed. Returns how many records were withdrawn (0: there was no consent in force)."""
    if purpose not in EXTRAS:
        raise ValueError(f"withdraw {purpose} through the deletion of the profile")
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    now = timezone.now()
    withdrawn = ConsentRecord.objects.filter(
        candidate=candidate, text__purpose=purpose, withdrawn_at__isnull=True
    ).update(withdrawn_at=now, withdrawal_channel=CHANNEL)
    if not withdrawn:
        return 0
    removed = _remove_dependent_data(candidate, purpose)
    candidate_record_activity(candidate=candidate, kind=ActivityKind.CONSENT_CHANGED, at=now)
    audit(
        Action.CHANGE,
        request=request,
        obj=candidate,
        fields=sorted(removed),
        count=sum(removed.values()),
        detail=f"consent {purpose} withdrawn by the candidate on the personal data page; "
        f"dependent data removed: {', '.join(sorted(removed)) or 'none'}",
    )
    return withdrawn
