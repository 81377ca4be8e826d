"""Production. Every secret comes from the environment and has no default: a missing one stops
start-up with Django's ImproperlyConfigured naming the variable."""

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env, redis_cache

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

FIELD_ENCRYPTION_KEYS: list[str] = env.list("FIELD_ENCRYPTION_KEYS")
BLIND_INDEX_KEY: str = env.str("BLIND_INDEX_KEY")
for _name, _value in (
    ("SECRET_KEY", SECRET_KEY),
    ("FIELD_ENCRYPTION_KEYS", FIELD_ENCRYPTION_KEYS),
    ("BLIND_INDEX_KEY", BLIND_INDEX_KEY),
):
    if not _value:  # set but empty is as bad as missing
        raise ImproperlyConfigured(f"Set the {_name} environment variable (it is empty)")
# A malformed key would otherwise pass start-up and fail on the first encrypted read or write.
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key.encode())
    except ValueError:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold Fernet keys (32 url-safe base64-encoded bytes), "
            "comma-separated; one of them is not"
        ) from None
if BLIND_INDEX_KEY in FIELD_ENCRYPTION_KEYS or SECRET_KEY in (
    BLIND_INDEX_KEY,
    *FIELD_ENCRYPTION_KEYS,
):
    raise ImproperlyConfigured(
        "SECRET_KEY, FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must be three different secrets"
    )

# The address people reach the site at, for links in emails, e.g. https://www.serop.dk
SEROP_PUBLIC_URL = env.str("SEROP_PUBLIC_URL")
REDIS_URL = env.str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CACHES = redis_cache(REDIS_URL)

# --- Logging in -------------------------------------------------------------------------------
# Never from the environment: production always requires the second factor.
SEROP_REQUIRE_2FA = True

# --- Transport security -----------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- Email: SMTP with TLS (Datatilsynet: mail carrying confidential data must be encrypted) --
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env.str("EMAIL_HOST")
if not EMAIL_HOST:
    raise ImproperlyConfigured("Set the EMAIL_HOST environment variable (it is empty)")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = True
EMAIL_TIMEOUT = 30
