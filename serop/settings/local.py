"""Development and ``make run``: embedded defaults, so nothing but Python is needed.

SQLite and a filesystem message broker unless DATABASE_URL / REDIS_URL say otherwise.
The secrets below are for this laptop only; production.py has no defaults.
"""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-not-secret-6f1c0a9e0c7b4d8a9f3e2b1c")

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'serop.sqlite3'}")}
# Persistent connections when CONN_MAX_AGE says so (seconds), health-checked as in production.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] != 0

FIELD_ENCRYPTION_KEYS: list[str] = env.list(
    "FIELD_ENCRYPTION_KEYS", default=["Pn2uMVin09m06Ci7jvErVvjwQvJaIdR4By0Co9hpiJQ="]
)
BLIND_INDEX_KEY: str = env.str(
    "BLIND_INDEX_KEY", default="dev-only-blind-index-key-3b9d7e21a4c5f608"
)

# The address people reach the site at: links in emails (keep-my-profile, data exports).
SEROP_PUBLIC_URL = env.str("SEROP_PUBLIC_URL", default="http://127.0.0.1:8000")

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")

# `make run`'s demo logins work with the password alone; SEROP_REQUIRE_2FA=true tries the real
# login (password, then a TOTP code, with enrolment on first login).
SEROP_REQUIRE_2FA = env.bool("SEROP_REQUIRE_2FA", default=False)

if not REDIS_URL:  # noqa: F405
    # One runserver process: its memory cache is shared by every request it serves, which is
    # all django-ratelimit needs here. Production always has Redis (production.py).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003"]

# Without REDIS_URL, Celery uses kombu's filesystem transport: a broker with no server.
if REDIS_URL:  # noqa: F405
    CELERY_BROKER_URL = REDIS_URL  # noqa: F405
else:
    _broker_dir = VAR_DIR / "broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }

# runserver serves static files from the apps in development; WhiteNoise would look for
# collected files in STATIC_ROOT, which `make run` does not build.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise")]  # noqa: F405
