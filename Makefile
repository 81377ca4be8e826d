# SEROP: `make run` starts the system on embedded defaults; `make test` runs the whole suite.
# Everything is installed into .venv from the hash-pinned lock files in requirements/.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
ADDR ?= 127.0.0.1:8000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test install lint format check-deploy services browser-deps bench messages lock clean help

help:
	@echo "make run    - install, migrate, load demo data, start web + worker + beat"
	@echo "make test   - install and run lint, type checks, deploy checks and the test suite"
	@echo "make bench  - run the benchmarks in bench/ (PostgreSQL; see bench/README.md)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: requirements/dev.lock | $(BIN)/python
	$(BIN)/uv pip install --quiet --python $(BIN)/python --require-hashes -r requirements/dev.lock
	touch $@

install: $(VENV)/.installed

run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_periodic_tasks
	$(BIN)/python manage.py seed_demo --if-empty
	@$(BIN)/python manage.py demo_banner --addr $(ADDR)
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/celery -A serop worker --loglevel=INFO --concurrency=2 & \
	$(BIN)/celery -A serop beat --loglevel=INFO & \
	$(BIN)/python manage.py runserver $(ADDR) --noreload

services: install
	@$(BIN)/python -m tests.services

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# `check --deploy` against production settings with every required variable set to a dummy.
check-deploy: install
	@DJANGO_SETTINGS_MODULE=serop.settings.production \
	SECRET_KEY="ci-$$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')" \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/serop \
	REDIS_URL=redis://127.0.0.1:6379/0 \
	DJANGO_ALLOWED_HOSTS=serop.example \
	FIELD_ENCRYPTION_KEYS="$$($(BIN)/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
	BLIND_INDEX_KEY="ci-blind-$$(head -c 32 /dev/urandom | base64 | tr -d '\n/+=')" \
	EMAIL_HOST=localhost \
	SEROP_PUBLIC_URL=https://serop.example \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Debian's Chromium for the browser tests (tests/browser/; Playwright launches /usr/bin/chromium,
# never a browser of its own download). Installed with apt when missing: as root, or with sudo.
BROWSER_PACKAGES := chromium chromium-driver
browser-deps:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "The browser tests need Debian's Chromium. Run as root:" >&2; \
	  echo "  apt-get update && apt-get install -y $(BROWSER_PACKAGES)" >&2; exit 1; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	$$SUDO apt-get install -y $(BROWSER_PACKAGES) \
	  || { $$SUDO apt-get update && $$SUDO apt-get install -y $(BROWSER_PACKAGES); }

test: services lint check-deploy browser-deps
	DJANGO_SETTINGS_MODULE=serop.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

bench: install services
	$(BIN)/python -m bench

messages: install
	cd . && $(BIN)/python manage.py makemessages -l da --ignore=.venv --ignore=var --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

lock: $(BIN)/python
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements/base.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements/dev.lock

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
