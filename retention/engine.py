"""The retention engine: which rows each rule has expired, and the run that removes them.

Irreversible. Invariants:
- Each rule of retention/rules.py that the registry names is implemented here once, as one or
  more targets: a model, the rows expired on a date, and what happens to them (purge or
  anonymise). ``payroll`` is applied by ``employment_end`` (see ``_employment``).
- A run is coordinated by one process (a Celery task, or ``manage.py retention_run``), which
  holds its rule's lock (retention/lock.py) from start to end: a second run of the same rule is
  refused and recorded as refused. Dry runs take no lock and change nothing.
- The coordinator plans the run's batches (retention/batches.py: ranges of
  ``RETENTION_BATCH_SIZE`` expired rows), may hand them to Celery workers, processes pending
  ones itself, waits for those in flight, and closes the record when none is left. Each batch,
  wherever it runs, is one transaction: its rows are selected ``FOR UPDATE SKIP LOCKED``,
  expiry and legal holds re-checked inside the transaction, purged or anonymised, and its
  counts added to the run record, all in that transaction. A person is therefore either fully
  processed or untouched.
- A failing batch rolls back alone; the run stops (no further batch starts, those in flight
  end), is recorded as failed with the error, and the coordinator raises it if it was its own.
  Earlier batches stay committed. The next run starts over from the current data and finishes
  the job.
- A worker killed mid-batch rolls back; its batch is pending again and the coordinator
  processes it. A coordinator that dies (a killed worker) leaves its record "running"; the next
  run of the rule, holding the lock, marks it failed ("interrupted") once its batches in flight
  have committed, and sweeps the files its last batches may have left behind
  (retention/files.py).
"""

import logging
import os
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from candidates.models import Application, Candidate
from consents.models import ConsentRecord
from customers.models import (
    BetalingsserviceMandate,
    Company,
    ContactEnquiry,
    ContactPerson,
    CustomerReference,
    NewsletterSubscriber,
    Partner,
    Subscription,
    WebshopOrder,
)
from employees.models import AbsenceRecord, Employee, PayrollRecord
from privacy.audit import purge_audit_entries
from privacy.models import AuditEntry

from . import accountability, batches
from .anonymise import anonymise_orders, anonymise_subscribers
from .batches import add_counts, append_error, describe
from .files import sweep_orphans
from .lock import RunLocked, rule_lock
from .models import RetentionBatch, RetentionRun, Tombstone
from .purge import (
    Holds,
    PurgeResult,
    count_cascade,
    exclude_held,
    has_field,
    plan,
    protected_lookups,
    purge_people,
)
from .rules import RetentionRule, get_rule

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 2000
DRY_RUN_SAMPLE = 20


def batch_size_setting() -> int:
    return int(getattr(settings, "RETENTION_BATCH_SIZE", DEFAULT_BATCH_SIZE))


# --- dates ----------------------------------------------------------------------------------------
def clock_cutoff(rule: RetentionRule, as_of: date, *, fiscal_year: bool | None = None) -> date:
    """The last clock date whose data has expired on ``as_of``: for every clock date ``d``,
    ``d <= cutoff`` exactly when the rule's expiry of ``d`` is on or before ``as_of``.

    Month ends clip (31 January + 1 month = 28 February), so subtracting the period is only a
    first guess; the loops settle it, a few steps at most. With ``fiscal_year`` (default: the
    rule's own setting) the period counts from 31 December of the clock's year.
    """
    period = rule.period
    fiscal = rule.counts_from_fiscal_year_end if fiscal_year is None else fiscal_year
    if fiscal:
        year = (as_of - period).year + 1
        while date(year, 12, 31) + period > as_of:
            year -= 1
        return date(year, 12, 31)
    day = as_of - period
    while day + period > as_of:
        day -= timedelta(days=1)
    while day + timedelta(days=1) + period <= as_of:
        day += timedelta(days=1)
    return day


def start_of(day: date) -> datetime:
    """Local midnight at the start of ``day``, aware."""
    return timezone.make_aware(datetime.combine(day, clock_time.min))


