"""Defences of the public forms against abuse: rate limits per client IP and per email address,
and a honeypot field.

Rate limiting uses django-ratelimit (counting in the shared cache); the limits per endpoint are
the SEROP_RATE_LIMITS setting. Every public POST endpoint calls :func:`check_rate_limits` before
it touches the database, so a flood costs one cache round trip per request and stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

HONEYPOT_FIELD = "website"


def client_ip(request: HttpRequest) -> str:
    """The visitor's address for rate limiting (RATELIMIT_IP_META_KEY). Behind
    SEROP_PROXY_COUNT trusted reverse proxies, each of which appends the address it received
    the request from to X-Forwarded-For, the visitor is the entry that many places from the
    right; entries further left are whatever the client sent and are not trusted. Without a
    proxy, REMOTE_ADDR."""
    proxies = settings.SEROP_PROXY_COUNT
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR") or "0.0.0.0")  # noqa: S104 (not a bind address)


def normalised_email(value: object) -> str:
    return str(value or "").strip().lower()


def _email_key(group: str, request: HttpRequest) -> str:
    return normalised_email(request.POST.get("email"))


def check_rate_limits(request: HttpRequest, endpoint: str) -> None:
    """Count this request against the endpoint's per-IP and per-email limits; raise
    :class:`Ratelimited` (rendered as a 429 page by :func:`rate_limited_view`) when one is
    exceeded. Only POSTs count: reading a form is free."""
    if request.method != "POST":
        return
    limits = settings.SEROP_RATE_LIMITS[endpoint]
    group = f"public:{endpoint}"
    keys: list[tuple[str, str | Callable[[str, HttpRequest], str]]] = [("ip", "ip")]
    if normalised_email(request.POST.get("email")):
        keys.append(("email", _email_key))
    for name, key in keys:
        if is_ratelimited(
            request, group=f"{group}:{name}", key=key, rate=limits[name], increment=True
        ):
            raise Ratelimited()


def rate_limited_view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """RATELIMIT_VIEW: a page in the visitor's language, status 429."""
    return render(request, "public/rate_limited.html", status=429)


class HoneypotForm(forms.Form):
    """Adds a field people never see (hidden by CSS and from assistive technology) and bots
    fill in. A form with it filled is treated by the view as accepted, but nothing is stored
    or sent, so the bot learns nothing."""

    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))


def honeypot_filled(request: HttpRequest) -> bool:
    return bool(request.POST.get(HONEYPOT_FIELD))


__all__: list[Any] = [
    "HONEYPOT_FIELD",
    "HoneypotForm",
    "Ratelimited",
    "check_rate_limits",
    "client_ip",
    "honeypot_filled",
    "rate_limited_view",
]
