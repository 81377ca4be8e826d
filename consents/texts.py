"""The consent texts in force, as every public form reads them: from the shared cache.

Each signup, newsletter signup and personal data page needs the newest published version of
its consent texts, to show them and to check that the version a person ticked is still the one
in force. The texts are a handful of rows that change when someone publishes a new version, so
they are read from the cache (Redis in production) in one round trip instead of a query per
request.

Never stale, by construction:

- the cached copy carries the *generation* it was read under, and saving or deleting a text
  moves the generation on once its transaction has committed (and right away, for readers in the
  same transaction). A reader that loaded the old rows just before a commit stores them under
  the old generation, which no later reader accepts. Migrations move it on too (post_migrate);
- all versions are cached with their ``published_at``, and "in force" is decided at read time,
  so a version published for a later date takes over at that moment without any invalidation;
- a cached copy lives at most ``CONSENT_TEXT_CACHE_SECONDS`` (default 300), for changes that
  bypass the model's signals (raw SQL, ``QuerySet.update``): nothing in the code does that.

The key carries the database's name, so that databases sharing one Redis (development, tests,
benchmarks) never read each other's texts.

Hand-written because the maintained query caches (django-cachalot, cacheops) cache every query
of the models they watch and invalidate per table on every write; here a single read of one
tiny table is worth caching, and its invalidation must be exact, which a few lines do.
"""

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from .models import ConsentText

logger = logging.getLogger(__name__)
_FIELDS = [f.attname for f in ConsentText._meta.concrete_fields]


def _keys() -> tuple[str, str]:
    name = connection.settings_dict["NAME"]
    return f"consent-texts:{name}:generation", f"consent-texts:{name}:rows"


def _load(generation: int) -> list[ConsentText]:
    rows = list(ConsentText.objects.order_by("purpose", "-version").values_list(*_FIELDS))
    timeout = getattr(settings, "CONSENT_TEXT_CACHE_SECONDS", 300)
    if timeout:
        cache.set(_keys()[1], (generation, rows), timeout)
    return [ConsentText.from_db(connection.alias, _FIELDS, row) for row in rows]


def all_texts() -> list[ConsentText]:
    """Every version of every consent text, newest version of each purpose first."""
    generation_key, rows_key = _keys()
    found: dict[str, Any] = cache.get_many([generation_key, rows_key])
    generation = found.get(generation_key)
    if generation is None:
        # add, not set: two first readers must not move the generation back under a writer.
        cache.add(generation_key, 0, None)
        generation = cache.get(generation_key, 0)
    cached = found.get(rows_key)
    if cached is not None and cached[0] == generation:
        return [ConsentText.from_db(connection.alias, _FIELDS, row) for row in cached[1]]
    return _load(generation)


def in_force(purposes: Iterable[str], at: datetime | None = None) -> dict[str, ConsentText]:
    """The newest version of each purpose published by ``at`` (now); a purpose without a
    published text is missing from the result."""
    at = at or timezone.now()
    wanted = set(purposes)
    texts: dict[str, ConsentText] = {}
    for text in all_texts():
        if text.purpose in wanted and text.published_at <= at:
            texts.setdefault(text.purpose, text)
    return texts


def invalidate() -> None:
    """Move the generation on: every cached copy is stale from now."""
    generation_key = _keys()[0]
    try:
        cache.incr(generation_key)
    except ValueError:  # no generation yet: nobody has cached anything under it
        cache.add(generation_key, 1, None)


def invalidate_on_change(**kwargs: Any) -> None:
    """post_save / post_delete of a ConsentText (consents/apps.py)."""
    invalidate()
    transaction.on_commit(invalidate, using=kwargs.get("using"))


def invalidate_after_migrate(**kwargs: Any) -> None:
    """post_migrate: a data migration may have changed the texts without signals. Migrating
    must not need the cache server, so an unreachable one is only logged: a copy cached before
    expires after CONSENT_TEXT_CACHE_SECONDS."""
    try:
        invalidate()
    except Exception:  # the cache backends raise their client's own connection errors
        logger.warning("Could not mark the cached consent texts stale", exc_info=True)
