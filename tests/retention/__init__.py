"""Shared builders of the retention tests: people with a full set of rows, fast."""

import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from candidates import models as cm
from tests.factories import CandidateDocumentFactory, CandidateFactory


def at(day, hour=12):
    """Noon local time on ``day``, aware."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def seed_candidate(*, last_activity=None, **fields):
    """A CV-bank candidate with a CV on disk and three more child rows."""
    if last_activity is not None:
        fields["last_activity_at"] = at(last_activity)
    candidate = CandidateFactory(**fields)
    CandidateDocumentFactory(candidate=candidate)
    cm.Education.objects.create(candidate=candidate, institution="SDU", title="Cand.merc.")
    cm.Experience.objects.create(candidate=candidate, employer="Lager A/S", title="Pakker")
    cm.ActivityEvent.objects.create(
        candidate=candidate, kind="signup", occurred_at=candidate.last_activity_at
    )
    return candidate


def rows_of(candidate_id):
    """How many rows of each child model a candidate has."""
    return {
        "documents": cm.CandidateDocument.objects.filter(candidate_id=candidate_id).count(),
        "educations": cm.Education.objects.filter(candidate_id=candidate_id).count(),
        "experiences": cm.Experience.objects.filter(candidate_id=candidate_id).count(),
        "activities": cm.ActivityEvent.objects.filter(candidate_id=candidate_id).count(),
    }


def media_path(name):
    return Path(settings.MEDIA_ROOT) / name


def bulk_candidates(n, *, last_activity, media_root):
    """``n`` candidates with a CV file each and three more child rows, in a few statements:
    for the tests that need volume."""
    when = at(last_activity)
    people = cm.Candidate.objects.bulk_create(
        cm.Candidate(
            status=cm.Candidate.Status.ACTIVE,
            first_name="Bulk",
            last_name=f"Kandidat{i}",
            email=f"bulk-{uuid.uuid4().hex}@example.dk",
            phone="20304050",
            last_activity_at=when,
        )
        for i in range(n)
    )
    folder = media_root / "candidates"
    folder.mkdir(parents=True, exist_ok=True)
    documents = []
    for person in people:
        name = f"candidates/{uuid.uuid4().hex}.pdf"
        (media_root / name).write_bytes(b"%PDF-1.4 bulk")
        documents.append(cm.CandidateDocument(candidate=person, kind="cv", file=name, size=13))
    cm.CandidateDocument.objects.bulk_create(documents)
    cm.Education.objects.bulk_create(
        cm.Education(candidate=p, institution="SDU", title="Cand.merc.") for p in people
    )
    cm.Experience.objects.bulk_create(
        cm.Experience(candidate=p, employer="Lager A/S", title="Pakker") for p in people
    )
    cm.ActivityEvent.objects.bulk_create(
        cm.ActivityEvent(candidate=p, kind="signup", occurred_at=when) for p in people
    )
    return [p.pk for p in people]
