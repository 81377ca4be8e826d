"""A real Celery worker on the real Redis broker, killed with SIGKILL in the middle of a purge:
nothing is half-deleted, and the next worker finishes the job."""

import datetime as dt
import os
import signal
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Count

from candidates import models as cm
from retention.models import RetentionRun, Tombstone
from retention.tasks import run_retention_rule
from tests.workers import delete_queue, start_worker, stop, wait_for

from . import bulk_candidates, seed_candidate

RULE = "cv_bank_inactivity"
PEOPLE = 3000
BATCH = 50  # 60 batches: long enough to be killed in the middle
CHILDREN = (cm.CandidateDocument, cm.Education, cm.Experience, cm.ActivityEvent)


def children_per_candidate(ids):
    total = dict.fromkeys(ids, 0)
    for model in CHILDREN:
        rows = model.objects.filter(candidate_id__in=ids).values("candidate_id")
        for row in rows.annotate(n=Count("id")):
            total[row["candidate_id"]] += row["n"]
    return total


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_purge_loses_nothing_and_the_next_worker_finishes(tmp_path, request):
    media = Path(settings.MEDIA_ROOT)
    today = dt.date.today()  # noqa: DTZ011 - the worker's clock is the real one
    ids = bulk_candidates(PEOPLE, last_activity=today - dt.timedelta(days=800), media_root=media)
    kept = [seed_candidate() for _ in range(3)]  # active today
    refs = dict(cm.Candidate.objects.filter(pk__in=ids).values_list("pk", "public_id"))
    files = dict(
        cm.CandidateDocument.objects.filter(candidate_id__in=ids).values_list(
            "candidate_id", "file"
        )
    )
    queue = f"retention-test-{uuid.uuid4().hex}"  # no other worker on the shared Redis takes it
    log = tmp_path / "worker.log"
    request.addfinalizer(lambda: delete_queue(queue))

    first = start_worker(queue, log)
    try:
        run_retention_rule.apply_async(
            args=(RULE, today.isoformat()), kwargs={"batch_size": BATCH}, queue=queue
        )
        run = wait_for(
            lambda: RetentionRun.objects.filter(rule=RULE, processed__gt=0).first(),
            timeout=90,
            what="the first committed batch",
            log=log,
        )
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)

    # The kill came mid-run: the run record is left "running", part of the people gone.
    run.refresh_from_db()
    assert run.status == "running"
    assert 0 < run.processed < PEOPLE, "the worker finished before it was killed"
    present = set(cm.Candidate.objects.filter(pk__in=ids).values_list("pk", flat=True))
    gone = set(ids) - present
    # Everyone is whole or gone with a tombstone: no partially deleted person.
    children = children_per_candidate(ids)
    assert all(children[pk] == len(CHILDREN) for pk in present)
    assert all(children[pk] == 0 for pk in gone)
    stones = set(Tombstone.objects.filter(rule=RULE).values_list("subject_ref", flat=True))
    assert stones == {refs[pk] for pk in gone}
    assert run.processed == len(gone)  # counts committed with their batch
    # No row points to a missing file (a gone person's file may still wait for removal).
    assert all((media / files[pk]).exists() for pk in present)

    second = start_worker(queue, log)
    try:
        run_retention_rule.apply_async(
            args=(RULE, today.isoformat()), kwargs={"batch_size": BATCH}, queue=queue
        )
        rerun = wait_for(
            lambda: RetentionRun.objects.filter(rule=RULE, pk__gt=run.pk, status="done").first(),
            timeout=90,
            what="the second run to finish",
            log=log,
        )
    finally:
        stop(second)

    run.refresh_from_db()
    assert run.status == "failed" and "interrupted" in run.errors
    assert not cm.Candidate.objects.filter(pk__in=ids).exists()
    assert not any(children_per_candidate(ids).values())
    assert cm.Candidate.objects.filter(pk__in=[k.pk for k in kept]).count() == 3
    tombstones = list(Tombstone.objects.filter(rule=RULE).values_list("subject_ref", flat=True))
    assert sorted(tombstones) == sorted(refs.values())  # one each, no more
    assert run.processed + rerun.processed == PEOPLE
    assert rerun.expected == PEOPLE - run.processed
    # No orphans: what is left on disk is exactly the files of the people kept.
    on_disk = {f"candidates/{p.name}" for p in (media / "candidates").iterdir()}
    assert on_disk == {k.documents.get().file.name for k in kept}
