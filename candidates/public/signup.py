"""Writes of the CV-bank signup (policy §9) and its double opt-in.

A signup stores the candidate as PENDING with their job-search preferences, documents and
consents (each with the exact text version shown), in one transaction, and emails a
confirmation link once it has committed. Confirming makes the profile ACTIVE. An unconfirmed
signup is deleted by the retention rule ``cv_bank_unconfirmed``.

The same email address again: while the first signup is unconfirmed, the confirmation is sent
again and the new submission is discarded; once the profile is active, a sign-in link to the
personal data page is sent instead. The visitor sees the same answer in every case, so the form
does not reveal who is in the CV bank.
"""

import enum
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils import timezone

from candidates.activity import ActivityKind
from candidates.models import (
    Candidate,
    CandidateDocument,
    Education,
    JobPreference,
    LanguageSkill,
)
from candidates.services import candidate_record_activity
from consents.models import ConsentRecord, ConsentText
from privacy.audit import Action, audit

from .consent_flow import consent_record
from .documents import document_store


class SignupResult(enum.Enum):
    CREATED = "created"
    PENDING_AGAIN = "pending_again"  # confirmation sent again, submission discarded
    ALREADY_ACTIVE = "already_active"  # sign-in link sent instead


@dataclass
class Signup:
    """What a valid signup form holds, ready to store."""

    candidate: dict[str, Any]  # Candidate fields
    preferences: dict[str, Any]  # JobPreference fields
    job_types: list[Any]
    areas: list[Any]
    texts: dict[str, ConsentText]  # the consents given, with the version shown
    documents: list[tuple[str, UploadedFile]] = field(default_factory=list)
    application_text: str = ""
    education: dict[str, str] | None = None
    languages: list[tuple[str, str]] = field(default_factory=list)


def _existing(email: str) -> Candidate | None:
    return Candidate.objects.filter(email__lower=Lower(Value(email))).first()


def candidate_signup(*, signup: Signup, language: str, request: HttpRequest) -> SignupResult:
    # Insert first and let the case-insensitive unique index (candidate_email_unique_ci) find a
    # known address: a new person, by far the common case, costs no lookup, and two signups of
    # the same address at the same moment cannot both get through. The candidate row is the
    # transaction's first write, so a known address stops before any document is stored.
    try:
        candidate = _create(signup, language, request)
    except IntegrityError:
        existing = _existing(signup.candidate["email"])
        if existing is None:  # some other constraint: not ours to hide
            raise
    else:
        from .tasks import send_signup_confirmation

        transaction.on_commit(lambda: send_signup_confirmation.delay(candidate.pk))
        return SignupResult.CREATED
    if existing.status == Candidate.Status.PENDING:
        from .tasks import send_signup_confirmation

        pk = existing.pk
        transaction.on_commit(lambda: send_signup_confirmation.delay(pk))
        return SignupResult.PENDING_AGAIN
    from .tasks import send_login_link

    address = existing.email
    transaction.on_commit(lambda: send_login_link.delay(address))
    return SignupResult.ALREADY_ACTIVE


@transaction.atomic
def _create(signup: Signup, language: str, request: HttpRequest) -> Candidate:
    now = timezone.now()
    candidate = Candidate(
        **signup.candidate,
        language=language,
        status=Candidate.Status.PENDING,
        channel=Candidate.Channel.CV_BANK_FORM,
        last_activity_at=now,
    )
    candidate.full_clean(validate_unique=False, validate_constraints=False)
    candidate.save()
    preferences = JobPreference.objects.create(candidate=candidate, **signup.preferences)
    # The preferences are new, so the lists are only added: one INSERT each and none when empty,
    # where ``set()`` would first read the rows it is about to replace.
    job_types, areas = JobPreference.job_types.through, JobPreference.areas.through
    job_types.objects.bulk_create(
        job_types(jobpreference=preferences, jobtype=item) for item in set(signup.job_types)
    )
    areas.objects.bulk_create(
        areas(jobpreference=preferences, area=item) for item in set(signup.areas)
    )
    for kind, upload in signup.documents:
        document_store(candidate=candidate, kind=kind, upload=upload)
    if signup.application_text:
        letter = ContentFile(signup.application_text.encode(), name="application.txt")
        letter.content_type = "text/plain; charset=utf-8"  # type: ignore[attr-defined]
        document_store(
            candidate=candidate,
            kind=CandidateDocument.Kind.APPLICATION,
            upload=letter,  # type: ignore[arg-type]
        )
    if signup.education:
        Education.objects.create(candidate=candidate, **signup.education)
    LanguageSkill.objects.bulk_create(
        LanguageSkill(candidate=candidate, language=name, level=level)
        for name, level in signup.languages
    )
    for text in signup.texts.values():
        consent_record(
            candidate=candidate,
            text=text,
            channel=ConsentRecord.Channel.WEB_FORM,
            request=request,
            at=now,
        )
    candidate_record_activity(candidate=candidate, kind=ActivityKind.SIGNUP, at=now)
    audit(
        Action.CREATE,
        request=request,
        obj=candidate,
        fields=sorted(k for k, v in signup.candidate.items() if v not in (None, "")),
        detail="CV-bank signup on serop.dk; consents: "
        + ", ".join(f"{t.purpose} v{t.version}" for t in signup.texts.values()),
    )
    return candidate


@transaction.atomic
def candidate_confirm_email(*, candidate: Candidate, request: HttpRequest) -> bool:
    """Double opt-in: the candidate clicked the link in the confirmation email. Returns False
    when the profile was confirmed already (nothing changes)."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.status == Candidate.Status.ACTIVE:
        return False
    now = timezone.now()
    candidate.status = Candidate.Status.ACTIVE
    candidate.email_confirmed_at = now
    candidate.save(update_fields=["status", "email_confirmed_at", "updated_at"])
    candidate_record_activity(candidate=candidate, kind=ActivityKind.EMAIL_CONFIRMED, at=now)
    audit(
        Action.CHANGE,
        request=request,
        obj=candidate,
        fields=["status", "email_confirmed_at"],
        detail="email address confirmed by the candidate (double opt-in)",
    )
    return True
