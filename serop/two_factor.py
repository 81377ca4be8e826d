"""Staff login with a second factor: the admin's login form, the enrolment of a first TOTP
device, and what a wrong code does.

When ``settings.SEROP_REQUIRE_2FA`` is on (always in production):

- The login form takes username, password and the 6-digit code of an authenticator app. Axes'
  backend refuses a locked-out username+address before the password is checked; then the code
  is checked against the user's confirmed TOTP devices (django-otp). Only when both are right is
  the user logged in, with the device recorded in the session, so ``user.is_verified()`` holds.
- A staff user without a confirmed device who gives the right password is *not* logged in: the
  session remembers them for ``ENROLMENT_WINDOW`` and the enrolment page shows a new key, as a
  QR code and as text. The first correct code confirms the device and logs them in.
- A wrong or missing code is audited (OTP_FAILED) and counts as a failed login for axes.

When it is off (``make run``'s demo, most tests) the form has no code field and a password is
enough.
"""

from base64 import b32encode, b64encode
from typing import Any

import qrcode
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials, get_lockout_response
from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathImage

from privacy.audit import Action, audit

PENDING_SESSION_KEY = "serop_2fa_enrolment"
ENROLMENT_WINDOW = 10 * 60  # seconds from the right password to the first code
DEVICE_NAME = "Authenticator app"


def second_factor_required() -> bool:
    return bool(settings.SEROP_REQUIRE_2FA)


def is_verified(request: HttpRequest) -> bool:
    """Whether this session's user passed a second factor (set by django-otp's middleware;
    without it, nobody is)."""
    check = getattr(request.user, "is_verified", None)
    return bool(check is not None and check())


def _code(value: str | None) -> str:
    # Authenticator apps show "123 456"; people type what they see.
    return "".join((value or "").split())


def _verify(device: TOTPDevice, code: str) -> bool:
    # The row is locked for the check (as django-otp's own helpers do), so that its throttling
    # and its refusal to accept one code twice hold when two posts race.
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        return bool(locked.verify_token(code))


def verified_device(user: Any, code: str) -> TOTPDevice | None:
    """The user's confirmed TOTP device that accepts ``code``, if any."""
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk"):
        if _verify(device, code):
            return device
    return None


def second_factor_failed(*, request: HttpRequest, user: Any, during: str) -> None:
    """A wrong code after the right password: audit it, and record it with axes as a failed
    login of that username from this address (which may lock them out; axes then flags the
    request and its middleware answers with the lockout page). It is not sent as Django's
    user_login_failed: the audit trail records a wrong code as OTP_FAILED, not as LOGIN_FAILED."""
    with transaction.atomic():
        audit(Action.OTP_FAILED, actor=user, request=request, detail=f"wrong code at {during}")
        AxesProxyHandler.user_login_failed(
            sender=__name__, credentials=get_credentials(user.get_username()), request=request
        )


def totp_device_confirm(*, device: TOTPDevice, request: HttpRequest) -> TOTPDevice:
    """Confirm a user's new device (its first code was right) and audit the enrolment. Any
    other unconfirmed key of the user (an abandoned enrolment) is deleted."""
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.devices_for_user(device.user, confirmed=False).delete()
        audit(Action.OTP_ENROLLED, actor=device.user, request=request, obj=device)
    return device


def qr_data_uri(data: str) -> str:
    """``data`` as a QR code: an SVG drawn here, as a data URI (no CDN, no stored image)."""
    image = qrcode.make(data, image_factory=SvgPathImage, box_size=10, border=4)
    return "data:image/svg+xml;base64," + b64encode(image.to_string()).decode()


def readable_secret(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app that cannot scan."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- Login ---------------------------------------------------------------------------------
def _code_widget() -> forms.TextInput:
    return forms.TextInput(
        attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "7"}
    )


class SeropAuthenticationForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=20,
        widget=_code_widget(),
        help_text=_(
            "The 6-digit code from your authenticator app. First login: leave it empty, and "
            "you will be shown how to set up the app."
        ),
    )

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.needs_enrolment = False
        self.otp_device: TOTPDevice | None = None
        if second_factor_required():
            # One message for a wrong password and a wrong code: the form does not tell which.
            self.error_messages = {
                **self.error_messages,
                "invalid_login": _(
                    "Please enter the correct username, password and code for a staff "
                    "account. Note that username and password may be case-sensitive."
                ),
            }
        else:
            del self.fields["otp_token"]

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()  # the password (axes first) and staff status
        if not second_factor_required():
            return cleaned_data
        user = self.get_user()
        if not TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
            self.needs_enrolment = True
            return cleaned_data
        self.otp_device = verified_device(user, _code(cleaned_data.get("otp_token")))
        if self.otp_device is None:
            assert self.request is not None  # the admin login always passes it
            second_factor_failed(request=self.request, user=user, during="login")
            raise self.get_invalid_login_error()
        return cleaned_data


class SeropLoginView(LoginView):
    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        if isinstance(form, SeropAuthenticationForm) and form.needs_enrolment:
            _start_enrolment(self.request, form.get_user(), self.get_success_url())
            return HttpResponseRedirect(
                reverse("admin:two_factor_enrol", current_app=self.request.current_app)
            )
        response = super().form_valid(form)
        if isinstance(form, SeropAuthenticationForm) and form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response


# --- Enrolment -----------------------------------------------------------------------------
def _start_enrolment(request: HttpRequest, user: Any, next_url: str) -> None:
    # A new session key: the half-way state must not live in a key chosen before the password.
    request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "since": timezone.now().timestamp(),
        "next": next_url,
    }


def _end_enrolment(request: HttpRequest) -> None:
    request.session.pop(PENDING_SESSION_KEY, None)


def _pending_enrolment(request: HttpRequest) -> tuple[Any, dict[str, Any]] | None:
    """The staff user who gave the right password in this session in the last
    ENROLMENT_WINDOW seconds and has no confirmed device yet, with the saved state."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if not pending:
        return None
    user = (
        get_user_model()
        ._default_manager.filter(pk=pending["user"], is_active=True, is_staff=True)
        .first()
    )
    if (
        user is None
        or timezone.now().timestamp() - pending["since"] > ENROLMENT_WINDOW
        or TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
    ):
        _end_enrolment(request)
        return None
    return user, pending


class CodeForm(forms.Form):
    otp_token = forms.CharField(label=_("Code"), max_length=20, widget=_code_widget())


def enrol_view(request: HttpRequest, *, admin_site: AdminSite) -> HttpResponse:
    """Show a new TOTP key and confirm it with its first code (see the module docstring)."""
    login_url = reverse("admin:login", current_app=admin_site.name)
    found = _pending_enrolment(request)
    if found is None:
        return HttpResponseRedirect(login_url)
    user, pending = found
    credentials = get_credentials(user.get_username())
    if not AxesProxyHandler.is_allowed(request, credentials):
        _end_enrolment(request)
        return get_lockout_response(request, credentials=credentials)

    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)

    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if _verify(device, _code(form.cleaned_data["otp_token"])):
            totp_device_confirm(device=device, request=request)
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            _end_enrolment(request)  # login() keeps the session's data when it renews the key
            return HttpResponseRedirect(pending["next"])
        second_factor_failed(request=request, user=user, during="enrolment")
        if getattr(request, "axes_locked_out", False):
            _end_enrolment(request)  # axes' middleware answers with the lockout page
        form.add_error("otp_token", _("That code is not right. Enter the code the app shows now."))

    request.current_app = admin_site.name
    context = {
        **admin_site.each_context(request),
        "title": _("Set up two-factor login"),
        "username": user.get_username(),
        "qr_code": qr_data_uri(device.config_url),
        "secret": readable_secret(device),
        "form": form,
    }
    return render(request, "two_factor/enrol.html", context)
