"""Settings shared by every environment.

The environment is read here and in the sibling modules only (one ``environ.Env``);
nothing else in the code base reads ``os.environ``. Secrets have no value here:
``local`` and ``test`` give development-only values, ``production`` none at all.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=[])

# --- Applications ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "serop.apps.SeropAdminConfig",  # django.contrib.admin with the two-factor admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_celery_beat",
    "import_export",
    "serop",
    "privacy",
    "retention",
    "consents",
    "customers",
    "candidates",
    "employees",
]

# The apps whose models hold data about people: every concrete field of every model in them
# must be declared in the app's privacy.py (checked by ``manage.py check``).
PRIVACY_SUBJECT_APPS = [
    "candidates",
    "employees",
    "customers",
    "consents",
    "privacy",  # the accountability records: requests, breaches, audit trail (privacy/privacy.py)
    "retention",  # legal holds, runs, tombstones, deletion notices (retention/privacy.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "serop.middleware.SeropLocaleMiddleware",  # LocaleMiddleware for mixed URLs
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged on the request into its page.
    "axes.middleware.AxesMiddleware",
    # Turns django_ratelimit's Ratelimited into RATELIMIT_VIEW's 429 page (serop/abuse.py).
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "serop.urls"
WSGI_APPLICATION = "serop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Logging in: password, second factor, lockout ----------------------------------------------
# Axes' backend comes first: it refuses a locked-out username+address before any password is
# checked. It needs the request, so authenticate() must always be given one (the admin login
# does; the test client's login() does not: tests post to the login page instead).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# The admin requires a second factor (TOTP, django-otp) for every staff login, superusers
# included. local.py relaxes this for `make run`'s demo; production.py hard-codes True.
SEROP_REQUIRE_2FA = True
OTP_TOTP_ISSUER = "SEROP"

# Lockout (django-axes): 5 failures of one username from one address lock that combination for
# an hour. A wrong second-factor code counts as a failure (serop/two_factor.py). Every failure and
# lockout goes to the audit trail (privacy/signals.py), which is the lasting record.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A lockout lasts one hour from the failure that caused it; further attempts during it are
# refused (and audited) but do not extend it or add rows to axes' tables.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "two_factor/lockout.html"
# Axes' tables hold staff usernames and IP addresses (personal data), so they keep only what the
# lockout needs: AccessAttempt rows (failed attempts) live for the cool-off period only; axes
# deletes expired ones on every login, logout and failure, and on success deletes the user's.
# No AccessLog of successful logins (the audit trail records them) and no AccessFailureLog
# (a second, unbounded copy of the failures); the per-user cap applies if it is ever enabled.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 20
# Posted form values are stored with a failed attempt: keep the code and CSRF token out too.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "password",
    "otp_token",
    "csrfmiddlewaretoken",
]
# The client address is REMOTE_ADDR, as in the audit trail (privacy/audit.py client_ip).
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

# --- Passwords ------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
USE_I18N = True
TIME_ZONE = "Europe/Copenhagen"
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploaded files hold personal data (CVs, photos, certificates). They live outside any public
# path and have no MEDIA_URL: they are only ever served through permission-checked views.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Uploads (serop/uploads/, docs/uploads.md): the byte limit per kind, enforced while the body
# arrives. Files above FILE_UPLOAD_MAX_MEMORY_SIZE stream to a temporary file, never to memory;
# the other fields of a form may take DATA_UPLOAD_MAX_MEMORY_SIZE.
SEROP_UPLOAD_MAX_BYTES = {
    "cv": 10 * 1024 * 1024,
    "document": 10 * 1024 * 1024,
    "photo": 10 * 1024 * 1024,
    "video": 100 * 1024 * 1024,
}
SEROP_UPLOAD_MAX_IMAGE_PIXELS = 50_000_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Sessions and cookies (only what the system needs: session, CSRF, language) ------------
# Idle expiry: a session ends one hour after its last request (every request saves the session
# and so moves its expiry on), and when the browser closes.
SESSION_COOKIE_AGE = 60 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Confirmations ("saved") ride in the session, not in a cookie of their own (Django's default):
# the system sets only the session, CSRF and language cookies, which the privacy notice lists.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SEROP ApS <kontakt@serop.dk>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The contact form's notice to staff (docs/newsletter-and-contact.md), the mailto address of the
# newsletter's List-Unsubscribe header (read by a person), and how many subscribers one Celery
# task sends a newsletter to.
SEROP_CONTACT_NOTIFY_EMAIL = env.str("SEROP_CONTACT_NOTIFY_EMAIL", default="kontakt@serop.dk")
SEROP_NEWSLETTER_UNSUBSCRIBE_MAILTO = env.str(
    "SEROP_NEWSLETTER_UNSUBSCRIBE_MAILTO", default="kontakt@serop.dk"
)
SEROP_NEWSLETTER_BATCH_SIZE = env.int("SEROP_NEWSLETTER_BATCH_SIZE", default=200)

# --- Celery ---------------------------------------------------------------------------------
REDIS_URL: str | None = env.str("REDIS_URL", default=None)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_IGNORE_RESULT = True
# Celery's Django fixup closes every database connection before and after each task unless
# this is set, so each task opened a PostgreSQL connection of its own: a server process forked
# per confirmation mail. The worker handles connections as Django does around a request instead
# (serop/celery.py: CONN_MAX_AGE and CONN_HEALTH_CHECKS); the fixup still recycles them after
# this many tasks.
CELERY_DB_REUSE_MAX = 1000
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Task modules other than the apps' ``tasks.py`` (all that autodiscovery imports).
CELERY_IMPORTS = [
    "privacy.export_tasks",
    "privacy.request_tasks",
    "retention.notice_tasks",
    "candidates.public.tasks",
    "privacy.breach_tasks",
]


# --- Cache and rate limits --------------------------------------------------------------------
# Rate limits (serop/abuse.py, django-ratelimit) count in the cache, which must be shared by all
# web processes and increment atomically: Redis whenever REDIS_URL is set. local.py falls back to
# a per-process memory cache for `make run`'s single runserver process.
def redis_cache(url: str) -> dict[str, dict[str, str]]:
    return {
        "default": {
            "BACKEND": "serop.cache.SeropRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "serop",
        }
    }


if REDIS_URL:
    CACHES = redis_cache(REDIS_URL)
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_VIEW = "serop.abuse.rate_limited_view"
RATELIMIT_IP_META_KEY = "serop.abuse.client_ip"
# How many reverse proxies (nginx, a load balancer) stand in front of the app and append to
# X-Forwarded-For: 1 behind the nginx of docs/deployment.md. 0 trusts REMOTE_ADDR only.
SEROP_PROXY_COUNT = env.int("SEROP_PROXY_COUNT", default=0)
# Per public endpoint: attempts allowed per client IP and per email address (django-ratelimit
# rate strings, "count/period" with period s, m, h or d).
SEROP_RATE_LIMITS: dict[str, dict[str, str]] = {
    "signup": {"ip": "30/h", "email": "5/h"},
    "magic_link": {"ip": "30/h", "email": "5/h"},
    "newsletter": {"ip": "30/h", "email": "5/h"},
    "contact": {"ip": "20/h", "email": "5/h"},
}

# --- Candidate self-service (candidates/public/) ----------------------------------------------
# How long a sign-in link to the personal data page works, and how long the page stays signed in
# after the last request.
SELF_SERVICE_LINK_MINUTES = env.int("SELF_SERVICE_LINK_MINUTES", default=30)
SELF_SERVICE_SESSION_MINUTES = env.int("SELF_SERVICE_SESSION_MINUTES", default=30)

# --- Personal-data protection ---------------------------------------------------------------
# FIELD_ENCRYPTION_KEYS: Fernet keys, newest first. The first encrypts; all decrypt, so a key
# can be rotated in (``manage.py rotate_encryption_keys``) and the old one removed afterwards.
# BLIND_INDEX_KEY: the HMAC key of the searchable CPR index, separate from both.
# Both are set by local.py / test.py for development and by the environment in production.

# The controller and its supervisory authority (privacy policy §1, §14), as the records of
# processing and the public privacy notice name them (privacy/processing_facts.py).
SEROP_COMPANY: dict[str, object] = {
    "name": "SEROP ApS",
    "cvr": "29135789",
    "street": "Ndr. Stationsvej 18, 2. sal",
    "postcode": "4200",
    "city": "Slagelse",
    "country": "Danmark",
    "phone": "70233838",
    "email": "kontakt@serop.dk",
    "contact_person": "Peter Serop",
    "website": "www.serop.dk",
    "authority": {
        "name": "Datatilsynet",
        "address": "Borgergade 28, 5., 1300 København K",
        "phone": "3319 3200",
        "email": "dt@datatilsynet.dk",
        "website": "www.datatilsynet.dk",
    },
}

# --- Subject requests -----------------------------------------------------------------------
# An access export (zip) is deleted, and its download link stops working, this many days after
# it was generated.
SUBJECT_EXPORT_DAYS: int = env.int("SUBJECT_EXPORT_DAYS", default=14)

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes announces itself at INFO in every process; its warnings still show.
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Scheduled jobs -------------------------------------------------------------------------
# Installed into django-celery-beat's database scheduler by ``manage.py setup_periodic_tasks``
# (run by ``make run`` and on deployment). Once installed, a schedule is edited in the admin;
# the command only creates what is missing unless given ``--reset``.
SEROP_PERIODIC_TASKS: dict[str, dict] = {
    "clear-expired-sessions": {
        "task": "serop.tasks.clear_expired_sessions",
        "crontab": {"minute": "17", "hour": "3"},
        "description": "Delete expired sessions (they may hold personal data).",
    },
    "delete-expired-exports": {
        "task": "privacy.export_tasks.delete_expired_exports",
        "crontab": {"minute": "50", "hour": "3"},
        "description": "Delete subject-request exports (zip files) past SUBJECT_EXPORT_DAYS.",
    },
    "send-deletion-notices": {
        "task": "retention.notice_tasks.send_deletion_notices",
        "crontab": {"minute": "0", "hour": "7"},
        "description": "Email candidates whose CV-bank profile expires within "
        "RETENTION_NOTICE_DAYS days a link to keep it.",
    },
    "remind-request-handlers": {
        "task": "privacy.request_tasks.remind_request_handlers",
        "crontab": {"minute": "0", "hour": "8"},
        "description": "Email the handler (or the DPOs) of each subject request due in 7 days, "
        "due tomorrow or overdue.",
    },
    "remind-breach-deadlines": {
        "task": "privacy.breach_tasks.remind_breach_deadlines",
        "crontab": {"minute": "*/15"},
        "description": "Email the DPOs and the handler of each open breach 24 and 48 hours after "
        "SEROP became aware of it, and when the 72-hour deadline has passed without a decision "
        "on notifying Datatilsynet (each reminder once).",
    },
    "snapshot-holdings": {
        "task": "privacy.breach_tasks.snapshot_holdings",
        "crontab": {"minute": "45", "hour": "4"},
        "description": "Count the people and records held per category of people and of data "
        "(the DPO dashboard's chart).",
    },
    # Retention (retention/engine.py, docs/retention.md): one entry per group of rules; each
    # rule runs as its own task. The CV-bank clean-up is annual, as the privacy policy says
    # (policy §13); switch it to daily in the admin (Periodic tasks) if the policy changes.
    "retention-audit-trail": {
        "task": "retention.tasks.run_all_rules",
        "kwargs": {"rules": ["audit_trail"]},
        "crontab": {"minute": "40", "hour": "3"},
        "description": "Delete audit entries older than the audit_trail retention rule "
        "(5 years), a month at a time, with a run record.",
    },
    "retention-cv-bank-clean-up": {
        "task": "retention.tasks.run_all_rules",
        "kwargs": {"rules": ["cv_bank_inactivity"]},
        "crontab": {"minute": "0", "hour": "2", "day_of_month": "15", "month_of_year": "1"},
        "description": "Annual clean-up of the CV bank: delete profiles without activity for "
        "the cv_bank_inactivity period (12 months).",
    },
    "retention-candidates": {
        "task": "retention.tasks.run_all_rules",
        "kwargs": {"rules": ["cv_bank_unconfirmed", "application_posting_closed"]},
        "crontab": {"minute": "5", "hour": "1"},
        "description": "Delete unconfirmed CV-bank signups and applications outside the CV bank "
        "whose retention period has expired.",
    },
    "retention-employees": {
        "task": "retention.tasks.run_all_rules",
        "kwargs": {"rules": ["employment_end"]},
        "crontab": {"minute": "10", "hour": "1"},
        "description": "Delete employee, payroll and absence data past the employment_end and "
        "payroll rules.",
    },
    "retention-customers": {
        "task": "retention.tasks.run_all_rules",
        "kwargs": {
            "rules": [
                "customer_relationship",
                "accounting_record",
                "marketing_permission",
                "contact_enquiry",
            ]
        },
        "crontab": {"minute": "15", "hour": "1"},
        "description": "Delete or anonymise customer data, accounting records, withdrawn "
        "references and partners, and website enquiries past their retention rules.",
    },
    "retention-newsletter": {
        "task": "retention.tasks.run_all_rules",
        "kwargs": {"rules": ["newsletter_unsubscribed", "newsletter_unconfirmed"]},
        "crontab": {"minute": "20", "hour": "1"},
        "description": "Anonymise unsubscribed newsletter addresses (keeping the opt-out proof) "
        "and delete unconfirmed signups.",
    },
    "retention-consent-proof": {
        "task": "retention.tasks.run_all_rules",
        "kwargs": {"rules": ["consent_proof"]},
        "crontab": {"minute": "30", "hour": "1"},
        "description": "Delete consent records past the processing they cover plus the "
        "limitation period.",
    },
    "retention-accountability": {
        "task": "retention.tasks.run_all_rules",
        "kwargs": {
            "rules": [
                "subject_request",
                "breach_record",
                "legal_hold",
                "deletion_notice",
                "retention_record",
                "privacy_notice_version",
            ]
        },
        "crontab": {"minute": "35", "hour": "1"},
        "description": "Delete closed data-protection requests, closed breaches, lifted legal "
        "holds, old deletion notices, old retention runs and tombstones, and archived privacy "
        "notices past their retention rules (retention/accountability.py).",
    },
}

# --- Retention periods ----------------------------------------------------------------------
# Overrides of retention/rules.py's defaults, as relativedelta keywords, e.g.
# {"cv_bank_inactivity": {"months": 12}, "customer_relationship": {"months": 6}}.
RETENTION_PERIODS: dict[str, dict[str, int]] = env.json("RETENTION_PERIODS", default={})
# Rules whose period counts from the end of the clock's financial year rather than the day
# itself ("5 years after the end of that financial year"); e.g. ["employment_end", "payroll"].
RETENTION_FISCAL_YEAR_RULES: list[str] = env.list("RETENTION_FISCAL_YEAR_RULES", default=[])
# Days before a CV-bank profile expires that the candidate is emailed a link to keep it.
RETENTION_NOTICE_DAYS: int = env.int("RETENTION_NOTICE_DAYS", default=30)
# Rows per batch (one transaction each), and whether a run on Celery queues its batches on the
# broker for the workers to share (retention/batches.py).
RETENTION_BATCH_SIZE: int = env.int("RETENTION_BATCH_SIZE", default=2000)
RETENTION_FAN_OUT: bool = env.bool("RETENTION_FAN_OUT", default=True)
