"""What the candidate does with their own data on the personal data page: see it (the same
collection the DPO's access report reads), correct it, download it (the DPO's access export) and
delete the profile (an erasure request answered by the DPO's erasure code).

Downloads and deletions are filed as subject requests (channel: the personal data page; identity
verified by the sign-in link), so the DPO's request register shows them like any other, and
they run through the same code: privacy/subject_export.py ``build_access_zip`` and
privacy/letters.py ``erasure_answer`` (privacy/erasure.py).

The records treated as the person's are the candidate and, when SEROP linked the profile to an
employee record (``Employee.candidate``), that employee record: the link is SEROP's own, so no
search by name or address is involved.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import IO, Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone, translation

from candidates.activity import ActivityKind
from candidates.models import Candidate
from candidates.services import candidate_record_activity
from privacy.audit import Action, audit
from privacy.erasure import ERASE, KEEP, RESTRICT, Decision, erasure_execute, erasure_proposal
from privacy.letters import LetterRow, erased_rows, letter_rows
from privacy.models import SubjectRequest
from privacy.person_search import Match, request_match_confirm, request_matches_add
from privacy.subject_data import PersonData, collect
from privacy.subject_export import build_access_zip
from privacy.subject_requests import (
    subject_request_close,
    subject_request_receive,
    subject_request_verify,
)

SELF = SubjectRequest.Channel.SELF_SERVICE


def person_records(candidate: Candidate) -> list[models.Model]:
    records: list[models.Model] = [candidate]
    employee = getattr(candidate, "employee", None)
    if employee is not None:
        records.append(employee)
    return records


def personal_data(candidate: Candidate, language: str) -> PersonData:
    return collect(person_records(candidate), language=language)


# --- correcting -------------------------------------------------------------------------------
@transaction.atomic
def profile_correct(
    *, candidate: Candidate, changes: dict[str, Any], request: HttpRequest
) -> list[str]:
    """Save the corrected values (validated by the form), record the activity and audit the
    change by field name, with values masked as the registry says. Returns the changed names."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    diff = {
        name: (getattr(candidate, name), value)
        for name, value in changes.items()
        if getattr(candidate, name) != value
    }
    if not diff:
        return []
    for name, (_old, new) in diff.items():
        setattr(candidate, name, new)
    candidate.full_clean(validate_unique=False, validate_constraints=False)
    candidate.save(update_fields=[*diff, "updated_at"])
    candidate_record_activity(candidate=candidate, kind=ActivityKind.PROFILE_UPDATED)
    audit(
        Action.CHANGE,
        request=request,
        obj=candidate,
        fields=list(diff),
        changes=diff,
        detail="corrected by the candidate on the personal data page",
    )
    return list(diff)


# --- a request filed by the candidate ------------------------------------------------------------
def _file_request(candidate: Candidate, kind: str, details: str) -> SubjectRequest:
    request = subject_request_receive(
        kind=kind,
        channel=SELF,
        requester_name=f"{candidate.first_name} {candidate.last_name}"[:200],
        requester_email=candidate.email,
        requester_phone=candidate.phone,
        requester_details=details,
        language=candidate.language,
    )
    matches = [
        Match(model=type(r), pk=r.pk, label=str(r)[:300], public_id=getattr(r, "public_id", None))
        for r in person_records(candidate)
    ]
    request_matches_add(request=request, matches=matches, actor=None)
    for match in request.matches.all():
        request_match_confirm(match=match, confirmed=True, actor=None)
    subject_request_verify(
        request=request, method=SubjectRequest.Verification.MAGIC_LINK, actor=None
    )
    return request


# --- downloading ----------------------------------------------------------------------------------
def data_export(*, candidate: Candidate, out: IO[bytes], request: HttpRequest) -> str:
    """Write the access export zip into ``out`` and return its file name. Filed and answered
    as an access request; counts as activity; audited."""
    with transaction.atomic():
        subject_request = _file_request(
            candidate, SubjectRequest.Kind.ACCESS, "Downloaded from the personal data page."
        )
        built = build_access_zip(subject_request.pk, out)
        subject_request_close(
            request=subject_request,
            status=SubjectRequest.Status.ANSWERED,
            outcome="Access export downloaded from the personal data page.",
            actor=None,
        )
        candidate_record_activity(candidate=candidate, kind=ActivityKind.DATA_EXPORTED)
        audit(
            Action.EXPORT,
            request=request,
            obj=candidate,
            count=built.values,
            detail=f"access export downloaded by the candidate on the personal data page "
            f"({subject_request.reference}): {built.values} values, {built.files} files",
        )
    return f"{subject_request.reference}.zip"


# --- deleting -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DeletionOutcome:
    reference: str
    erased: list[LetterRow]
    kept: list[LetterRow]
    profile_deleted: bool

    def as_session(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "erased": [r.__dict__ for r in self.erased],
            "kept": [r.__dict__ for r in self.kept],
            "profile_deleted": self.profile_deleted,
        }


def _executable(decision: Decision) -> bool:
    # A record the law keeps whose clock has not started (a current employment) is neither
    # erased nor restricted: it is still in use. It is shown as kept, and the DPO sees the request.
    return not (decision.action == RESTRICT and decision.until is None)


def _kept(decisions: Iterable[Decision]) -> list[Decision]:
    return [d for d in decisions if d.action in (RESTRICT, KEEP)]


def profile_delete(*, candidate: Candidate, request: HttpRequest) -> DeletionOutcome:
    """File an erasure request for the candidate's records, verified by the sign-in, and
    execute the proposal the DPO's erasure page would show, with its decision letter. A request
    whose recipients must be told of the erasure (GDPR Art. 19) stays open for the DPO, who
    ticks them off and closes it; otherwise it is closed as answered."""
    language = candidate.language
    with transaction.atomic():
        subject_request = _file_request(
            candidate, SubjectRequest.Kind.ERASURE, "Profile deleted on the personal data page."
        )
        proposal = erasure_proposal(subject_request)
        chosen = [d for d in proposal if d.is_root and _executable(d)]
        # erasure_execute, not erasure_answer: the decision letter is a RequestExport, which
        # names the staff member who wrote it; here the answer is the outcome page and the
        # outcome stored on the request.
        summary = erasure_execute(subject_request, confirmed=chosen, actor=None)
        executed = {d.root for d in chosen}
        not_executed = [d for d in proposal if d.root not in executed]
        with translation.override(language):
            erased = erased_rows([*summary.of(ERASE), *summary.field_erasures])
            # Nothing of a record left alone was erased, not even a field: all of it is kept.
            left_alone = [replace(d, erase=()) for d in _kept(not_executed)]
            kept = letter_rows([*_kept(summary.decisions), *left_alone])
            outcome = "\n".join(
                [f"{r.decision}: {r.record} ({r.fields})" for r in [*erased, *kept]]
            )
        if not summary.notices and not not_executed:
            subject_request_close(
                request=subject_request,
                status=SubjectRequest.Status.ANSWERED,
                outcome=outcome,
                actor=None,
            )
        profile_deleted = not Candidate.objects.filter(pk=candidate.pk).exists()
        audit(
            Action.DELETE if profile_deleted else Action.CHANGE,
            request=request,
            model=Candidate,
            subject_ref=candidate.public_id,
            detail=f"profile deletion asked by the candidate on the personal data page "
            f"({subject_request.reference}, {timezone.localdate().isoformat()})",
        )
    return DeletionOutcome(subject_request.reference, erased, kept, profile_deleted)
