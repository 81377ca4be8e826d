"""The newsletter's public pages: signup, "check your email", confirmation and unsubscription.

The confirmation and unsubscribe links change nothing on GET (mail scanners fetch links): the
page shows one button that POSTs. The unsubscribe URL also takes the RFC 8058 one-click POST
that mail programs send (``List-Unsubscribe=One-Click``) without a CSRF token: it is exempt, the
signed token in the URL is the authorisation, and it unsubscribes at once.
"""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from consents.models import ConsentText
from serop.abuse import check_rate_limits, honeypot_filled

from ..models import NewsletterSubscriber
from ..newsletter import (
    ConsentTextChanged,
    LinkInvalid,
    NewsletterUnavailable,
    current_consent_text,
    subscriber_confirm,
    subscriber_for_confirm_token,
    subscriber_for_unsubscribe_token,
    subscriber_signup,
    subscriber_unsubscribe,
)
from .forms import EMAIL_MAX, NewsletterSignupForm, page_language

T = "public/customers/"


def _sent() -> HttpResponseRedirect:
    return redirect("customers_public:newsletter_sent")


def _signup_page(
    request: HttpRequest,
    form: NewsletterSignupForm,
    text: ConsentText,
    *,
    status: int = 200,
    text_changed: bool = False,
) -> HttpResponse:
    context = {"form": form, "consent_text": text, "text_changed": text_changed}
    return render(request, T + "newsletter_signup.html", context, status=status)


def _unavailable(request: HttpRequest) -> HttpResponse:
    return render(request, T + "newsletter_unavailable.html", status=503)


def _shown_text_id(request: HttpRequest) -> int | None:
    value = request.POST.get("text_version", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    language = page_language()
    text = current_consent_text()
    if text is None:
        return _unavailable(request)
    if request.method != "POST":
        form = NewsletterSignupForm(consent_text=text, language=language)
        return _signup_page(request, form, text)
    check_rate_limits(request, "newsletter")
    if honeypot_filled(request):
        return _sent()  # looks accepted; nothing is stored or sent
    form = NewsletterSignupForm(request.POST, consent_text=text, language=language)
    if _shown_text_id(request) != text.pk:
        return _text_changed(request, text, language)
    if not form.is_valid():
        return _signup_page(request, form, text, status=400)
    try:
        subscriber_signup(
            email=form.cleaned_data["email"], language=language, text_id=text.pk, request=request
        )
    except ConsentTextChanged as changed:  # published between reading and writing
        return _text_changed(request, changed.current, language)
    except NewsletterUnavailable:
        return _unavailable(request)
    return _sent()


def _text_changed(request: HttpRequest, text: ConsentText, language: str) -> HttpResponse:
    """The text the visitor agreed to is no longer the one in force: show the new one, with the
    address kept and the box not ticked, so the consent recorded is to the text read."""
    email = str(request.POST.get("email", ""))[:EMAIL_MAX]
    form = NewsletterSignupForm(initial={"email": email}, consent_text=text, language=language)
    return _signup_page(request, form, text, status=409, text_changed=True)


@login_not_required
@require_http_methods(["GET", "HEAD"])
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, T + "newsletter_sent.html")


def _private(response: HttpResponse) -> HttpResponse:
    # The URL works like a password: never passed on as a referrer, never indexed.
    # same-origin, not no-referrer: the link's token never leaves the site, and the page's own
    # forms still send the Origin that Django's CSRF check needs ("null" fails it).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _link_invalid(request: HttpRequest) -> HttpResponse:
    return _private(render(request, T + "newsletter_link_invalid.html", status=400))


@never_cache
@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            confirmed_now = subscriber_confirm(token=token, request=request)
            context: dict[str, Any] = {"already": not confirmed_now}
            return _private(render(request, T + "newsletter_confirmed.html", context))
        subscriber = subscriber_for_confirm_token(token)
    except LinkInvalid:
        return _link_invalid(request)
    if subscriber.status == NewsletterSubscriber.Status.CONFIRMED:
        return _private(render(request, T + "newsletter_confirmed.html", {"already": True}))
    return _private(render(request, T + "newsletter_confirm.html"))


@csrf_exempt  # RFC 8058 one-click: mail programs POST without a token; the signed URL suffices
@never_cache
@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            one_click = request.POST.get("List-Unsubscribe") == "One-Click"
            subscriber_unsubscribe(token=token, request=request, one_click=one_click)
            return _private(render(request, T + "newsletter_unsubscribed.html"))
        subscriber = subscriber_for_unsubscribe_token(token)
    except LinkInvalid:
        return _link_invalid(request)
    if subscriber is None or subscriber.status == NewsletterSubscriber.Status.UNSUBSCRIBED:
        return _private(render(request, T + "newsletter_unsubscribed.html", {"already": True}))
    return _private(render(request, T + "newsletter_unsubscribe.html"))
