"""Two requests at the same moment, for the tests of what the database's locks and unique
indexes decide: ``first`` writes in a transaction that stays open, ``second`` meets its
uncommitted rows. Needs ``django_db(transaction=True)``: each thread has its own connection."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction


@dataclass
class Race:
    first: Any  # what each returned
    second: Any
    second_waited: bool  # the second was held until the first's transaction ended


def race(first: Callable[[], Any], second: Callable[[], Any], hold: float = 1.0) -> Race:
    """Run ``first`` in a transaction held open for ``hold`` seconds after it returns, and
    ``second`` in another thread once ``first`` has returned, so that it meets first's locks
    or index entries before the commit. An exception in either is raised here."""
    first_done = threading.Event()
    results: dict[str, Any] = {}
    errors: list[BaseException] = []

    def run_first() -> None:
        try:
            with transaction.atomic():
                results["first"] = first()
                results["first_returned_at"] = time.monotonic()
                first_done.set()
                time.sleep(hold)
        except BaseException as exc:  # handed to the test below
            errors.append(exc)
        finally:
            first_done.set()
            connection.close()

    def run_second() -> None:
        try:
            first_done.wait(10)
            results["second"] = second()
            results["second_done_at"] = time.monotonic()
        except BaseException as exc:  # handed to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    if errors:
        raise errors[0]
    return Race(
        first=results["first"],
        second=results["second"],
        # The second starts when the first returns, and the first commits ``hold`` seconds
        # later: a second that took (nearly) that long was waiting for the commit.
        second_waited=results["second_done_at"] - results["first_returned_at"] >= 0.9 * hold,
    )