def until(rule: RetentionRule, as_of: date, **kwargs: Any) -> datetime:
    """Timestamps before this instant have expired: their local date is on or before the
    cutoff."""
    return start_of(clock_cutoff(rule, as_of, **kwargs) + timedelta(days=1))


# --- the rules, as targets ------------------------------------------------------------------------
Apply = Callable[..., PurgeResult]


@dataclass(frozen=True)
class Target:
    model: type[models.Model]
    select: Callable[[date], models.QuerySet]  # the rows expired on a date
    apply: Apply = purge_people
    owners: tuple[str, ...] = ()  # lookups to records whose legal holds also keep these rows

    def expired(self, as_of: date, holds: Holds) -> models.QuerySet:
        return exclude_held(self.select(as_of), holds, owners=self.owners)


@dataclass(frozen=True)
class RuleJob:
    key: str
    targets: Callable[[], list[Target]] = list
    # A rule applied otherwise than by targets (the audit trail): (run, as_of, dry_run) -> None
    custom: Callable[[RetentionRun, date, bool], None] | None = None
    covers: tuple[str, ...] = ()  # other rules this job applies


def _rule(key: str) -> RetentionRule:
    return get_rule(key)


def _cv_bank() -> list[Target]:
    rule = _rule("cv_bank_inactivity")
    return [
        Target(
            Candidate,
            lambda as_of: Candidate._base_manager.filter(
                status=Candidate.Status.ACTIVE, last_activity_at__lt=until(rule, as_of)
            ),
        )
    ]


def _cv_bank_unconfirmed() -> list[Target]:
    rule = _rule("cv_bank_unconfirmed")
    return [
        Target(
            Candidate,
            lambda as_of: Candidate._base_manager.filter(
                status=Candidate.Status.PENDING, created_at__lt=until(rule, as_of)
            ),
        )
    ]


def _applications() -> list[Target]:
    rule = _rule("application_posting_closed")
    return [
        Target(
            Application,
            lambda as_of: Application._base_manager.filter(
                candidate__isnull=True, posting__closed_on__lte=clock_cutoff(rule, as_of)
            ),
            owners=("posting",),
        )
    ]


def _employment() -> list[Target]:
    """Employee data and payroll share a clock (the end of employment) but are two rules. An
    employee goes, with payroll and absence, only when both have expired; if payroll expires
    first, payroll and absence rows go on their own date and the employee stays."""
    employment, payroll = _rule("employment_end"), _rule("payroll")

    def both_expired(as_of: date) -> date:
        return min(clock_cutoff(employment, as_of), clock_cutoff(payroll, as_of))

    def employees(as_of: date) -> models.QuerySet:
        return Employee._base_manager.filter(employment_end__lte=both_expired(as_of))

    def payroll_rows(model: type[models.Model]) -> Callable[[date], models.QuerySet]:
        # Only rows whose employee stays: the others go with their employee (and are counted
        # there once).
        return lambda as_of: model._base_manager.filter(
            employee__employment_end__lte=clock_cutoff(payroll, as_of),
            employee__employment_end__gt=both_expired(as_of),
        )

    return [
        Target(Employee, employees),
        Target(PayrollRecord, payroll_rows(PayrollRecord)),
        Target(AbsenceRecord, payroll_rows(AbsenceRecord)),
    ]


def _ended_customers(as_of: date) -> models.QuerySet:
    rule = _rule("customer_relationship")
    return Company._base_manager.filter(
        status=Company.Status.ENDED, relationship_ended_on__lte=clock_cutoff(rule, as_of)
    )


def _deletable_customers(as_of: date) -> models.QuerySet:
    """Ended customers nothing else keeps: bookkeeping (mandates, subscriptions), placements,
    postings, disclosures and the like point at a company with PROTECT; it stays, as business
    data, with its contact persons gone, until they are gone too."""
    blocked: Any = Q()
    for model, lookup in protected_lookups(Company):
        blocked |= Exists(model._base_manager.filter(**{lookup: OuterRef("pk")}))
    queryset = _ended_customers(as_of)
    return queryset.exclude(blocked) if blocked else queryset


