"""Real Celery workers in their own processes, on the real Redis broker and the test
database, for the tests whose behaviour depends on a worker: crashes, several workers, the
database connections a worker keeps."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from serop.celery import app


def start_worker(queue, log, **extra_env):
    db = connection.settings_dict
    env = {
        **os.environ,
        # The development settings read everything from the environment; point them at this
        # test's database, broker and media folder, with the test keys.
        "DJANGO_SETTINGS_MODULE": "serop.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "PRIVATE_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY,
        "LOG_LEVEL": "INFO",
        **extra_env,
    }
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "serop",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        f"--queues={queue}",
        f"--hostname={queue}-{uuid.uuid4().hex[:6]}@%h",
        "--without-heartbeat",
        "--without-mingle",
        "--without-gossip",
        "--loglevel=INFO",
    ]
    return subprocess.Popen(  # noqa: S603 - our own command line
        command,
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, *, timeout, what, log):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.01)
    pytest.fail(f"timed out waiting for {what}; worker log:\n{log.read_text()[-3000:]}")


def stop(worker):
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def delete_queue(name):
    with app.connection_for_write() as conn:
        conn.default_channel.queue_delete(name)
