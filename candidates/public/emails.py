"""The emails of the self-service pages, in the candidate's language, as text and HTML: the
signup confirmation (double opt-in) and the sign-in link to the personal data page. Links are
absolute, built from settings.SEROP_PUBLIC_URL, with the path in the candidate's language."""

from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from candidates.models import Candidate

from .tokens import make_confirm_token, make_login_token


def public_url(name: str, language: str, **kwargs: Any) -> str:
    if not settings.SEROP_PUBLIC_URL:
        raise ImproperlyConfigured("Set SEROP_PUBLIC_URL: emails link to the public pages")
    with translation.override(language):
        path = reverse(f"candidates_public:{name}", kwargs=kwargs)
    return urljoin(settings.SEROP_PUBLIC_URL, path)


def _send(candidate: Candidate, subject: str, template: str, context: dict[str, Any]) -> None:
    context = {"candidate": candidate, **context}
    text = render_to_string(f"public/candidates/email/{template}.txt", context)
    html = render_to_string(f"public/candidates/email/{template}.html", context)
    # Auto-Submitted (RFC 3834): no out-of-office replies to an automatic message.
    message = EmailMultiAlternatives(
        subject, text, to=[candidate.email], headers={"Auto-Submitted": "auto-generated"}
    )
    message.attach_alternative(html, "text/html")
    message.send()


def send_confirmation_email(candidate: Candidate) -> None:
    language = candidate.language
    link = public_url("confirm", language, token=make_confirm_token(candidate))
    with translation.override(language):
        _send(
            candidate,
            _("Confirm your profile in SEROP's CV bank"),
            "confirm",
            {"link": link},
        )


def send_login_email(candidate: Candidate) -> None:
    language = candidate.language
    link = public_url("login", language, token=make_login_token(candidate))
    with translation.override(language):
        _send(
            candidate,
            _("Your link to your personal data at SEROP"),
            "login",
            {"link": link, "minutes": settings.SELF_SERVICE_LINK_MINUTES},
        )
