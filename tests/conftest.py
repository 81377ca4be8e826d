import os
import uuid

import pytest
from django.utils import translation
from hypothesis import settings as hypothesis_settings

# CI judges a submission by one run: there the property tests replay the same examples every
# time (derandomize), so a red CI always means a change broke something, never that this run
# happened to draw a new case. Local runs keep drawing new examples, which is where they find
# bugs; a failing example is printed with its reproduction blob.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("dev", print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded files of each test go to a folder of its own, removed afterwards."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT = settings.PRIVATE_MEDIA_ROOT
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": settings.PRIVATE_MEDIA_ROOT, "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    """Each test counts rate limits from zero: the counters live in the shared Redis cache, so
    give every test its own key prefix instead of flushing (which would empty Celery's queues)."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Each test starts in the default language. A test-client request runs the locale
    middleware in this thread, which leaves its language active afterwards: without this, a
    test that fetched an English page would make the next test's reverse() give /en/ URLs."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_consent_texts():
    """The consent texts are cached in the shared Redis (consents/texts.py) and a test's texts
    are rolled back with it: each test starts from a new generation, as after a migration."""
    from consents.texts import invalidate

    invalidate()
