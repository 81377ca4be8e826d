"""Downloading an access export: the person through their signed link, the DPO in the admin.
Both serve the zip from the private storage as an attachment and audit the download."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import RequestExport
from .subject_export import (
    ExportStatus,
    InvalidExportLink,
    export_for_token,
    export_record_download,
)

VIEW_REQUESTS = "privacy.view_subjectrequest"


def _zip_response(export: RequestExport) -> FileResponse:
    handle = export.file.open("rb")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{export.request.reference}.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the link is the key: never pass it on
    response["X-Robots-Tag"] = "noindex"
    return response


def _invalid(request: HttpRequest, language: str | None) -> HttpResponse:
    with translation.override(language or translation.get_language()):
        response = render(request, "privacy/export_invalid.html", status=400)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
@never_cache
@require_GET
def export_download(request: HttpRequest, token: str) -> HttpResponseBase:
    """The person's download, through the link emailed to them."""
    try:
        export = export_for_token(token)
        response = _zip_response(export)
    except InvalidExportLink as exc:
        return _invalid(request, exc.language)
    except FileNotFoundError:
        return _invalid(request, None)
    export_record_download(export, http_request=request)
    return response


@never_cache
@require_GET
def export_download_admin(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The DPO's download (wrapped in the admin site's ``admin_view`` in privacy/urls.py: an
    active staff member who passed the second factor), to check or hand over the zip."""
    if not request.user.has_perm(VIEW_REQUESTS):
        raise PermissionDenied
    # Past its expiry the zip is as good as deleted (the daily job removes the file): it is
    # not handed over any more, by the DPO either.
    export = get_object_or_404(
        RequestExport.objects.select_related("request"),
        pk=pk,
        kind=RequestExport.Kind.ACCESS,
        status=ExportStatus.DONE,
        expires_at__gt=timezone.now(),
    )
    if not export.file:
        raise Http404
    try:
        response = _zip_response(export)
    except FileNotFoundError as exc:
        raise Http404 from exc
    export_record_download(export, http_request=request, by_staff=True)
    return response
