"""Batches of one run fanned out to Celery workers: planned once, processed once each, by the
run or by a worker, counted in the run record; a failure or a killed worker loses nothing."""

import datetime as dt
import os
import signal
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from candidates import models as cm
from retention import engine, purge
from retention.batches import DONE, NOTHING, STOPPED
from retention.models import RetentionBatch, RetentionRun, Tombstone
from retention.tasks import dispatch_batches, run_retention_rule
from tests.workers import delete_queue, start_worker, stop, wait_for

from . import at, bulk_candidates, media_path, rows_of, seed_candidate
from .test_worker import children_per_candidate

RULE = "cv_bank_inactivity"
TODAY = dt.date(2026, 6, 1)
LONG_AGO = dt.date(2024, 1, 10)
FULL = {"documents": 1, "educations": 1, "experiences": 1, "activities": 1}


@pytest.fixture
def today():
    import time_machine

    with time_machine.travel(at(TODAY), tick=False):
        yield TODAY


def batches_of(run):
    return list(RetentionBatch.objects.filter(run=run).order_by("pk"))


# --- planning and sharing, in one process ---------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_a_run_plans_contiguous_batches_that_cover_every_expired_row_once(today):
    people = sorted(seed_candidate(last_activity=LONG_AGO).pk for _ in range(5))
    seed_candidate(last_activity=TODAY)  # not expired: in no batch
    run = engine.run_rule(RULE, batch_size=2, worker="here").run
    planned = batches_of(run)
    assert [(b.after, b.upto) for b in planned] == [
        (None, people[1]),
        (people[1], people[3]),
        (people[3], people[4]),
    ]
    assert [(b.status, b.processed, b.worker) for b in planned] == [("done", 2, "here")] * 2 + [
        ("done", 1, "here")
    ]
    assert (run.status, run.expected, run.processed, run.files_removed) == ("done", 5, 5, 5)
    assert cm.Candidate.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_shares_the_batches_and_the_run_record_counts_them_all(today):
    people = [seed_candidate(last_activity=LONG_AGO) for _ in range(6)]
    handed = []

    def dispatch(run, batch_ids):
        handed.extend(batch_ids)
        # What a worker does with the last batch's message, before the run gets to it.
        assert engine.help_run(run.pk, batch_ids[-1], worker="worker-1") == DONE

    run = engine.run_rule(RULE, batch_size=2, dispatch=dispatch, worker="run").run
    planned = batches_of(run)
    assert handed == [b.pk for b in planned]
    assert [b.worker for b in planned] == ["run", "run", "worker-1"]
    assert (run.status, run.expected, run.processed, run.files_removed) == ("done", 6, 6, 6)
    assert run.counts == {
        "candidates.candidate": 6,
        "candidates.candidatedocument": 6,
        "candidates.education": 6,
        "candidates.experience": 6,
        "candidates.activityevent": 6,
    }
    assert run.errors == "" and run.duration_seconds is not None
    assert Tombstone.objects.filter(run=run).count() == 6
    assert not any(media_path("candidates").iterdir())
    assert not cm.Candidate.objects.filter(pk__in=[p.pk for p in people]).exists()


@pytest.mark.django_db(transaction=True)
def test_files_of_a_worker_that_died_between_its_commit_and_its_removals_are_swept(
    today, monkeypatch
):
    people = [seed_candidate(last_activity=LONG_AGO) for _ in range(6)]
    names = [media_path(p.documents.get().file.name) for p in people]
    uploaded = (timezone.now() - dt.timedelta(hours=1)).timestamp()  # the clock is travelled
    for name in names:
        os.utime(name, (uploaded, uploaded))

    def dispatch(run, batch_ids):
        # A worker commits the last batch and dies before its after-commit work: its callbacks
        # (the file removals among them) never run.
        with monkeypatch.context() as dying:
            dying.setattr(transaction, "on_commit", lambda *args, **kwargs: None)
            assert engine.help_run(run.pk, batch_ids[-1], worker="worker-1") == DONE
        [left] = RetentionBatch.objects.filter(files_pending__gt=0)
        assert left.worker == "worker-1" and left.files_pending == 2
        assert sum(name.exists() for name in names) == 6  # rows gone, files still there

    run = engine.run_rule(RULE, batch_size=2, dispatch=dispatch, worker="run").run
    assert (run.status, run.processed, run.files_removed) == ("done", 6, 6)
    assert not cm.Candidate.objects.filter(pk__in=[p.pk for p in people]).exists()
    assert not any(name.exists() for name in names)
    assert not RetentionBatch.objects.filter(run=run, files_pending__gt=0).exists()


