"""The accountability records in the registry (privacy/privacy.py, retention/privacy.py): the
DPO's person search finds a requester's earlier requests, the access export lists them, and an
erasure never deletes the requests that document SEROP's answers."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone, translation

from candidates import models as cm
from privacy.erasure import KEEP, erasure_execute, erasure_proposal
from privacy.models import (
    AuditEntry,
    Breach,
    RequestExport,
    RequestMatch,
    SubjectRequest,
)
from privacy.person_search import find_person, search_plans
from privacy.registry import registry
from privacy.roles import Role
from privacy.subject_data import applies_on, collect, paths_to
from privacy.subject_requests import subject_request_receive, subject_request_verify
from privacy.taxonomy import Purpose, Subject
from retention.models import DeletionNotice, LegalHold, Tombstone
from retention.purge import is_person
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db

EMAIL = "mette.jensen@example.dk"
CLOSED = dt.datetime(2025, 2, 10, 12, tzinfo=dt.UTC)


@pytest.fixture
def dpo():
    staff = User.objects.create_user(username="dpo", is_staff=True)
    staff.groups.add(Group.objects.get(name=Role.DPO))
    return staff


def receive(dpo, kind="access", email=EMAIL, **fields):
    return subject_request_receive(
        kind=kind,
        channel="email",
        requester_name="Mette Jensen",
        requester_email=email,
        actor=dpo,
        **fields,
    )


def confirm(request, record):
    return RequestMatch.objects.create(
        request=request,
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        label=str(record),
        confirmed=True,
    )


@pytest.fixture
def earlier(dpo):
    """An access request Mette made last year, answered and closed, with its export."""
    request = receive(dpo, received_at=CLOSED - dt.timedelta(days=20))
    SubjectRequest.objects.filter(pk=request.pk).update(
        status=SubjectRequest.Status.ANSWERED, closed_at=CLOSED, outcome="Besvaret."
    )
    request.refresh_from_db()
    RequestExport.objects.create(
        request=request,
        kind=RequestExport.Kind.ACCESS,
        status="done",
        expires_at=CLOSED,
        created_by=dpo,
    )
    return request


# --- the declarations ------------------------------------------------------------------------
def test_every_model_of_the_privacy_and_retention_apps_is_declared(settings):
    assert {"privacy", "retention"} <= set(settings.PRIVACY_SUBJECT_APPS)
    for model in (SubjectRequest, RequestMatch, Breach, AuditEntry, LegalHold, Tombstone):
        assert registry.is_registered(model)


def test_requests_are_about_the_requester_for_data_protection_on_a_legal_obligation():
    fields = registry.fields(model=SubjectRequest)
    own = {f.name for f in fields if f.subject == Subject.REQUESTER}
    assert {"requester_name", "requester_email", "requester_phone", "requester_details"} <= own
    staff = {f.name for f in fields if f.subject == Subject.STAFF}
    assert staff == {"verified_by", "handler"}
    assert {f.retention for f in fields} == {"subject_request"}
    assert all(Purpose.DATA_PROTECTION in f.data.purposes for f in fields)


def test_a_request_is_its_own_person_record_and_a_breach_is_not():
    assert is_person(SubjectRequest)
    assert not is_person(Breach)
    assert not is_person(LegalHold)
    assert not is_person(Tombstone)
    assert not is_person(DeletionNotice)


def test_the_deletion_link_secret_is_not_exported():
    assert registry.field(DeletionNotice, "token_id") is None
    assert registry.field(DeletionNotice, "used_at") is not None


# --- person search -------------------------------------------------------------------------
def test_the_person_search_finds_the_requesters_earlier_requests_by_email(dpo, earlier):
    other = receive(dpo, email="someone.else@example.dk")
    candidate = CandidateFactory(email=EMAIL)
    found = {(m.model, m.pk) for m in find_person(email="  METTE.jensen@example.dk ")}
    assert (SubjectRequest, earlier.pk) in found
    assert (cm.Candidate, candidate.pk) in found
    assert (SubjectRequest, other.pk) not in found
    plan = next(p for p in search_plans() if p.model is SubjectRequest)
    assert plan.email == ("requester_email",)


# --- the access export ---------------------------------------------------------------------
def test_the_access_export_lists_the_earlier_request_with_its_answers(dpo, earlier):
    data = collect([earlier], language="en")
    rows = {type(r.row) for r in data.records}
    assert {SubjectRequest, RequestExport} <= rows
    assert {e.model for e, _ in paths_to(SubjectRequest)} >= {
        SubjectRequest,
        RequestMatch,
        RequestExport,
    }
    values = [v for r in data.records if isinstance(r.row, SubjectRequest) for v in r.values]
    shown = {v.info.name for v in values if not v.is_empty}
    assert {"requester_email", "requester_name", "outcome", "closed_at"} <= shown
    with translation.override("en"):
        assert applies_on("subject_request", earlier, earlier) == dt.date(2028, 2, 10)


def test_a_candidates_export_includes_their_deletion_notices(dpo):
    candidate = CandidateFactory(email=EMAIL)
    notice = DeletionNotice.objects.create(
        candidate=candidate, expires_on=dt.date(2026, 3, 1), sent_at=timezone.now(), language="da"
    )
    data = collect([candidate])
    (record,) = [r for r in data.records if isinstance(r.row, DeletionNotice)]
    assert record.row.pk == notice.pk
    assert "token_id" not in {v.info.name for v in record.values}


# --- erasure ---------------------------------------------------------------------------------
def test_erasure_keeps_the_requests_that_document_the_answers_and_erases_the_person(
    dpo, earlier, django_capture_on_commit_callbacks
):
    candidate = CandidateFactory(email=EMAIL)
    erasure = receive(dpo, kind="erasure")
    subject_request_verify(request=erasure, method="email_on_file", actor=dpo)
    erasure.refresh_from_db()
    # The DPO confirms everything the search found, the requests included.
    for record in (candidate, earlier, erasure):
        confirm(erasure, record)

    proposal = {(d.model, d.pk): d for d in erasure_proposal(erasure) if d.is_root}
    kept = proposal[(SubjectRequest, earlier.pk)]
    assert kept.action == KEEP
    assert kept.until == dt.date(2028, 2, 10)  # closed + 3 years
    with translation.override("en"):
        assert "documentation of how SEROP answered" in str(kept.reason)
    this_one = proposal[(SubjectRequest, erasure.pk)]
    assert this_one.action == KEEP and this_one.until is None  # still open
    assert proposal[(cm.Candidate, candidate.pk)].action == "erase"

    with django_capture_on_commit_callbacks(execute=True):
        erasure_execute(erasure, confirmed=list(proposal.values()), actor=dpo)
    assert not cm.Candidate.objects.filter(pk=candidate.pk).exists()
    assert SubjectRequest.objects.filter(pk__in=[earlier.pk, erasure.pk]).count() == 2
    assert RequestExport.objects.filter(request=earlier).exists()
    assert erasure.matches.count() == 3  # the record of what was found and decided stays
