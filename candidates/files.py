"""Serving uploaded files: CV-bank documents and the files of applications.

Files live in the private storage (no URL of their own) and leave it only through these views,
to two kinds of people:

- staff who pass the admin site's checks (active staff, second factor), hold the model's view
  permission, may see the ``file`` field (privacy/access.py) and may see the record (a
  restricted record, GDPR Art. 18, only with ``privacy.view_restricted``: the DPO);
- the candidate themselves, in the self-service session (the key below holds their pk).

Anyone else gets 404, the same as for a file that does not exist, so the answer says nothing
about what exists. Every download is an attachment that browsers neither render nor sniff nor
cache, and is audited.
"""

import re
import unicodedata
from pathlib import PurePath
from typing import Any

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.db import models
from django.http import FileResponse, Http404, HttpRequest
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from privacy.access import may_see_field, visible_queryset
from privacy.audit import Action, audit
from serop.uploads import TYPE_BY_CONTENT_TYPE, UploadKind

from .activity import ActivityKind
from .models import Application, CandidateDocument
from .services import candidate_record_activity

SELF_SERVICE_SESSION_KEY = "serop_self_service_candidate"
FALLBACK_CONTENT_TYPE = "application/octet-stream"
SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")
APPLICATION_FILE_FIELDS = ("cv", "application_letter")

# The upload kind (serop/uploads) that checks each kind of CandidateDocument.
UPLOAD_KIND_OF_DOCUMENT: dict[str, str] = {
    CandidateDocument.Kind.CV: UploadKind.CV,
    CandidateDocument.Kind.APPLICATION: UploadKind.DOCUMENT,
    CandidateDocument.Kind.CERTIFICATE: UploadKind.DOCUMENT,
    CandidateDocument.Kind.PHOTO: UploadKind.PHOTO,
    CandidateDocument.Kind.VIDEO: UploadKind.VIDEO,
}


def self_service_candidate_id(request: HttpRequest) -> int | None:
    """The pk of the candidate logged in to the self-service pages in this session, or None."""
    session = getattr(request, "session", None)
    value = session.get(SELF_SERVICE_SESSION_KEY) if session is not None else None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _staff_may_view(request: HttpRequest, model: type[models.Model], field: str) -> bool:
    user = request.user
    opts = model._meta
    return (
        admin.site.has_permission(request)
        and user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
        and may_see_field(user, model, field)
    )


def _find(request: HttpRequest, queryset: models.QuerySet, pk: int, field: str) -> tuple[Any, bool]:
    """The record if the request may download its ``field``, and whether by staff; else 404."""
    if _staff_may_view(request, queryset.model, field):
        found = visible_queryset(request.user, queryset).filter(pk=pk).first()
        if found is not None:
            return found, True
    candidate_id = self_service_candidate_id(request)
    if candidate_id is not None:
        found = queryset.filter(pk=pk, candidate_id=candidate_id).first()
        if found is not None:
            return found, False
    raise Http404


def download_name(original_name: str, content_type: str, fallback: str) -> str:
    """A file name safe in a header and on any disk: the uploader's name without folders,
    control characters or characters file systems refuse, with the extension of the type the
    content was checked to be (a PDF called cv.exe downloads as cv.pdf)."""
    file_type = TYPE_BY_CONTENT_TYPE.get(content_type)
    stem = PurePath(str(original_name).replace("\\", "/")).stem if original_name else ""
    stem = "".join(ch for ch in stem if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    stem = re.sub(r'[<>:"/\\|?*;=]+', "_", stem).strip(" .")[:100] or fallback
    if file_type is not None:
        return f"{stem}{file_type.extension}"
    suffix = PurePath(str(original_name)).suffix.lower() if original_name else ""
    return stem + (suffix if SAFE_SUFFIX.fullmatch(suffix) else "")


def file_response(file: Any, *, filename: str, content_type: str) -> FileResponse:
    """Stream a stored file as an attachment no browser renders, sniffs or caches."""
    if content_type not in TYPE_BY_CONTENT_TYPE:
        content_type = FALLBACK_CONTENT_TYPE
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


def _record(request: HttpRequest, obj: Any, field: str, by_staff: bool) -> None:
    detail = "file downloaded by staff" if by_staff else "file downloaded by the person"
    audit(Action.EXPORT, request=request, obj=obj, fields=[field], detail=detail)
    if not by_staff and obj.candidate_id is not None:
        candidate_record_activity(candidate=obj.candidate, kind=ActivityKind.DATA_EXPORTED)


@login_not_required
@never_cache
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    document, by_staff = _find(
        request, CandidateDocument.objects.select_related("candidate"), pk, "file"
    )
    if not document.file:
        raise Http404
    response = file_response(
        document.file,
        filename=download_name(
            document.original_name, document.content_type, fallback=f"{document.kind}-{pk}"
        ),
        content_type=document.content_type,
    )
    _record(request, document, "file", by_staff)
    return response


@login_not_required
@never_cache
@require_GET
def application_file_download(request: HttpRequest, pk: int, field: str) -> FileResponse:
    if field not in APPLICATION_FILE_FIELDS:
        raise Http404
    application, by_staff = _find(
        request, Application.objects.select_related("candidate"), pk, field
    )
    file = getattr(application, field)
    if not file:
        raise Http404
    # Application files keep no content type of their own: the stored name's extension was
    # generated from the checked type (serop/uploads), so it names the type.
    suffix = PurePath(file.name).suffix.lower()
    content_type = next(
        (t.content_type for t in TYPE_BY_CONTENT_TYPE.values() if t.extension == suffix),
        FALLBACK_CONTENT_TYPE,
    )
    response = file_response(
        file,
        filename=download_name("", content_type, fallback=f"{field}-{pk}"),
        content_type=content_type,
    )
    _record(request, application, field, by_staff)
    return response


def document_url(document: CandidateDocument) -> str:
    return reverse("files:document", args=[document.pk])


app_name = "files"
urlpatterns = [
    path("documents/<int:pk>/", document_download, name="document"),
    path("applications/<int:pk>/<str:field>/", application_file_download, name="application_file"),
]
