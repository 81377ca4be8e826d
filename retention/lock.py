"""One retention run per rule at a time.

On PostgreSQL the lock is a session-level advisory lock (``pg_try_advisory_lock``) taken on a
connection of its own, opened for the run and closed with it. Two properties follow:

- It does not depend on the run's transactions: each batch commits or rolls back on the
  default connection while the lock stays held.
- It dies with its holder. A worker killed with SIGKILL closes its sockets; PostgreSQL ends
  that session and releases the lock, so the next run is never blocked by a dead one.

On SQLite (``make run`` on one machine, one worker) there is nothing to lock against across
processes that SQLite would not already serialise; the lock is a no-op there.
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections


class RunLocked(Exception):
    """Another run of the same rule holds the lock."""


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_lock``; Python's ``hash`` is salted
    per process, so it cannot serve."""
    digest = hashlib.blake2b(f"serop.retention:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def rule_lock(name: str, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Hold the lock of ``name`` for the block, or raise ``RunLocked`` at once."""
    if connections[using].vendor != "postgresql":
        yield
        return
    # A fresh wrapper with the same settings: a session of its own, never shared with the
    # batches' transactions and never closed behind our back by Django's request/task hooks.
    conn: Any = connections.create_connection(using)
    key = lock_key(name)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            (acquired,) = cursor.fetchone()
        if not acquired:
            raise RunLocked(name)
        try:
            yield
        finally:
            # Closing the session below releases the lock in any case; unlocking first just
            # makes the release independent of how quickly the server notices the close.
            with suppress(DatabaseError), conn.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    finally:
        conn.close()