@pytest.mark.django_db(transaction=True)
def test_a_batchs_files_pending_go_back_to_zero_once_removed(today):
    for _ in range(4):
        seed_candidate(last_activity=LONG_AGO)
    run = engine.run_rule(RULE, batch_size=2, worker="run").run
    assert [b.files_pending for b in batches_of(run)] == [0, 0]
    assert run.files_removed == 4


@pytest.mark.django_db(transaction=True)
def test_a_message_for_a_batch_already_done_takes_the_next_pending_one_or_does_nothing(today):
    for _ in range(4):
        seed_candidate(last_activity=LONG_AGO)
    states = []

    def dispatch(run, batch_ids):
        first = batch_ids[0]
        states.append(engine.help_run(run.pk, first, worker="w"))  # its own batch
        states.append(engine.help_run(run.pk, first, worker="w"))  # done: takes the other
        states.append(engine.help_run(run.pk, first, worker="w"))  # none left

    run = engine.run_rule(RULE, batch_size=2, dispatch=dispatch, worker="run").run
    assert states == [DONE, DONE, NOTHING]
    assert [b.worker for b in batches_of(run)] == ["w", "w"]
    assert (run.status, run.processed) == ("done", 4)
    # Redelivered after the run ended (acks_late): nothing happens.
    assert engine.help_run(run.pk, batches_of(run)[0].pk, worker="late") == STOPPED
    assert RetentionRun.objects.get(pk=run.pk).processed == 4


