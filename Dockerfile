# syntax=docker/dockerfile:1
# The SEROP application image. The web app (gunicorn), the Celery worker and Celery beat all run
# from it; docker-compose.yml changes only the command. Deployment: docs/deployment.md.
#
# No secret is baked in: every secret comes from the environment at run time (.env.example).
FROM python:3.11-slim-bookworm

# DJANGO_SETTINGS_MODULE is set here because serop/celery.py and manage.py default to the
# *local* settings: a worker started without it would run on SQLite and a filesystem broker.
# WEB_CONCURRENCY is gunicorn's worker count (it reads the variable itself); override it in .env.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=serop.settings.production \
    PRIVATE_MEDIA_ROOT=/srv/serop/media \
    WEB_CONCURRENCY=5

# WeasyPrint's native libraries on Debian bookworm (Pango, pangoft2 and through it fontconfig,
# HarfBuzz; harfbuzz-subset makes the embedded fonts smaller), a font to render with, and
# gettext for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
        gettext \
    && rm -rf /var/lib/apt/lists/*

# The processes run as this user. It owns nothing but its home (fontconfig's cache) and the
# private media directory: the code and the static files stay root-owned and read-only to it.
RUN groupadd --system --gid 10001 serop \
    && useradd --system --uid 10001 --gid serop --home-dir /home/serop --create-home \
        --shell /usr/sbin/nologin serop

# Exactly the hash-pinned versions of the lock file, nothing resolved at build time.
COPY requirements/base.lock /tmp/base.lock
RUN python -m venv /opt/venv \
    && pip install --require-hashes --no-deps -r /tmp/base.lock \
    && rm /tmp/base.lock

WORKDIR /app
COPY . .

# collectstatic and compilemessages load the production settings, which refuse to start without
# their secrets. The dummies below exist only inside this one RUN line (not ENV, so they are not
# in the image's environment); nothing here connects to a database, a broker or a mail server.
RUN set -eu; \
    export SECRET_KEY=build-only-not-a-secret \
        DATABASE_URL=postgres://build@localhost:5432/build \
        REDIS_URL=redis://localhost:6379/0 \
        DJANGO_ALLOWED_HOSTS=build.invalid \
        FIELD_ENCRYPTION_KEYS=YnVpbGQtb25seS1kdW1teS1ub3QtYS1zZWNyZXQtMDA= \
        BLIND_INDEX_KEY=build-only-not-a-secret-either \
        EMAIL_HOST=localhost; \
    python manage.py collectstatic --noinput --verbosity 0; \
    if find . -path '*/locale/*' -name '*.po' | grep -q .; then \
        python manage.py compilemessages --verbosity 0; \
    fi

# Uploaded files (CVs, photos, certificates) live here, outside the static files and never
# served by URL. A named volume mounted here on first use takes this owner and mode.
RUN mkdir -p /srv/serop/media \
    && chown serop:serop /srv/serop/media \
    && chmod 0700 /srv/serop/media

USER serop
EXPOSE 8000

# --no-control-socket: nothing here uses gunicornc to resize or reload the workers at run time.
# The access log leaves out the query string, the referrer and the user agent: admin searches
# put names and CPR numbers in query strings, and a log is no place for them.
# No HEALTHCHECK here: the worker and beat run from this image too and serve no HTTP;
# docker-compose.yml gives the web service its own.
CMD ["gunicorn", "serop.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--worker-tmp-dir", "/dev/shm", \
     "--no-control-socket", \
     "--max-requests", "1000", \
     "--max-requests-jitter", "100", \
     "--access-logfile", "-", \
     "--access-logformat", "%(t)s \"%(m)s %(U)s\" %(s)s %(B)s %(M)sms"]
