from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from candidates.activity import COUNTS_AS_ACTIVITY, ActivityKind, counts_as_activity
from candidates.models import ActivityEvent
from candidates.services import candidate_record_activity
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def test_what_the_candidate_does_counts_as_activity_and_what_staff_do_alone_does_not():
    assert counts_as_activity(ActivityKind.PROFILE_UPDATED)
    assert counts_as_activity(ActivityKind.KEPT_PROFILE)
    assert not counts_as_activity(ActivityKind.STAFF_NOTE)
    assert not counts_as_activity(ActivityKind.DISCLOSED)
    assert ActivityKind.SIGNUP in COUNTS_AS_ACTIVITY


def test_activity_restarts_the_retention_clock():
    candidate = CandidateFactory(last_activity_at=timezone.now() - timedelta(days=300))
    with time_machine.travel(timezone.now(), tick=False):
        candidate_record_activity(candidate=candidate, kind=ActivityKind.PROFILE_UPDATED)
        candidate.refresh_from_db()
        assert candidate.last_activity_at == timezone.now()
    assert ActivityEvent.objects.filter(candidate=candidate).count() == 1


def test_a_disclosure_is_recorded_but_does_not_restart_the_clock():
    before = timezone.now() - timedelta(days=300)
    candidate = CandidateFactory(last_activity_at=before)
    candidate_record_activity(candidate=candidate, kind=ActivityKind.DISCLOSED)
    candidate.refresh_from_db()
    assert candidate.last_activity_at == before
    assert candidate.activities.get().kind == ActivityKind.DISCLOSED


def test_an_event_back_in_time_never_moves_the_clock_backwards():
    candidate = CandidateFactory()
    latest = candidate.last_activity_at
    candidate_record_activity(
        candidate=candidate, kind=ActivityKind.APPLIED, at=latest - timedelta(days=10)
    )
    candidate.refresh_from_db()
    assert candidate.last_activity_at == latest