class Injected(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_batch_failing_on_a_worker_rolls_back_alone_stops_the_run_and_a_rerun_completes(
    today, monkeypatch
):
    people = [seed_candidate(last_activity=LONG_AGO) for _ in range(6)]

    def dispatch(run, batch_ids):
        assert engine.help_run(run.pk, batch_ids[0], worker="w1") == DONE
        monkeypatch.setattr(purge, "fault_point", fail)
        with pytest.raises(Injected):
            engine.help_run(run.pk, batch_ids[1], worker="w2")
        monkeypatch.setattr(purge, "fault_point", lambda stage, model: None)

    def fail(stage, model):
        raise Injected("injected on a worker")

    outcome = engine.run_rule(RULE, batch_size=2, dispatch=dispatch, worker="run")
    run = outcome.run
    assert run.status == "failed" and "Injected: injected on a worker (on w2)" in run.errors
    assert [b.status for b in batches_of(run)] == ["done", "dropped", "dropped"]
    assert run.processed == 2 and run.counts["candidates.candidate"] == 2 and run.finished_at
    for person in people[2:]:  # whole: every row, every file, no tombstone
        assert rows_of(person.pk) == FULL
        assert media_path(person.documents.get().file.name).exists()
    assert Tombstone.objects.count() == 2

    rerun = engine.run_rule(RULE, batch_size=2).run
    assert (rerun.status, rerun.expected, rerun.processed) == ("done", 4, 4)
    assert not cm.Candidate.objects.exists() and Tombstone.objects.count() == 6


@pytest.mark.django_db(transaction=True)
def test_the_next_run_closes_a_dead_run_and_drops_its_batches(today):
    for _ in range(3):
        seed_candidate(last_activity=LONG_AGO)
    dead = RetentionRun.objects.create(rule=RULE, as_of=TODAY)
    RetentionBatch.objects.create(run=dead, target=0, after=None, upto=10**9)
    run = engine.run_rule(RULE).run
    dead.refresh_from_db()
    assert dead.status == "failed" and "interrupted" in dead.errors
    assert [b.status for b in batches_of(dead)] == ["dropped"]
    assert engine.help_run(dead.pk, batches_of(dead)[0].pk, worker="late") == STOPPED
    assert (run.status, run.processed) == ("done", 3)


@pytest.mark.django_db
def test_an_eagerly_applied_task_processes_its_batches_itself(today):
    for _ in range(3):
        seed_candidate(last_activity=LONG_AGO)
    result = run_retention_rule.apply(args=(RULE, TODAY.isoformat()), kwargs={"batch_size": 1})
    run = RetentionRun.objects.get(pk=result.get()["run"])
    assert (run.status, run.processed) == ("done", 3)
    assert {b.worker.rsplit(":", 1)[0] for b in batches_of(run)} == {
        engine.default_worker().rsplit(":", 1)[0]
    }


# --- real workers on Redis ------------------------------------------------------------------------
PEOPLE = 1200
BATCH = 40  # 30 batches


@pytest.fixture
def queue():
    name = f"retention-test-{uuid.uuid4().hex}"  # no other worker on the shared Redis takes it
    yield name
    delete_queue(name)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_batches_of_one_run_are_processed_by_several_workers_at_once(tmp_path, queue):
    media = Path(settings.MEDIA_ROOT)
    today = dt.date.today()  # noqa: DTZ011 - the workers' clock is the real one
    ids = bulk_candidates(PEOPLE, last_activity=today - dt.timedelta(days=800), media_root=media)
    kept = seed_candidate()
    log = tmp_path / "workers.log"
    workers = [start_worker(queue, log) for _ in range(2)]
    try:
        # One worker coordinates the run (and processes batches), the other takes the batches'
        # messages from the broker.
        run_retention_rule.apply_async(
            args=(RULE, today.isoformat()), kwargs={"batch_size": BATCH}, queue=queue
        )
        run = wait_for(
            lambda: RetentionRun.objects.filter(rule=RULE, status="done").first(),
            timeout=120,
            what="the run to finish",
            log=log,
        )
    finally:
        for worker in workers:
            stop(worker)
    planned = batches_of(run)
    assert len(planned) == PEOPLE // BATCH and all(b.status == "done" for b in planned)
    assert sum(b.processed for b in planned) == PEOPLE
    assert len({b.worker for b in planned}) == 2, "one worker did every batch"
    assert (run.expected, run.processed, run.files_removed) == (PEOPLE, PEOPLE, PEOPLE)
    assert run.counts == {
        "candidates.candidate": PEOPLE,
        "candidates.candidatedocument": PEOPLE,
        "candidates.education": PEOPLE,
        "candidates.experience": PEOPLE,
        "candidates.activityevent": PEOPLE,
    }
    assert run.errors == "" and run.finished_at > run.started_at
    assert Tombstone.objects.filter(run=run).count() == PEOPLE
    assert not cm.Candidate.objects.filter(pk__in=ids).exists()
    on_disk = {f"candidates/{p.name}" for p in (media / "candidates").iterdir()}
    assert on_disk == {kept.documents.get().file.name}


def _dsn():
    db = connection.settings_dict
    return (
        f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def _backend_waiting_on(run_id, monitor):
    """The pid of a worker's session waiting for the run record's lock, if there is one."""
    row = monitor.execute(
        "SELECT a.pid FROM pg_stat_activity a WHERE a.wait_event_type = 'Lock' "
        "AND a.query ILIKE %s AND a.pid <> pg_backend_pid()",
        ["%retention_retentionrun%"],
    ).fetchone()
    return row[0] if row else None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_nothing_and_the_run_processes_its_batch(tmp_path, queue):
    """The worker is held inside a batch (its rows deleted, tombstones written, not committed)
    by a lock the test takes on the run record, killed with SIGKILL there, and the run, which
    waits meanwhile, finds the batch pending again and processes it."""
    media = Path(settings.MEDIA_ROOT)
    today = dt.date.today()  # noqa: DTZ011 - the worker's clock is the real one
    ids = bulk_candidates(PEOPLE, last_activity=today - dt.timedelta(days=800), media_root=media)
    refs = dict(cm.Candidate.objects.filter(pk__in=ids).values_list("pk", "public_id"))
    log = tmp_path / "worker.log"
    worker = start_worker(queue, log)
    dispatched, go = threading.Event(), threading.Event()
    outcome = {}

    def dispatch(run, batch_ids):
        # Two batches for the worker alone; the rest once the test holds the run record's lock.
        dispatch_batches(run, batch_ids[:2], queue=queue)
        outcome["run"] = run.pk
        assert dispatched.wait(timeout=120)
        dispatch_batches(run, batch_ids[2:], queue=queue)
        assert go.wait(timeout=120)

    def coordinate():
        try:
            outcome["result"] = engine.run_rule(
                RULE, as_of=today, batch_size=BATCH, dispatch=dispatch, worker="run"
            )
        except BaseException as exc:  # reported by the test below
            outcome["error"] = exc
        finally:
            connection.close()

    coordinator = threading.Thread(target=coordinate)
    coordinator.start()
    try:
        with psycopg.connect(_dsn(), autocommit=True) as monitor:
            wait_for(lambda: "run" in outcome, timeout=30, what="the plan", log=log)
            run_id = outcome["run"]
            wait_for(  # committed, and their files removed: the worker is idle
                lambda: RetentionRun.objects.filter(
                    pk=run_id, processed=2 * BATCH, files_removed=2 * BATCH
                ).exists(),
                timeout=60,
                what="the worker's first two batches",
                log=log,
            )
            with psycopg.connect(_dsn()) as holder:
                holder.execute(
                    "SELECT id FROM retention_retentionrun WHERE id = %s FOR NO KEY UPDATE",
                    [run_id],
                )
                dispatched.set()
                victim = wait_for(
                    lambda: _backend_waiting_on(run_id, monitor),
                    timeout=60,
                    what="the worker inside a batch",
                    log=log,
                )
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
                holder.rollback()  # the lock goes; the dead worker's session notices and aborts
            wait_for(
                lambda: (
                    not monitor.execute(
                        "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [victim]
                    ).fetchone()
                ),
                timeout=30,
                what="the killed worker's session to end",
                log=log,
            )
        # Between the kill and the run's going on: everyone is whole or gone with a tombstone.
        present = set(cm.Candidate.objects.filter(pk__in=ids).values_list("pk", flat=True))
        gone = set(ids) - present
        children = children_per_candidate(ids)
        assert len(gone) == 2 * BATCH and all(children[pk] == 4 for pk in present)
        assert all(children[pk] == 0 for pk in gone)
        stones = set(Tombstone.objects.filter(rule=RULE).values_list("subject_ref", flat=True))
        assert stones == {refs[pk] for pk in gone}
        run = RetentionRun.objects.get(pk=run_id)
        assert run.processed == len(gone) and run.status == "running"
        pending = RetentionBatch.objects.filter(run=run, status="pending").count()
        assert pending == len(present) // BATCH  # the killed worker's batch among them
    finally:
        go.set()
        coordinator.join(timeout=120)
        stop(worker)
    assert "error" not in outcome, outcome.get("error")
    run = outcome["result"].run
    assert (run.status, run.expected, run.processed, run.files_removed) == (
        "done",
        PEOPLE,
        PEOPLE,
        PEOPLE,
    )
    planned = batches_of(run)
    assert all(b.status == "done" for b in planned)
    assert len([b for b in planned if b.worker != "run"]) == 2  # the killed batch went to the run
    assert sum(b.processed for b in planned) == PEOPLE
    assert not cm.Candidate.objects.filter(pk__in=ids).exists()
    assert sorted(Tombstone.objects.values_list("subject_ref", flat=True)) == sorted(refs.values())
    assert not any((media / "candidates").iterdir())
