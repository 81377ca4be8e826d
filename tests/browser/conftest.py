"""Real-browser tests: Playwright drives Debian's Chromium (/usr/bin/chromium, installed by
``make browser-deps``) against pytest-django's live server, with a real Celery worker.

- ``browser``: one headless Chromium for the session (Playwright's sync API; never a browser
  downloaded by Playwright). Missing Chromium fails with the command that installs it.
- ``page`` / ``phone_page``: a fresh context (cookies, downloads) per test, Danish locale;
  ``phone_page`` is 390x844 with touch at device scale 2, like a current phone. Both carry
  the referrer-policy workaround of helpers.relax_referrer_policy; ``strict_page`` gets the
  pages as served.
- ``shots``: ``shots("step")`` saves ``test-artifacts/browser/<test>/<NN>-<step>.png``.
- ``site``: the live server's URL, with everything the pages need to really run behind it: a
  Celery worker in this process (``celery.contrib.testing.worker.start_worker``, solo pool, on
  the Redis broker of ``REDIS_URL``) executes the tasks the pages queue after commit, so their
  mails land in this process's locmem outbox (``mailoutbox``); links in mails point at the
  live server (``SEROP_PUBLIC_URL``); rate limits are counted from zero per test
  (tests/conftest.py) but stay on.
- ``tiny_pdf``: a real one-page PDF file to upload.

The helpers the tests call (waiting for a mail, its first link, the accessibility check) are
in tests/browser/helpers.py.

Playwright's sync API keeps an asyncio loop running in this thread from start to stop, and
Django refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation): the
database set-up and flush, and the tests' own queries. Those are plain synchronous code between
two browser steps, so DJANGO_ALLOW_ASYNC_UNSAFE is set exactly while Playwright runs: it starts
with the first browser test and stops after the last one of this package (package scope), so
the rest of the suite runs without it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

from .helpers import relax_referrer_policy

CHROMIUM = Path("/usr/bin/chromium")
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test (``-m browser`` / ``-m "not browser"``)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. Run "
            "`make browser-deps` (as root: apt-get install -y chromium chromium-driver)."
        )
    from playwright.sync_api import sync_playwright

    saved = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as driver:
            yield driver
    finally:
        if saved is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = saved


@pytest.fixture(scope="package")
def browser(playwright_driver: Any) -> Iterator[Any]:
    chromium = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    yield chromium
    chromium.close()


def _context(browser: Any, viewport: dict[str, int], **options: Any) -> Any:
    context = browser.new_context(
        viewport=viewport, locale="da-DK", accept_downloads=True, **options
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = _context(browser, DESKTOP)
    relax_referrer_policy(context)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    # Not is_mobile: with it, Chromium's full-page screenshots leave the page rescaled and
    # the next click lands on the wrong element now and then. The pages lay out by the
    # viewport width (meta viewport width=device-width), which is the phone's either way.
    context = _context(browser, PHONE, has_touch=True, device_scale_factor=2)
    relax_referrer_policy(context)
    yield context.new_page()
    context.close()


@pytest.fixture
def strict_page(browser: Any) -> Iterator[Any]:
    """A desktop page that gets the pages exactly as served (no workaround)."""
    context = _context(browser, DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """``shots("02-confirmed")``: a full-page screenshot of ``page`` (default: the test's
    ``phone_page`` or ``page``), numbered in the order taken."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    taken: list[Path] = []

    def shoot(step: str, on: Any = None) -> Path:
        target = on
        if target is None:
            for name in ("phone_page", "page", "strict_page"):
                if name in request.fixturenames:
                    target = request.getfixturevalue(name)
                    break
        name = re.sub(r"[^\w.-]+", "-", step)
        path = folder / f"{len(taken) + 1:02d}-{name}.png"
        target.screenshot(path=str(path), full_page=True)
        taken.append(path)
        return path

    return shoot


@pytest.fixture
def celery_worker(django_db_blocker: Any) -> Iterator[Any]:
    """A Celery worker in this process (a thread, solo pool) on the project's Redis broker.
    Tasks left on the queue by earlier runs are purged first: they name rows of another
    database."""
    from serop.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(app.conf.task_default_queue)  # type: ignore[attr-defined]
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture
def site(live_server: Any, celery_worker: Any, settings: Any, transactional_db: Any) -> str:
    """The live server's base URL, with a worker sending the pages' mails."""
    settings.SEROP_PUBLIC_URL = live_server.url
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "127.0.0.1"]
    return str(live_server.url)


@pytest.fixture
def tiny_pdf(tmp_path: Path) -> Path:
    """A real one-page PDF (pypdf), a few hundred bytes, as a file to upload."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "CV"})
    path = tmp_path / "cv.pdf"
    with path.open("wb") as out:
        writer.write(out)
    return path
