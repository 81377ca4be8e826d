"""Public pages of the CV bank: the signup form, the email confirmation (double opt-in), and
the form and link that sign a candidate in to the personal data page (candidates/public/
page_views.py).

Links from emails only show a page with one button on GET; only the POST changes anything, so
mail scanners that fetch links confirm nothing and use up no sign-in link. Bad, altered, expired
or used links get a plain page with status 400. Every POST is rate-limited per IP and per email
address and has a honeypot (serop/abuse.py); a filled honeypot gets the normal answer and
nothing is stored or sent.
"""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from consents.purposes import ConsentPurpose
from serop.abuse import check_rate_limits, honeypot_filled
from serop.uploads import upload_limits

from .consent_flow import current_texts
from .forms import MagicLinkForm, SignupForm
from .session import sign_in, signed_in_candidate
from .signup import candidate_confirm_email, candidate_signup
from .tokens import LinkInvalid, check_confirm_token, check_login_token

TEMPLATES = "public/candidates/"


def page_language() -> str:
    language = (translation.get_language() or "da")[:2]
    return language if language in ("da", "en") else "da"


def _private(response: HttpResponse) -> HttpResponse:
    """Pages reached through a personal link: never cached, never passed on as a referrer,
    never indexed."""
    response["Cache-Control"] = "no-store"
    # same-origin, not no-referrer: the link's token never leaves the site, and the page's own
    # forms still send the Origin that Django's CSRF check needs ("null" fails it).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return _private(render(request, TEMPLATES + "link_invalid.html", status=400))


# --- signup ---------------------------------------------------------------------------------------
def _signup_page(request: HttpRequest, form: SignupForm | None, status: int = 200) -> HttpResponse:
    return render(request, TEMPLATES + "signup.html", {"form": form}, status=status)


def _upload_rejected(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """A body over the size limits, refused before it was read: the form again, with why."""
    texts = current_texts()
    form = (
        SignupForm(texts=texts, language=page_language())
        if ConsentPurpose.CV_BANK in texts
        else None
    )
    return render(
        request,
        TEMPLATES + "signup.html",
        {"form": form, "upload_error": message},
        status=status,
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@upload_limits(SignupForm, on_reject=_upload_rejected)
def signup(request: HttpRequest) -> HttpResponse:
    texts = current_texts()
    if ConsentPurpose.CV_BANK not in texts:  # no consent text published: no signups
        return _signup_page(request, None, status=503)
    language = page_language()
    if request.method != "POST":
        return _signup_page(request, SignupForm(texts=texts, language=language))
    check_rate_limits(request, "signup")
    if honeypot_filled(request):
        return redirect("candidates_public:signup_done")
    form = SignupForm(request.POST, request.FILES, texts=texts, language=language)
    if not form.is_valid():
        return _signup_page(request, form)
    candidate_signup(signup=form.signup(), language=language, request=request)
    return redirect("candidates_public:signup_done")


@login_not_required
def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, TEMPLATES + "signup_done.html")


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        checked = check_confirm_token(token)
    except LinkInvalid:
        return _invalid_link(request)
    candidate = checked.candidate
    if not checked.current or candidate.status != candidate.Status.PENDING:
        return _private(render(request, TEMPLATES + "confirm_done.html", {"already": True}))
    if request.method == "POST":
        candidate_confirm_email(candidate=candidate, request=request)
        return _private(render(request, TEMPLATES + "confirm_done.html", {"already": False}))
    return _private(render(request, TEMPLATES + "confirm.html", {"candidate": candidate}))


# --- the sign-in link -----------------------------------------------------------------------------
@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def magic_link(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, TEMPLATES + "magic_link.html", {"form": MagicLinkForm()})
    check_rate_limits(request, "magic_link")
    if honeypot_filled(request):
        return redirect("candidates_public:magic_link_sent")
    form = MagicLinkForm(request.POST)
    if not form.is_valid():
        return render(request, TEMPLATES + "magic_link.html", {"form": form})
    from .tasks import send_login_link

    # The worker looks the address up: this request does the same work, known or not.
    email = form.cleaned_data["email"].strip().lower()
    transaction.on_commit(lambda: send_login_link.delay(email))
    return redirect("candidates_public:magic_link_sent")


@login_not_required
def magic_link_sent(request: HttpRequest) -> HttpResponse:
    return render(request, TEMPLATES + "magic_link_sent.html", _minutes())


def _minutes() -> dict[str, Any]:
    from django.conf import settings

    return {"minutes": settings.SELF_SERVICE_LINK_MINUTES}


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login(request: HttpRequest, token: str) -> HttpResponse:
    try:
        candidate = check_login_token(token)
    except LinkInvalid:
        if signed_in_candidate(request) is not None:  # the link was used by this browser
            return redirect("candidates_public:personal")
        return _invalid_link(request)
    if candidate.status != candidate.Status.ACTIVE:
        return _invalid_link(request)
    if request.method == "POST":
        sign_in(request, candidate)
        return redirect("candidates_public:personal")
    return _private(render(request, TEMPLATES + "login.html", {"candidate": candidate}))
