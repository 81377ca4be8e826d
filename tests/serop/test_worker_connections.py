"""A real worker keeps its database connection from task to task, as a web worker does from
request to request, instead of opening a new PostgreSQL session for every task (Celery's
default with Django: a server process forked per confirmation mail)."""

import time
import uuid

import pytest
from django.db import connection

from candidates.public.tasks import send_signup_confirmation
from tests.workers import delete_queue, start_worker, stop, wait_for

TASKS = 20


def sessions_so_far() -> int:
    """Sessions PostgreSQL has opened to the test database (pg_stat_database, PostgreSQL 14+):
    a backend that has ended has reported its session."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def run_tasks(tmp_path, request, **env) -> int:
    """Run TASKS tasks that each read the database on a fresh worker; return how many
    database sessions were opened meanwhile."""
    queue = f"connections-test-{uuid.uuid4().hex}"
    log = tmp_path / f"worker-{queue}.log"
    request.addfinalizer(lambda: delete_queue(queue))
    worker = start_worker(queue, log, **env)
    try:
        send_signup_confirmation.apply_async((0,), queue=queue)  # the worker is up and connected
        wait_for(lambda: "succeeded" in log.read_text(), timeout=60, what="the worker", log=log)
        before = sessions_so_far()
        for _ in range(TASKS):
            send_signup_confirmation.apply_async((0,), queue=queue)  # nobody: one SELECT
        wait_for(
            lambda: log.read_text().count("succeeded") == TASKS + 1,
            timeout=60,
            what=f"{TASKS} tasks",
            log=log,
        )
    finally:
        stop(worker)
    time.sleep(0.5)  # the stopped worker's session ends and reports
    return sessions_so_far() - before


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_with_persistent_connections_opens_one_session_for_many_tasks(tmp_path, request):
    assert run_tasks(tmp_path, request, CONN_MAX_AGE="60") <= 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_without_persistent_connections_each_task_has_a_session_of_its_own(tmp_path, request):
    """The same worker with CONN_MAX_AGE=0 (the development default): what the test above
    would measure if the worker still closed its connection around every task."""
    assert run_tasks(tmp_path, request, CONN_MAX_AGE="0") >= TASKS
