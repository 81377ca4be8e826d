"""The public page behind the link in a deletion notice (retention/notices.py).

GET only shows the question with one button: mail scanners that fetch links never keep a
profile. The page submits its own form on load, so for a person it is still one click; the POST
keeps the profile. Bad, altered or out-of-date links get a plain page with status 400 and change
nothing."""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .notices import (
    KeepLinkInvalid,
    KeepLinkUsed,
    keep_months,
    notice_for_token,
    profile_keep,
)


@never_cache
@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def keep_profile(request: HttpRequest, token: str) -> HttpResponse:
    try:
        notice = notice_for_token(token=token)
        if request.method == "POST":
            expires_on = profile_keep(token=token, request=request)
            return _page(
                request, "retention/keep_done.html", notice.language, {"expires_on": expires_on}
            )
    except KeepLinkUsed as used:
        return _page(
            request,
            "retention/keep_done.html",
            used.notice.language,
            {"expires_on": used.expires_on, "already_kept": True},
        )
    except KeepLinkInvalid:
        # Whose link it was is unknown: the page speaks the browser's language (LocaleMiddleware).
        return _page(
            request, "retention/keep_invalid.html", translation.get_language(), {}, status=400
        )
    return _page(
        request,
        "retention/keep.html",
        notice.language,
        {"months": keep_months(), "expires_on": notice.expires_on},
    )


def _page(
    request: HttpRequest, template: str, language: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    with translation.override(language):
        response = render(request, template, context, status=status)
    response["Content-Language"] = language
    # The URL works like a password: never passed on as a referrer, never indexed.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
