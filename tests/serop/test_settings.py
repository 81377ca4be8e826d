"""Production settings have no defaults for secrets: a missing one stops start-up by name."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = {
    "SECRET_KEY": "s" * 50,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/serop",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "DJANGO_ALLOWED_HOSTS": "serop.example",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "BLIND_INDEX_KEY": "b" * 40,
    "EMAIL_HOST": "smtp.example",
    "SEROP_PUBLIC_URL": "https://serop.example",
}


def start_production(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in REQUIRED}
    env.update({"DJANGO_SETTINGS_MODULE": "serop.settings.production", **env_overrides})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_starts_with_every_required_variable():
    assert start_production(REQUIRED).returncode == 0


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_production_refuses_to_start_naming_a_missing_variable(missing):
    result = start_production({k: v for k, v in REQUIRED.items() if k != missing})
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.parametrize("empty", ["SECRET_KEY", "BLIND_INDEX_KEY", "FIELD_ENCRYPTION_KEYS"])
def test_production_refuses_an_empty_secret(empty):
    result = start_production({**REQUIRED, empty: ""})
    assert result.returncode != 0
    assert empty in result.stderr


def test_production_refuses_to_reuse_one_secret_for_two_jobs():
    result = start_production({**REQUIRED, "BLIND_INDEX_KEY": REQUIRED["SECRET_KEY"]})
    assert result.returncode != 0
    assert "different" in result.stderr


@pytest.mark.parametrize("keys", ["not-a-fernet-key", f"{Fernet.generate_key().decode()},short"])
def test_production_refuses_an_encryption_key_that_is_not_a_fernet_key(keys):
    result = start_production({**REQUIRED, "FIELD_ENCRYPTION_KEYS": keys})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_production_accepts_several_encryption_keys_for_rotation():
    keys = f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}"
    assert start_production({**REQUIRED, "FIELD_ENCRYPTION_KEYS": keys}).returncode == 0