def _customers() -> list[Target]:
    """First the customers that can go, with their contacts and references (the cascade);
    then the contacts and references of those that stay. The two sets do not overlap, so a
    dry run counts each row once."""

    def kept_customers(as_of: date) -> models.QuerySet:
        return _ended_customers(as_of).exclude(pk__in=_deletable_customers(as_of).values("pk"))

    return [
        Target(Company, _deletable_customers),
        Target(
            ContactPerson,
            lambda as_of: ContactPerson._base_manager.filter(company__in=kept_customers(as_of)),
            owners=("company",),
        ),
        Target(
            CustomerReference,
            lambda as_of: CustomerReference._base_manager.filter(company__in=kept_customers(as_of)),
            owners=("company",),
        ),
    ]


def _accounting() -> list[Target]:
    """Bogføringsloven: 5 years from the end of the financial year, whatever the setting."""
    rule = _rule("accounting_record")
    return [
        Target(
            BetalingsserviceMandate,
            lambda as_of: BetalingsserviceMandate._base_manager.filter(
                status=BetalingsserviceMandate.Status.CANCELLED,
                cancelled_on__lte=clock_cutoff(rule, as_of, fiscal_year=True),
            ),
            owners=("company",),
        ),
        Target(
            Subscription,
            lambda as_of: Subscription._base_manager.filter(
                ended_on__lte=clock_cutoff(rule, as_of, fiscal_year=True)
            ),
            owners=("company",),
        ),
        Target(
            WebshopOrder,
            lambda as_of: WebshopOrder._base_manager.filter(
                anonymised_at__isnull=True,
                placed_at__lt=until(rule, as_of, fiscal_year=True),
            ),
            apply=anonymise_orders,
            owners=("company",),
        ),
    ]


def _newsletter_unsubscribed() -> list[Target]:
    rule = _rule("newsletter_unsubscribed")
    return [
        Target(
            NewsletterSubscriber,
            lambda as_of: NewsletterSubscriber._base_manager.filter(
                Q(unsubscribed_at__lt=until(rule, as_of)) | Q(unsubscribed_at__isnull=True),
                status=NewsletterSubscriber.Status.UNSUBSCRIBED,
                email_digest="",
            ),
            apply=anonymise_subscribers,
        )
    ]


def _newsletter_unconfirmed() -> list[Target]:
    rule = _rule("newsletter_unconfirmed")
    return [
        Target(
            NewsletterSubscriber,
            lambda as_of: NewsletterSubscriber._base_manager.filter(
                status=NewsletterSubscriber.Status.PENDING, subscribed_at__lt=until(rule, as_of)
            ),
        )
    ]


def _enquiries() -> list[Target]:
    rule = _rule("contact_enquiry")
    return [
        Target(
            ContactEnquiry,
            lambda as_of: ContactEnquiry._base_manager.filter(received_at__lt=until(rule, as_of)),
        )
    ]


def _marketing() -> list[Target]:
    rule = _rule("marketing_permission")

    def withdrawn(model: type[models.Model]) -> Callable[[date], models.QuerySet]:
        return lambda as_of: model._base_manager.filter(
            permission_withdrawn_at__lt=until(rule, as_of)
        )

    return [Target(model, withdrawn(model)) for model in (CustomerReference, Partner)]


def _consent_proof() -> list[Target]:
    """A consent is proof for as long as the processing it covers lasts, plus the limitation
    period: from its withdrawal, from the unsubscription it ended with, or from the deletion
    of the person (their tombstone), whichever came."""
    rule = _rule("consent_proof")

    def expired(as_of: date) -> models.QuerySet:
        before = until(rule, as_of)
        person_gone = Exists(
            Tombstone.objects.filter(subject_ref=OuterRef("subject_ref"), deleted_at__lt=before)
        )
        return ConsentRecord._base_manager.filter(
            Q(withdrawn_at__lt=before)
            | Q(
                subscriber__status=NewsletterSubscriber.Status.UNSUBSCRIBED,
                subscriber__unsubscribed_at__lt=before,
            )
            | (Q(candidate__isnull=True, subscriber__isnull=True) & person_gone)
        )

    return [Target(ConsentRecord, expired)]


