"""The consent texts in force come from the shared cache (consents/texts.py), and are never
stale: every change moves the cache's generation on."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from consents import texts as cached
from consents.models import ConsentText
from consents.purposes import ConsentPurpose as P
from tests.factories import ConsentTextFactory

pytestmark = pytest.mark.django_db

NEWEST = {"purpose": P.NEWSLETTER, "text_da": "Ny tekst.", "text_en": "New text."}


def newest_version(purpose: str = P.NEWSLETTER) -> int:
    return ConsentText.objects.filter(purpose=purpose).order_by("-version")[0].version


def test_the_texts_in_force_are_read_from_the_cache_after_the_first_request(
    django_assert_num_queries,
):
    with django_assert_num_queries(1):
        first = cached.in_force([P.CV_BANK, P.NEWSLETTER])
    with django_assert_num_queries(0):
        again = cached.in_force([P.CV_BANK, P.NEWSLETTER])
    assert set(first) == {P.CV_BANK, P.NEWSLETTER}
    assert {p: (t.pk, t.version, t.text_da) for p, t in again.items()} == {
        p: (t.pk, t.version, t.text_da) for p, t in first.items()
    }
    # What comes from the cache is a proper saved row: it can be the target of a record.
    assert not again[P.CV_BANK]._state.adding and again[P.CV_BANK].text("en")


def test_a_new_version_is_in_force_at_once_in_its_own_transaction_and_after_it(
    django_assert_num_queries,
):
    cached.in_force([P.NEWSLETTER])  # cached
    with transaction.atomic():
        new = ConsentTextFactory(version=newest_version() + 1, **NEWEST)
        assert cached.in_force([P.NEWSLETTER])[P.NEWSLETTER].pk == new.pk
    assert cached.in_force([P.NEWSLETTER])[P.NEWSLETTER].pk == new.pk


def test_a_deleted_version_is_gone_at_once():
    new = ConsentTextFactory(version=newest_version() + 1, **NEWEST)
    assert cached.in_force([P.NEWSLETTER])[P.NEWSLETTER].pk == new.pk
    new.delete()
    assert cached.in_force([P.NEWSLETTER])[P.NEWSLETTER].version == newest_version()


def test_a_version_published_for_later_takes_over_at_its_time_without_invalidation(
    django_assert_num_queries,
):
    now = timezone.now()
    current = cached.in_force([P.NEWSLETTER])[P.NEWSLETTER]
    later = ConsentTextFactory(
        version=newest_version() + 1, published_at=now + timedelta(days=1), **NEWEST
    )
    assert cached.in_force([P.NEWSLETTER])[P.NEWSLETTER].pk == current.pk
    with time_machine.travel(now + timedelta(days=1, seconds=1)), django_assert_num_queries(0):
        assert cached.in_force([P.NEWSLETTER])[P.NEWSLETTER].pk == later.pk


def test_rows_read_before_a_change_committed_are_never_served_after_it(
    django_assert_num_queries,
):
    """A reader that loaded the rows just before another process committed a new version,
    and stores them afterwards, stores them under the old generation: no later reader takes
    them."""
    generation_key = cached._keys()[0]
    cached.in_force([P.NEWSLETTER])
    from django.core.cache import cache

    before = cache.get(generation_key)
    new = ConsentTextFactory(version=newest_version() + 1, **NEWEST)
    cached._load(before)  # the slow reader stores what it read under the old generation
    with django_assert_num_queries(1):
        assert cached.in_force([P.NEWSLETTER])[P.NEWSLETTER].pk == new.pk


def test_without_a_cache_lifetime_every_read_queries(settings, django_assert_num_queries):
    settings.CONSENT_TEXT_CACHE_SECONDS = 0
    cached.in_force([P.CV_BANK])
    with django_assert_num_queries(1):
        cached.in_force([P.CV_BANK])


def test_databases_sharing_one_redis_have_keys_of_their_own(settings):
    from django.db import connection

    name = connection.settings_dict["NAME"]
    assert all(name in key for key in cached._keys())


def test_migrating_does_not_need_the_cache_server(settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    with caplog.at_level(logging.WARNING, logger="consents.texts"):
        cached.invalidate_after_migrate(using="default")
    assert "Could not mark the cached consent texts stale" in caplog.text
