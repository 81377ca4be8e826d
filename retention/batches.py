"""The batches of a retention run: planned once, processed once each, by the run itself or by
Celery workers helping it.

Irreversible. Invariants:
- A run plans its batches before it processes any (``plan``): per target, the expired rows in
  primary-key order cut into ranges ``(after, upto]`` of ``size`` rows, stored as
  ``RetentionBatch`` rows. Planning reads ids on the server (one window query per target): the
  process holds a few hundred boundaries, never the million ids.
- A batch is processed in one transaction (``process_next``): the batch row is claimed
  ``FOR UPDATE SKIP LOCKED``, the run is checked to be still running, the range's rows are
  selected again ``FOR UPDATE SKIP LOCKED`` (expiry and legal holds re-checked inside the
  transaction), purged or anonymised, the batch marked done and its counts added to the run
  record, all in that transaction. A person is therefore either fully processed or untouched,
  whoever processes the batch.
- A worker killed mid-batch rolls its transaction back; the batch row's lock goes with its
  session, and the batch is pending again: the run (or another worker) processes it. Its task
  message, redelivered later (``acks_late``), finds it done and does nothing.
- Row locks on the run record order everything: a batch holds ``FOR KEY SHARE`` on it from its
  status check to its commit, the counts are merged under ``FOR NO KEY UPDATE`` (batches'
  merges serialise, their work does not), and closing a dead run takes ``FOR UPDATE`` (waits for
  its batches in flight). So no batch of a run commits after its run was closed by the next.
"""

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from .lock import lock_key
from .models import RetentionBatch, RetentionRun
from .purge import Holds, PurgeResult

if TYPE_CHECKING:
    from datetime import date

    from .engine import Target

PLAN_CHUNK = 1000  # batch rows written per INSERT


# --- the run record ---------------------------------------------------------------------------
def describe(exc: BaseException) -> str:
    # The first line only: database errors put row values (possibly personal data) in DETAIL.
    first = (str(exc).strip().splitlines() or [""])[0][:200]
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def append_error(run: RetentionRun, message: str) -> None:
    RetentionRun.objects.filter(pk=run.pk).update(
        errors=Concat(F("errors"), Value(message + "\n"), output_field=models.TextField())
    )
    run.errors += message + "\n"


def add_counts(run: RetentionRun, result: PurgeResult) -> None:
    """Add a batch to the run record, inside the batch's transaction. ``FOR NO KEY UPDATE``:
    concurrent batches merge one after the other, without blocking their status checks."""
    with transaction.atomic():
        stored = RetentionRun.objects.select_for_update(no_key=True).values_list(
            "counts", flat=True
        )
        counts = Counter(stored.get(pk=run.pk) or {})
        counts.update(result.counts)
        RetentionRun.objects.filter(pk=run.pk).update(
            processed=F("processed") + result.people, counts=dict(counts)
        )
    run.processed += result.people
    run.counts = dict(counts)


def still_running(run_id: int) -> bool:
    """Inside a batch's transaction: is the run still running? Holds ``FOR KEY SHARE`` on the
    run record to the end of the transaction, so closing the run (``FOR UPDATE``) waits for this
    batch."""
    table = connection.ops.quote_name(RetentionRun._meta.db_table)
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {table} WHERE id = %s{lock}", [run_id])  # noqa: S608
        row = cursor.fetchone()
    return row is not None and row[0] == RetentionRun.Status.RUNNING


def stop(run: RetentionRun) -> None:
    """Mark a running run failed, so that no further batch of it starts (the run closes it)."""
    RetentionRun.objects.filter(pk=run.pk, status=RetentionRun.Status.RUNNING).update(
        status=RetentionRun.Status.FAILED
    )