def _audit_trail(run: RetentionRun, as_of: date, dry_run: bool) -> None:
    """Audit entries go through privacy.audit.purge_audit_entries, the trail's one door, a
    month of entries per transaction."""
    before = until(_rule("audit_trail"), as_of)
    entries = AuditEntry.objects.filter(at__lt=before)
    label = AuditEntry._meta.label_lower
    if dry_run:
        run.expected = entries.count()
        run.counts = {label: run.expected} if run.expected else {}
        return
    oldest = entries.order_by("at").values_list("at", flat=True).first()
    run.expected = entries.count()
    RetentionRun.objects.filter(pk=run.pk).update(expected=run.expected)
    while oldest is not None and oldest < before:
        step = min(start_of(timezone.localdate(oldest) + relativedelta(months=1)), before)
        with transaction.atomic():
            deleted = purge_audit_entries(before=step)
            add_counts(run, PurgeResult(people=deleted, counts=Counter({label: deleted})))
        oldest = step


JOBS: dict[str, RuleJob] = {
    job.key: job
    for job in [
        RuleJob("cv_bank_inactivity", _cv_bank),
        RuleJob("cv_bank_unconfirmed", _cv_bank_unconfirmed),
        RuleJob("application_posting_closed", _applications),
        RuleJob("employment_end", _employment, covers=("payroll",)),
        RuleJob("customer_relationship", _customers),
        RuleJob("accounting_record", _accounting),
        RuleJob("newsletter_unsubscribed", _newsletter_unsubscribed),
        RuleJob("newsletter_unconfirmed", _newsletter_unconfirmed),
        RuleJob("contact_enquiry", _enquiries),
        RuleJob("marketing_permission", _marketing),
        RuleJob("consent_proof", _consent_proof),
        RuleJob("audit_trail", custom=_audit_trail),
        RuleJob("subject_request", accountability.subject_requests),
        RuleJob("breach_record", accountability.breaches),
        RuleJob("legal_hold", accountability.legal_holds),
        RuleJob("deletion_notice", accountability.deletion_notices),
        RuleJob("retention_record", custom=accountability.retention_records),
        RuleJob("privacy_notice_version", accountability.privacy_notice_versions),
    ]
}


class UnknownRule(ValueError):
    pass


def job_for(rule: str) -> RuleJob:
    """The job that applies ``rule`` (``payroll`` is applied by ``employment_end``)."""
    if rule in JOBS:
        return JOBS[rule]
    for job in JOBS.values():
        if rule in job.covers:
            return job
    raise UnknownRule(rule)


# --- the run --------------------------------------------------------------------------------------
@dataclass
class Outcome:
    run: RetentionRun
    # Dry runs: up to DRY_RUN_SAMPLE pseudonymous ids (or record ids) per model.
    samples: dict[str, list[str]] = field(default_factory=dict)
    incomplete: bool = False  # stopped by the time budget: expired rows remain


Progress = Callable[[RetentionRun], None]


def _finish(run: RetentionRun, status: str) -> None:
    """Close the record. What batches committed is already in it (whoever processed them); the
    in-memory copy may hold a batch that rolled back, so only a dry run writes its counts from
    here. A run a failed batch stopped stays failed."""
    if not run.dry_run:
        batches.await_file_removals(run.pk)
    fields = {"finished_at": timezone.now(), "expected": run.expected}
    if run.dry_run:
        fields["counts"] = run.counts
    RetentionRun.objects.filter(pk=run.pk).update(**fields)
    RetentionRun.objects.filter(pk=run.pk).exclude(status=RetentionRun.Status.FAILED).update(
        status=status
    )
    run.refresh_from_db()


def _claim(job: RuleJob, as_of: date, run_id: int | None, **fields: Any) -> RetentionRun:
    existing = None
    if run_id is not None:
        existing = RetentionRun.objects.filter(
            pk=run_id, status=RetentionRun.Status.RUNNING, processed=0
        ).first()
    if existing is None:
        return RetentionRun.objects.create(rule=job.key, as_of=as_of, **fields)
    RetentionRun.objects.filter(pk=existing.pk).update(started_at=timezone.now(), **fields)
    existing.refresh_from_db()
    return existing


