"""Encryption at rest of confidential values, and the keyed blind index used to find them.

Hand-written on top of ``cryptography``'s MultiFernet rather than a django-*-fields package:
the maintained ones either derive their key from SECRET_KEY, or hand back the stored token
when decryption fails. Here keys are separate settings, several are accepted for rotation, and
a wrong or missing key always raises.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty: no key to encrypt with")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be url-safe base64 Fernet keys of 32 bytes"
        ) from exc


def _current() -> MultiFernet:
    keys = getattr(settings, "FIELD_ENCRYPTION_KEYS", None)
    if keys is None:
        raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEYS")
    return _fernet(tuple(keys))


def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        # Never include the token or any part of it: the message may end up in a log.
        raise DecryptionError(
            "A stored value could not be decrypted with any key in FIELD_ENCRYPTION_KEYS"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the primary (first) key."""
    try:
        return _current().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise DecryptionError("A stored value could not be decrypted for rotation") from exc


def blind_index(normalized_value: str) -> str:
    """The HMAC-SHA256 of a normalized value, under BLIND_INDEX_KEY (hex, 64 characters)."""
    key = getattr(settings, "BLIND_INDEX_KEY", "")
    if not key:
        raise ImproperlyConfigured("Set BLIND_INDEX_KEY")
    return hmac.new(key.encode(), normalized_value.encode(), hashlib.sha256).hexdigest()