# --- planning ---------------------------------------------------------------------------------
def _boundaries(expired: models.QuerySet, size: int) -> list[tuple[Any, int]]:
    """Every ``size``-th primary key of ``expired`` in order, and the last one, with the number
    of rows up to it; computed on the server, one row per batch comes back."""
    sql, params = expired.order_by().values(bound=F("pk")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bound, n FROM (SELECT bound, ROW_NUMBER() OVER (ORDER BY bound) AS n, "  # noqa: S608
            f"COUNT(*) OVER () AS total FROM ({sql}) AS expired) AS numbered "
            "WHERE n %% %s = 0 OR n = total ORDER BY bound",
            [*params, size],
        )
        return list(cursor.fetchall())


def plan(run: RetentionRun, targets: Sequence["Target"], as_of: "date", size: int) -> int:
    """Store the batches of ``run``; return the number of rows they cover (expected)."""
    holds = Holds.in_force()
    expected = 0
    pending: list[RetentionBatch] = []
    for index, target in enumerate(targets):
        bounds = list(_boundaries(target.expired(as_of, holds), size))
        after = None
        for bound, _ in bounds:
            pending.append(RetentionBatch(run=run, target=index, after=after, upto=bound))
            after = bound
            if len(pending) >= PLAN_CHUNK:
                RetentionBatch.objects.bulk_create(pending)
                pending = []
        expected += bounds[-1][1] if bounds else 0
    RetentionBatch.objects.bulk_create(pending)
    return expected


# --- processing -------------------------------------------------------------------------------
NOTHING, DONE, STOPPED = "nothing", "done", "stopped"


def process_next(
    run: RetentionRun,
    targets: Sequence["Target"],
    *,
    worker: str,
    batch_id: int | None = None,
    wait: bool = False,
) -> str:
    """Claim and process one pending batch of ``run`` (``batch_id``, or the first one free), in
    one transaction. Returns DONE, NOTHING (no pending batch free: all done, or being processed
    elsewhere; with ``wait``, only when none is left) or STOPPED (the run is no longer running).
    Raises what the purge raised, the batch rolled back."""
    with transaction.atomic():
        if not still_running(run.pk):
            return STOPPED
        pending = RetentionBatch.objects.filter(run=run, status=RetentionBatch.Status.PENDING)
        if batch_id is not None:
            pending = pending.filter(pk=batch_id)
        # With ``wait``, a batch another worker holds is waited for; if that worker commits, the
        # row no longer matches and the next pending one is taken; if it dies, this one is.
        batch = pending.order_by("pk").select_for_update(skip_locked=not wait).first()
        if batch is None:
            return NOTHING
        target = targets[batch.target]
        expired = target.expired(run.as_of, Holds.in_force()).filter(pk__lte=batch.upto)
        if batch.after is not None:
            expired = expired.filter(pk__gt=batch.after)
        ids = list(
            expired.order_by("pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)
        )
        result = target.apply(target.model, ids, rule=run.rule, run=run) if ids else PurgeResult()
        RetentionBatch.objects.filter(pk=batch.pk).update(
            status=RetentionBatch.Status.DONE,
            processed=result.people,
            worker=worker[:200],
            done_at=timezone.now(),
            files_pending=len(result.files),
        )
        add_counts(run, result)
        if result.files:
            # After the purge's own callback, which removes the files (callbacks run in order).
            transaction.on_commit(partial(_files_done, batch.pk), robust=True)
    return DONE


def _files_done(batch_id: int) -> None:
    RetentionBatch.objects.filter(pk=batch_id).update(files_pending=0)


def files_left_by_others(run: RetentionRun, worker: str) -> list[int]:
    """Batches of ``run`` another process committed without removing their files: it died
    between its commit and its removals. Meaningful once ``await_file_removals`` returned (no
    helper is still removing files)."""
    return list(
        RetentionBatch.objects.filter(run=run, files_pending__gt=0)
        .exclude(worker=worker[:200])
        .values_list("pk", flat=True)
    )


def settle(run: RetentionRun) -> int:
    """Wait for the batches of ``run`` being processed elsewhere to end, then drop those not
    started: the run stops here. Returns the number dropped."""
    with transaction.atomic():
        pending = RetentionBatch.objects.filter(run=run, status=RetentionBatch.Status.PENDING)
        ids = list(pending.select_for_update().values_list("pk", flat=True))  # waits
        return RetentionBatch.objects.filter(pk__in=ids).update(
            status=RetentionBatch.Status.DROPPED, done_at=timezone.now()
        )


def close_dead(runs: models.QuerySet, message: str) -> list[tuple[int, Any]]:
    """Record ``runs`` (running, their holder gone) as failed with ``message``, after their
    batches in flight (a worker still helping a dead run) have committed; drop the rest of
    their batches. Returns ``(pk, started_at)`` of each."""
    with transaction.atomic():
        closed = list(runs.select_for_update().values_list("pk", "started_at"))  # waits
        ids = [pk for pk, _ in closed]
        RetentionRun.objects.filter(pk__in=ids).update(
            status=RetentionRun.Status.FAILED,
            finished_at=timezone.now(),
            errors=Concat(F("errors"), Value(message + "\n"), output_field=models.TextField()),
        )
        RetentionBatch.objects.filter(run__in=ids, status=RetentionBatch.Status.PENDING).update(
            status=RetentionBatch.Status.DROPPED, done_at=timezone.now()
        )
    return closed


def pending_ids(run: RetentionRun) -> list[int]:
    return list(
        RetentionBatch.objects.filter(run=run, status=RetentionBatch.Status.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


Dispatch = Callable[[RetentionRun, list[int]], None]


# --- files removed after a helper's commit ----------------------------------------------------
# A batch's files go after its commit (retention/files.py), which is also when its row lock
# goes: the run could see every batch done while a worker still removes files. A helper holds
# a shared session lock of the run from before its claim to after its removals; the run takes
# it exclusively before it closes its record, so the files a record counts are all its own.
def _files_key(run_id: int) -> int:
    return lock_key(f"run:{run_id}:files")


def _advisory(function: str, run_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [_files_key(run_id)])


@contextmanager
def removing_files(run_id: int) -> Iterator[None]:
    _advisory("pg_advisory_lock_shared", run_id)
    try:
        yield
    finally:
        _advisory("pg_advisory_unlock_shared", run_id)


def await_file_removals(run_id: int) -> None:
    """Wait until no worker is still removing files of the run's batches."""
    _advisory("pg_advisory_lock", run_id)
    _advisory("pg_advisory_unlock", run_id)