def _recover(job: RuleJob, run: RetentionRun) -> None:
    """With the lock held, any other "running" run of the rule is dead: record it as
    interrupted (once its batches still in flight on workers have committed), and sweep the
    files it may have left, and those a failed run left."""
    stale = RetentionRun.objects.filter(
        rule=job.key, status=RetentionRun.Status.RUNNING, dry_run=False
    ).exclude(pk=run.pk)
    stale_runs = batches.close_dead(
        stale, f"interrupted: the run stopped before its end; run {run.pk} continued"
    )
    starts = [started for _, started in stale_runs]
    previous = (
        RetentionRun.objects.filter(rule=job.key, dry_run=False, finished_at__isnull=False)
        .exclude(pk=run.pk)
        .exclude(status=RetentionRun.Status.REFUSED)
        .exclude(pk__in=[pk for pk, _ in stale_runs])
        .order_by("-started_at")
        .first()
    )
    if previous is not None and (
        previous.status == RetentionRun.Status.FAILED or previous.errors.strip()
    ):
        starts.append(previous.started_at)
    if starts:
        model_list = [node.model for t in job.targets() for node in plan(t.model).walk()]
        sweep_orphans(model_list, older_than=min(starts), run_id=run.pk)


def _sample(queryset: models.QuerySet) -> list[str]:
    column = "public_id" if has_field(queryset.model, "public_id") else "pk"
    return [str(v) for v in queryset.values_list(column, flat=True)[:DRY_RUN_SAMPLE]]


def _dry_run(job: RuleJob, run: RetentionRun, as_of: date) -> Outcome:
    outcome = Outcome(run)
    if job.custom is not None:
        job.custom(run, as_of, True)
    else:
        holds = Holds.in_force()
        counts: Counter[str] = Counter()
        for target in job.targets():
            expired = target.expired(as_of, holds)
            n = expired.count()
            run.expected += n
            if not n:
                continue
            outcome.samples.setdefault(target.model._meta.label_lower, []).extend(_sample(expired))
            if target.apply is purge_people:
                counts.update(count_cascade(expired))
            else:
                counts[target.model._meta.label_lower] += n
        run.counts = dict(counts)
    _finish(run, RetentionRun.Status.DONE)
    return outcome


def default_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_rule(
    rule: str,
    *,
    as_of: date | None = None,
    dry_run: bool = False,
    batch_size: int | None = None,
    run_id: int | None = None,
    triggered_by: str = "",
    progress: Progress | None = None,
    time_budget: float | None = None,
    dispatch: batches.Dispatch | None = None,
    worker: str | None = None,
) -> Outcome:
    """Apply ``rule`` as of ``as_of`` (today by default) and return the run record.

    The calling process coordinates the run: it holds the rule's lock, plans the batches,
    processes them, and closes the record once none is left. With ``dispatch``, it first hands
    the planned batches' ids to it (the Celery task queues one task per batch on the broker), so
    that workers process batches concurrently with it; without, it processes them all itself.

    Raises what a batch of its own raised, after recording it; a batch that failed on a worker
    is recorded there and ends the run as failed. A refused run (another run of the rule holds
    the lock) is recorded and returned with status "refused".
    """
    job = job_for(rule)
    as_of = as_of or timezone.localdate()
    size = batch_size or batch_size_setting()
    fields = {"dry_run": dry_run, "triggered_by": triggered_by[:150]}
    if dry_run:
        return _dry_run(job, _claim(job, as_of, run_id, **fields), as_of)
    try:
        with rule_lock(job.key):
            run = _claim(job, as_of, run_id, **fields)
            return _run(job, run, as_of, size, progress, time_budget, dispatch, worker)
    except RunLocked:
        run = _claim(job, as_of, run_id, **fields)
        append_error(run, "refused: another run of this rule is in progress")
        _finish(run, RetentionRun.Status.REFUSED)
        return Outcome(run)


