"""Signed links of the self-service pages: the email confirmation of a signup (double opt-in)
and the sign-in link to the personal data page.

Both are stateless, like Django's password-reset tokens: the link carries the candidate's id and
a keyed hash of values that change once the link has done its work, signed with a timestamp
(django.core.signing, SECRET_KEY). Nothing is stored per link.

- Confirmation: the hash covers the email address and ``email_confirmed_at``; confirming sets
  the latter, so the link works once. Valid for as long as an unconfirmed signup is kept (the
  ``cv_bank_unconfirmed`` retention rule).
- Sign-in: the hash covers the email address and ``self_service_login_at``; signing in sets the
  latter, so the link works once, and a newer sign-in voids every older link. Valid
  SELF_SERVICE_LINK_MINUTES minutes.

No personal data is in a link: only the numeric id, which says nothing without the signature.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from candidates.models import Candidate
from retention.rules import get_rule

CONFIRM_SALT = "candidates.public.confirm-signup"
LOGIN_SALT = "candidates.public.self-service-login"


class LinkInvalid(Exception):
    """Tampered with, expired, already used, or for a profile that is gone."""


@dataclass(frozen=True)
class Checked:
    candidate: Candidate
    current: bool  # False: genuine and unexpired, but already used


def _stamp(value: datetime | None) -> str:
    return "" if value is None else value.isoformat()


def _hash(salt: str, candidate: Candidate, stamp: datetime | None) -> str:
    value = f"{candidate.pk}|{candidate.email.lower()}|{_stamp(stamp)}"
    return salted_hmac(salt, value, algorithm="sha256").hexdigest()[:32]


def _make(salt: str, candidate: Candidate, stamp: datetime | None) -> str:
    payload = {"c": candidate.pk, "h": _hash(salt, candidate, stamp)}
    return signing.TimestampSigner(salt=salt).sign_object(payload)


def _check(salt: str, token: str, max_age: float, stamp_field: str) -> Checked:
    try:
        payload = signing.TimestampSigner(salt=salt).unsign_object(token, max_age=max_age)
        candidate_id, digest = int(payload["c"]), str(payload["h"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError) as exc:
        raise LinkInvalid() from exc
    candidate = Candidate.objects.filter(pk=candidate_id, is_restricted=False).first()
    if candidate is None:
        raise LinkInvalid()
    expected = _hash(salt, candidate, getattr(candidate, stamp_field))
    return Checked(candidate, constant_time_compare(expected, digest))


def confirm_max_age() -> float:
    now = timezone.now()
    return (now + get_rule("cv_bank_unconfirmed").period - now).total_seconds()


def make_confirm_token(candidate: Candidate) -> str:
    return _make(CONFIRM_SALT, candidate, candidate.email_confirmed_at)


def check_confirm_token(token: str) -> Checked:
    return _check(CONFIRM_SALT, token, confirm_max_age(), "email_confirmed_at")


def login_max_age() -> float:
    return float(settings.SELF_SERVICE_LINK_MINUTES * 60)


def make_login_token(candidate: Candidate) -> str:
    return _make(LOGIN_SALT, candidate, candidate.self_service_login_at)


def check_login_token(token: str) -> Candidate:
    checked = _check(LOGIN_SALT, token, login_max_age(), "self_service_login_at")
    if not checked.current:
        raise LinkInvalid()
    return checked.candidate
