"""The test suite: the real PostgreSQL and Redis, by default the ones on 127.0.0.1."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env, redis_cache

DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
SECRET_KEY = "test-only-not-secret-c1d2e3f4a5b6"  # noqa: S105

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/serop"),
}

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CACHES = redis_cache(REDIS_URL)

FIELD_ENCRYPTION_KEYS = ["SQl7Ua2sz5TOSzgGSIUSrXzoAkADx6JPpmkLWKZqrAg="]
BLIND_INDEX_KEY = "test-only-blind-index-key-8e7d6c5b4a39"

SEROP_PUBLIC_URL = "http://testserver"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Most tests reach the admin through client.force_login, which cannot carry a verified second
# factor; tests/serop/test_login.py turns the requirement on and proves the real login. Axes
# stays enabled: the tests prove the lockout too.
SEROP_REQUIRE_2FA = False

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PRIVATE_MEDIA_ROOT = VAR_DIR / "test-media"
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
STORAGES["default"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
}
CELERY_RESULT_BACKEND = REDIS_URL
# Static files are not collected for tests; the live server serves them itself.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise")]  # noqa: F405