def _run(
    job: RuleJob,
    run: RetentionRun,
    as_of: date,
    size: int,
    progress: Progress | None,
    time_budget: float | None,
    dispatch: batches.Dispatch | None,
    worker: str | None,
) -> Outcome:
    started = time.monotonic()
    outcome = Outcome(run)
    worker = worker or default_worker()
    try:
        _recover(job, run)
        if job.custom is not None:
            job.custom(run, as_of, False)
        else:
            targets = job.targets()
            run.expected = batches.plan(run, targets, as_of, size)
            RetentionRun.objects.filter(pk=run.pk).update(expected=run.expected)
            if progress:
                progress(run)
            if dispatch is not None and (queued := batches.pending_ids(run))[1:]:
                dispatch(run, queued)
            outcome.incomplete = not _drain(run, targets, worker, progress, started, time_budget)
            _sweep_files_of_dead_helpers(job, run, worker)
    except Exception as exc:
        logger.exception("retention run %s of %s failed", run.pk, job.key)
        append_error(run, describe(exc))
        batches.stop(run)
        try:
            batches.settle(run)
        except Exception:  # the database may be what failed; the next run closes the rest
            logger.exception("retention run %s: its batches could not be settled", run.pk)
        _finish(run, RetentionRun.Status.FAILED)
        raise
    _finish(run, RetentionRun.Status.DONE)
    if outcome.incomplete:
        logger.info("retention run %s of %s stopped at its time budget", run.pk, job.key)
    return outcome


def _sweep_files_of_dead_helpers(job: RuleJob, run: RetentionRun, worker: str) -> None:
    """A worker that helped the run and died between a batch's commit and its file removals
    left files no row references; the run ends cleanly otherwise, so nothing else would ever
    find them. Swept here: files of the rule's folders unreferenced and older than the run."""
    batches.await_file_removals(run.pk)
    left = batches.files_left_by_others(run, worker)
    if not left:
        return
    logger.warning(
        "retention run %s: batches %s were committed by a worker that stopped before removing "
        "their files; sweeping them",
        run.pk,
        left,
    )
    model_list = [node.model for t in job.targets() for node in plan(t.model).walk()]
    sweep_orphans(model_list, older_than=run.started_at, run_id=run.pk)
    RetentionBatch.objects.filter(pk__in=left).update(files_pending=0)


def _drain(
    run: RetentionRun,
    targets: list[Target],
    worker: str,
    progress: Progress | None,
    started: float,
    time_budget: float | None,
) -> bool:
    """Process the run's pending batches until none is left (True), or the time budget is spent
    (False). A batch a worker is processing is waited for; if that worker dies, its batch is
    pending again and processed here. Each batch's range is selected once, so a row the purge
    keeps (a hold on a row of its cascade) cannot make the loop spin."""
    while True:
        state = batches.process_next(run, targets, worker=worker)
        if state == batches.NOTHING:
            state = batches.process_next(run, targets, worker=worker, wait=True)
        if state != batches.DONE:
            # NOTHING: every batch is done. STOPPED: a batch failed on a worker, which recorded
            # it; the batches in flight end, the others are dropped.
            batches.settle(run)
            return True
        if progress:
            run.refresh_from_db(fields=["processed", "counts", "status"])
            progress(run)
        if time_budget is not None and time.monotonic() - started > time_budget:
            batches.settle(run)
            return False


def help_run(run_id: int, batch_id: int | None, *, worker: str) -> str:
    """A worker's share of a run (retention.tasks.run_retention_batch): process ``batch_id``,
    or, if the run or another worker has it already, the next pending batch; nothing once the
    run is over. A failure is recorded in the run, which stops, and raised."""
    run = RetentionRun.objects.filter(pk=run_id).first()
    if run is None or run.status != RetentionRun.Status.RUNNING:
        return batches.STOPPED
    targets = job_for(run.rule).targets()
    try:
        with batches.removing_files(run.pk):
            state = batches.process_next(run, targets, worker=worker, batch_id=batch_id)
            if state == batches.NOTHING and batch_id is not None:
                state = batches.process_next(run, targets, worker=worker)
    except Exception as exc:
        logger.exception("retention run %s: a batch failed on %s", run_id, worker)
        append_error(run, f"{describe(exc)} (on {worker})")
        batches.stop(run)
        raise
    return state


def runnable_rules() -> list[str]:
    return list(JOBS)
