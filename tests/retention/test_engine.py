"""retention.engine: the run loop, its record, its lock, its batches and what a failure does."""

import datetime as dt
import json
import os
import time
import uuid
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core.management import CommandError, call_command
from django.utils import timezone, translation
from django_celery_beat.models import PeriodicTask

from candidates import models as cm
from customers.models import Subscription
from employees.models import Employee, PayrollRecord
from retention import engine, purge
from retention.lock import RunLocked, lock_key, rule_lock
from retention.models import LegalHold, RetentionRun, Tombstone
from retention.tasks import run_all_rules, run_retention_rule
from serop.celery import app
from tests.factories import (
    CompanyFactory,
    ContactPersonFactory,
    EmployeeFactory,
    PayrollRecordFactory,
)

from . import at, media_path, rows_of, seed_candidate

RULE = "cv_bank_inactivity"
TODAY = dt.date(2026, 6, 1)
LONG_AGO = dt.date(2024, 1, 10)


@pytest.fixture
def today():
    with time_machine.travel(at(TODAY), tick=False):
        yield TODAY


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("dpo", password="x" * 16)


# --- the run record ------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_run_records_rule_date_counts_files_and_duration(
    today, django_capture_on_commit_callbacks
):
    expired = [seed_candidate(last_activity=LONG_AGO) for _ in range(3)]
    recent = seed_candidate(last_activity=TODAY - dt.timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        outcome = engine.run_rule(RULE, batch_size=2, triggered_by="test")
    run = outcome.run
    run.refresh_from_db()  # the files went after each commit
    assert (run.rule, run.as_of, run.status, run.dry_run) == (RULE, TODAY, "done", False)
    assert (run.expected, run.processed, run.files_removed) == (3, 3, 3)
    assert run.counts == {
        "candidates.candidate": 3,
        "candidates.candidatedocument": 3,
        "candidates.education": 3,
        "candidates.experience": 3,
        "candidates.activityevent": 3,
    }
    assert run.errors == "" and run.duration_seconds is not None and run.triggered_by == "test"
    assert Tombstone.objects.filter(run=run).count() == 3
    assert not cm.Candidate.objects.filter(pk__in=[p.pk for p in expired]).exists()
    assert cm.Candidate.objects.filter(pk=recent.pk).exists()


@pytest.mark.django_db
def test_progress_is_reported_after_each_batch(today):
    for _ in range(5):
        seed_candidate(last_activity=LONG_AGO)
    seen = []
    engine.run_rule(RULE, batch_size=2, progress=lambda run: seen.append(run.processed))
    assert seen == [0, 2, 4, 5]


@pytest.mark.django_db
def test_a_dry_run_counts_and_lists_but_changes_nothing(today):
    people = [seed_candidate(last_activity=LONG_AGO) for _ in range(2)]
    before = {p.pk: rows_of(p.pk) for p in people}
    outcome = engine.run_rule(RULE, dry_run=True)
    run = outcome.run
    assert run.dry_run and run.status == "done" and run.expected == 2 and run.processed == 0
    assert run.counts["candidates.candidate"] == 2
    assert run.counts["candidates.candidatedocument"] == 2
    assert sorted(outcome.samples["candidates.candidate"]) == sorted(
        str(p.public_id) for p in people
    )
    assert {p.pk: rows_of(p.pk) for p in people} == before
    assert all(media_path(p.documents.get().file.name).exists() for p in people)
    assert not Tombstone.objects.exists()


@pytest.mark.django_db
def test_a_dry_run_counts_each_row_once_across_targets(today):
    ended = {"status": "ended", "relationship_ended_on": dt.date(2024, 1, 31)}
    free, billed = CompanyFactory(**ended), CompanyFactory(**ended)
    for company in (free, free, billed):
        ContactPersonFactory(company=company)
    Subscription.objects.create(
        company=billed, product="hr", monthly_price=Decimal(100), started_on=dt.date(2020, 1, 1)
    )
    dry = engine.run_rule("customer_relationship", dry_run=True).run
    assert dry.counts == {"customers.company": 1, "customers.contactperson": 3}
    real = engine.run_rule("customer_relationship").run
    assert real.counts == dry.counts and real.processed == real.expected == dry.expected == 2


@pytest.mark.django_db
def test_the_time_budget_stops_a_run_between_batches(today):
    for _ in range(3):
        seed_candidate(last_activity=LONG_AGO)
    outcome = engine.run_rule(RULE, batch_size=1, time_budget=0)
    assert outcome.incomplete and outcome.run.status == "done" and outcome.run.processed == 1
    assert engine.run_rule(RULE, batch_size=1).run.processed == 2


@pytest.mark.django_db
def test_every_rule_runs_on_an_empty_database_and_as_a_dry_run():
    for rule in engine.runnable_rules():
        assert engine.run_rule(rule, dry_run=True).run.status == "done"
        assert engine.run_rule(rule).run.status == "done", rule


# --- overlapping purposes, holds ----------------------------------------------------------------
@pytest.mark.django_db
def test_a_former_employee_loses_the_cv_bank_profile_and_keeps_payroll_until_its_date(today):
    candidate = seed_candidate(last_activity=LONG_AGO)
    employee = EmployeeFactory(candidate=candidate, employment_end=dt.date(2024, 1, 31))
    payslip = PayrollRecordFactory(employee=employee)
    engine.run_rule(RULE)
    employee.refresh_from_db()
    assert not cm.Candidate.objects.filter(pk=candidate.pk).exists()
    assert employee.candidate_id is None
    assert PayrollRecord.objects.filter(pk=payslip.pk).exists()
    assert engine.run_rule("employment_end").run.processed == 0
    with time_machine.travel(at(dt.date(2029, 1, 31)), tick=False):
        assert engine.run_rule("employment_end").run.processed == 1
    assert not Employee.objects.filter(pk=employee.pk).exists()
    assert not PayrollRecord.objects.filter(pk=payslip.pk).exists()


@pytest.mark.django_db
def test_held_people_are_not_selected_until_the_hold_is_lifted(today, staff):
    held = seed_candidate(last_activity=LONG_AGO)
    by_record = seed_candidate(last_activity=LONG_AGO)
    hold = LegalHold.objects.create(subject_ref=held.public_id, reason="Klage", owner=staff)
    LegalHold.objects.create(
        content_type_id=_content_type(cm.Candidate),
        object_id=str(by_record.pk),
        reason="Tvist",
        owner=staff,
        ends_on=TODAY + dt.timedelta(days=10),
    )
    run = engine.run_rule(RULE).run
    assert run.expected == 0 and run.processed == 0
    assert engine.run_rule(RULE, dry_run=True).run.expected == 0
    hold.lifted_at = timezone.now()
    hold.save(update_fields=["lifted_at"])
    assert engine.run_rule(RULE).run.processed == 1
    with time_machine.travel(at(TODAY + dt.timedelta(days=11)), tick=False):
        assert engine.run_rule(RULE).run.processed == 1
    assert not cm.Candidate.objects.exists()


def _content_type(model):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


# --- locks, failures, crashes --------------------------------------------------------------------
def test_lock_keys_are_stable_and_distinct():
    assert lock_key(RULE) == lock_key(RULE)
    assert len({lock_key(rule) for rule in engine.runnable_rules()}) == len(engine.runnable_rules())


@pytest.mark.django_db(transaction=True)
def test_a_second_concurrent_run_of_the_same_rule_is_refused(today):
    seed_candidate(last_activity=LONG_AGO)
    with rule_lock(RULE):
        with pytest.raises(RunLocked), rule_lock(RULE):
            pass
        refused = engine.run_rule(RULE).run
        other_rule = engine.run_rule("contact_enquiry").run
    assert refused.status == "refused" and "another run" in refused.errors
    assert refused.processed == 0 and cm.Candidate.objects.count() == 1
    assert other_rule.status == "done"
    assert engine.run_rule(RULE).run.processed == 1  # the lock went with its holder


class Injected(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_failure_mid_run_rolls_back_that_batch_only_and_a_rerun_completes(today, monkeypatch):
    people = [seed_candidate(last_activity=LONG_AGO) for _ in range(4)]
    calls = []

    def second_batch_fails(stage, model):
        calls.append(stage)
        if len(calls) == 2:
            raise Injected("injected after the deletes of batch 2")

    monkeypatch.setattr(purge, "fault_point", second_batch_fails)
    with pytest.raises(Injected):
        engine.run_rule(RULE, batch_size=2)
    failed = RetentionRun.objects.get()
    assert failed.status == "failed" and "Injected: injected after" in failed.errors
    assert failed.processed == 2 and failed.counts["candidates.candidate"] == 2
    first, second = people[:2], people[2:]
    assert not cm.Candidate.objects.filter(pk__in=[p.pk for p in first]).exists()
    for person in second:  # whole again: every row, every file, no tombstone
        assert rows_of(person.pk) == {
            "documents": 1,
            "educations": 1,
            "experiences": 1,
            "activities": 1,
        }
        assert media_path(person.documents.get().file.name).exists()
        assert not Tombstone.objects.filter(subject_ref=person.public_id).exists()
    assert Tombstone.objects.count() == 2

    monkeypatch.setattr(purge, "fault_point", lambda stage, model: None)
    rerun = engine.run_rule(RULE, batch_size=2).run
    assert rerun.status == "done" and rerun.processed == 2
    assert not cm.Candidate.objects.exists() and Tombstone.objects.count() == 4
    assert not any((media_path("candidates")).iterdir())


@pytest.mark.django_db(transaction=True)
def test_the_next_run_closes_a_dead_run_and_sweeps_the_files_it_left(today, settings):
    dead = RetentionRun.objects.create(
        rule=RULE, as_of=TODAY, started_at=timezone.now() - dt.timedelta(minutes=5)
    )
    kept = seed_candidate(last_activity=TODAY)
    kept_file = media_path(kept.documents.get().file.name)
    left_behind = media_path("candidates/left-behind.pdf")
    left_behind.write_bytes(b"row deleted, worker killed before the unlink")
    old = (timezone.now() - dt.timedelta(hours=1)).timestamp()
    os.utime(left_behind, (old, old))
    os.utime(kept_file, (old, old))

    run = engine.run_rule(RULE).run

    dead.refresh_from_db()
    assert dead.status == "failed" and f"run {run.pk} continued" in dead.errors
    assert not left_behind.exists() and kept_file.exists()
    assert run.status == "done" and run.files_removed == 1


# --- the command, the tasks, the schedule ---------------------------------------------------------
@pytest.mark.django_db
def test_the_command_prints_a_summary_per_rule(today):
    seed_candidate(last_activity=LONG_AGO)
    out = StringIO()
    with translation.override("en"):
        call_command("retention_run", "--rule", RULE, "--dry-run", stdout=out)
    text = out.getvalue()
    assert "cv_bank_inactivity as of 2026-06-01 (dry run): Done, 0 of 1 processed" in text
    assert "candidates.candidatedocument: 1" in text
    assert cm.Candidate.objects.count() == 1
    out = StringIO()
    call_command("retention_run", "--rule", RULE, "--as-of", "2024-02-01", stdout=out)
    assert "0 of 0 processed" in out.getvalue()
    call_command("retention_run", "--rule", RULE, stdout=StringIO())
    assert cm.Candidate.objects.count() == 0


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_rule():
    with pytest.raises(CommandError, match="Unknown rule"):
        call_command("retention_run", "--rule", "forever", stdout=StringIO())


@pytest.mark.django_db
def test_payroll_is_run_by_the_employment_job():
    assert engine.job_for("payroll").key == "employment_end"
    assert engine.run_rule("payroll").run.rule == "employment_end"


@pytest.mark.django_db
def test_the_task_runs_a_rule_and_reports(today):
    seed_candidate(last_activity=LONG_AGO)
    result = run_retention_rule.apply(args=(RULE, TODAY.isoformat())).get()
    run = RetentionRun.objects.get(pk=result["run"])
    assert result == {"run": run.pk, "status": "done", "processed": 1}
    assert run.triggered_by.startswith("celery")


@pytest.mark.django_db
def test_a_task_fills_in_a_run_created_for_it(today):
    seed_candidate(last_activity=LONG_AGO)
    queued = RetentionRun.objects.create(rule=RULE, as_of=TODAY)
    result = run_retention_rule.apply(args=(RULE, TODAY.isoformat(), queued.pk)).get()
    assert result["run"] == queued.pk and RetentionRun.objects.get(pk=queued.pk).processed == 1


@pytest.fixture
def private_queue():
    """A queue of the test's own: no other worker on the shared Redis takes its tasks. A worker
    started in this process with ``queues=`` narrows the app's consumer queues for the whole
    process; they are put back afterwards, or later in-process workers would ignore "celery"."""
    queues = app.amqp.queues
    saved = queues._consume_from
    name = f"retention-test-{uuid.uuid4().hex}"
    yield name
    queues._consume_from = saved
    queues.pop(name, None)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(name)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_run_all_rules_fans_out_one_task_per_rule_to_a_worker(today, private_queue):
    seed_candidate(last_activity=LONG_AGO)
    queue = private_queue
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, queues=[queue]
    ):
        keys = run_all_rules.apply_async(
            kwargs={"rules": [RULE, "payroll", "employment_end"]},
            queue=queue,
            ignore_result=False,
        ).get(timeout=30)
        assert keys == [RULE, "employment_end"]
        for _ in range(100):
            if RetentionRun.objects.filter(status="done").count() == 2:
                break
            time.sleep(0.1)
    assert set(RetentionRun.objects.values_list("rule", "status")) == {
        (RULE, "done"),
        ("employment_end", "done"),
    }
    assert not cm.Candidate.objects.exists()


@pytest.mark.django_db
def test_the_schedules_install_the_retention_jobs():
    call_command("setup_periodic_tasks", stdout=StringIO())
    clean_up = PeriodicTask.objects.get(name="retention-cv-bank-clean-up")
    assert clean_up.task == "retention.tasks.run_all_rules"
    assert json.loads(clean_up.kwargs) == {"rules": [RULE]}
    cron = clean_up.crontab
    assert (cron.month_of_year, cron.day_of_month, cron.hour, cron.minute) == ("1", "15", "2", "0")
    scheduled = {
        rule
        for task in PeriodicTask.objects.filter(task="retention.tasks.run_all_rules")
        for rule in json.loads(task.kwargs)["rules"]
    }
    # Every rule is scheduled, the audit trail's included: one implementation of each rule.
    assert scheduled == set(engine.runnable_rules())
    for task in PeriodicTask.objects.filter(task="retention.tasks.run_all_rules").exclude(
        pk=clean_up.pk
    ):
        assert task.crontab.day_of_month == "*" and int(task.crontab.hour) < 6
