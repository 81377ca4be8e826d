"""The audit trail's record of logging in and out: every login, logout, failed login and
lockout, with who, when (UTC) and from which address. Never a password or a code.

Signals are the right hook here, unlike for our own writes (which audit in their service):
these are Django's own authentication events and django-axes' lockout event, sent from code we
do not own (the login and logout views, ``authenticate``, axes' handler), and a receiver is the
one place that sees all of them. A wrong second-factor code is audited where it is checked
(serop/two_factor.py), as OTP_FAILED.
"""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from .audit import Action, audit


def attempted_username(username: Any) -> str:
    """What to record of the username someone tried: the name of an existing account, else only
    that it named none. People type their password into the username field; what they typed
    must not be kept for years in the audit trail."""
    if not username:
        return "username: (empty)"
    user_model = get_user_model()
    if user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).exists():
        return f"username: {username}"
    return "username: (no such account)"


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit(Action.LOGIN, actor=user, request=request)


def on_logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:  # Django also signals a logout of nobody
        audit(Action.LOGOUT, actor=user, request=request)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # credentials arrive with the password already masked by Django; only the username is read.
    username = credentials.get(get_user_model().USERNAME_FIELD)
    audit(Action.LOGIN_FAILED, request=request, detail=attempted_username(username))


def on_locked_out(
    sender: Any, request: HttpRequest | None = None, username: Any = None, **kwargs: Any
) -> None:
    audit(Action.LOCKED_OUT, request=request, detail=attempted_username(username))


def connect() -> None:
    """Called once, from PrivacyConfig.ready()."""
    user_logged_in.connect(on_logged_in, dispatch_uid="privacy.audit.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="privacy.audit.logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="privacy.audit.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="privacy.audit.locked_out")
