"""The public privacy notice: the published version in the visitor's language, or, until the
DPO publishes version 1, the draft generated from the registry, marked as a draft."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone, translation
from django.views.decorators.http import require_safe

from privacy.notice import current_version, render_notice


@login_not_required
@require_safe
def notice(request: HttpRequest) -> HttpResponse:
    language = translation.get_language() or "da"
    version = current_version()
    context = {
        "version": version,
        "content": version.content(language) if version else render_notice(language),
        "published_on": (
            formats.date_format(timezone.localtime(version.published_at), "DATE_FORMAT")
            if version
            else None
        ),
    }
    return render(request, "public/privacy/notice.html", context)
