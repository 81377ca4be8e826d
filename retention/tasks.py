"""Retention on Celery: one task per rule, so the rules of a schedule fan out over the workers,
and one task per batch, so the batches of a rule fan out too.

``run_retention_rule`` coordinates a run under the rule's lock (retention/engine.py): it plans
the batches, queues one ``run_retention_batch`` per batch on the broker (with
``RETENTION_FAN_OUT``), processes batches itself meanwhile, waits for those workers hold, and
closes the run record. A coordinator that reaches its time budget stops the run between batches
and hands the rest to a new run on the broker rather than hit Celery's time limit. The tasks
take rule names, ISO dates and ids, never model instances.
"""

import os
from datetime import date
from functools import partial
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import engine, notice_tasks
from .models import RetentionRun

# Celery's autodiscovery imports ``<app>.tasks`` only: the tasks of the notice before deletion
# live in their own module and register through the import above.
__all__ = ["notice_tasks", "run_all_rules", "run_retention_batch", "run_retention_rule"]

# Leave a fifth of the soft time limit for the batch in progress and the run's closing.
BUDGET_SHARE = 0.8


def _budget() -> float | None:
    limit = getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", None)
    return limit * BUDGET_SHARE if limit else None


@shared_task(
    bind=True,
    acks_late=True,
    # The database went away (a restart, a failover): the batch in progress rolled back and a
    # new run starts over. Any other error is recorded in the run and raised, not retried.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    max_retries=3,
)
def run_retention_rule(
    self: Any,
    rule: str,
    as_of_iso: str,
    run_id: int | None = None,
    batch_size: int | None = None,
) -> dict[str, Any]:
    """Apply one retention rule as of a date, its batches fanned out to the workers. A second
    run of the same rule while one is in progress is refused (and recorded as refused)."""
    # Applied eagerly (no broker behind the call), the run processes its batches itself.
    fan_out = getattr(settings, "RETENTION_FAN_OUT", True) and not self.request.is_eager
    outcome = engine.run_rule(
        rule,
        as_of=date.fromisoformat(as_of_iso),
        run_id=run_id,
        batch_size=batch_size,
        triggered_by=f"celery {self.request.id or ''}".strip(),
        time_budget=_budget(),
        dispatch=partial(dispatch_batches, **_same_queue(self)) if fan_out else None,
        worker=_worker(self),
    )
    if outcome.incomplete:
        run_retention_rule.apply_async(
            args=(rule, as_of_iso), kwargs={"batch_size": batch_size}, **_same_queue(self)
        )
    run = outcome.run
    return {"run": run.pk, "status": run.status, "processed": run.processed}


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def run_retention_batch(self: Any, run_id: int, batch_id: int) -> str:
    """Process one batch of a run (or, if the run got to it first, another pending one), in one
    transaction; nothing once the run is over. A worker killed mid-batch rolls it back: the
    batch is pending again, the run processes it, and this message, redelivered, does nothing.
    Not retried: a failure stops the run and is recorded in it."""
    return engine.help_run(run_id, batch_id, worker=_worker(self))


def dispatch_batches(run: RetentionRun, batch_ids: list[int], queue: str | None = None) -> None:
    """Queue one ``run_retention_batch`` per batch (on ``queue``, or the default one)."""
    options: dict[str, Any] = {"queue": queue} if queue else {}
    for batch_id in batch_ids:
        run_retention_batch.apply_async(args=(run.pk, batch_id), **options)


@shared_task(bind=True)
def run_all_rules(
    self: Any, rules: list[str] | None = None, as_of_iso: str | None = None
) -> list[str]:
    """Queue one task per rule (all of them by default), for the periodic schedules."""
    as_of_iso = as_of_iso or timezone.localdate().isoformat()
    keys = list(dict.fromkeys(engine.job_for(r).key for r in rules or engine.runnable_rules()))
    for key in keys:
        run_retention_rule.apply_async(args=(key, as_of_iso), **_same_queue(self))
    return keys


def _worker(task: Any) -> str:
    """Who processed a batch: the worker's node name and the process (prefork has several)."""
    hostname = task.request.hostname
    return f"{hostname}:{os.getpid()}" if hostname else engine.default_worker()


def _same_queue(task: Any) -> dict[str, Any]:
    """Follow-up tasks go to the queue their parent came from, so that a worker dedicated to
    retention keeps them."""
    queue = (task.request.delivery_info or {}).get("routing_key")
    return {"queue": queue} if queue else {}
