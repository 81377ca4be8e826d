"""Size limits enforced while the request body arrives, not after.

A view that takes uploads is wrapped in :func:`upload_limits`. Before anything of the body is
read it compares the declared Content-Length with the form's total limit and answers at once
when it is larger (nothing is read, nothing stored). Otherwise it installs
:class:`UploadLimitHandler` first in ``request.upload_handlers``: the handler counts each
file's bytes as they stream in and stops the upload as soon as one file passes the limit of
its field (or, for a field the form does not declare, the largest limit of the form). A
stopped upload is answered with the form's error page in the visitor's language (status 413);
Django deletes the partial temporary file. Non-file fields are capped by Django's
DATA_UPLOAD_MAX_MEMORY_SIZE; too many fields or files give the same kind of page (400).

Changing ``request.upload_handlers`` only works before the body is parsed, and the CSRF
middleware parses it for every POST. So, as Django's documentation prescribes, the decorated
view is exempted from the middleware's check and the check runs (``csrf_protect``) right after
the handlers are installed: CSRF is still enforced for every request.
"""

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django import forms
from django.core.exceptions import (
    ImproperlyConfigured,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from .fields import TOO_LARGE, UploadField
from .kinds import MB, UploadKind, format_limit, max_bytes

# Room for the form's other fields and the multipart framing on top of the files' limits.
FORM_OVERHEAD = 1 * MB
TOTAL_TOO_LARGE = _("The files are too large: at most %(limit)s in total.")
BAD_FORM = _("The form was sent with too much data or in a form we cannot read.")

View = Callable[..., HttpResponse]
RejectHandler = Callable[[HttpRequest, str, int], HttpResponse]


class UploadLimitHandler(FileUploadHandler):
    """Stops the upload (``StopUpload(connection_reset=False)``) as soon as a file is larger
    than the limit of its field."""

    def __init__(
        self, request: HttpRequest, field_limits: Mapping[str, int], default_limit: int
    ) -> None:
        super().__init__(request)
        self.field_limits = dict(field_limits)
        self.default_limit = default_limit
        self.limit = default_limit
        self.received = 0
        self.exceeded_limit: int | None = None

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.limit = self.field_limits.get(field_name, self.default_limit)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded_limit = self.limit
            raise StopUpload(connection_reset=False)
        return raw_data  # on to Django's memory or temporary-file handler

    def file_complete(self, file_size: int) -> None:
        return None


def field_limits_of(form_class: type[forms.BaseForm]) -> dict[str, int]:
    """``{field name: byte limit}`` of every :class:`UploadField` of a form class (use the
    form's prefix, if it has one, in the names)."""
    prefix = getattr(form_class, "prefix", None)
    limits = {}
    for name, field in getattr(form_class, "base_fields", {}).items():
        if isinstance(field, UploadField):
            limits[f"{prefix}-{name}" if prefix else name] = field.max_bytes
    return limits


def too_large_page(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """The default answer to a rejected upload: a public page in the visitor's language with
    the message and a link back to the form."""
    return render(
        request,
        "uploads/too_large.html",
        {"message": message, "back_url": request.get_full_path()},
        status=status,
    )


def upload_limits(
    form_class: type[forms.BaseForm] | None = None,
    *,
    fields: Mapping[str, str] | None = None,
    max_total_bytes: int | None = None,
    on_reject: RejectHandler | None = None,
) -> Callable[[View], View]:
    """Decorate a view that receives uploads.

    The per-field limits come from ``form_class``'s :class:`UploadField` fields and/or
    ``fields`` (``{field name: UploadKind}``). ``max_total_bytes`` defaults to their sum plus
    :data:`FORM_OVERHEAD`. ``on_reject(request, message, status)`` renders the answer to a
    rejected body (e.g. the form page with ``message`` as its error); by default
    :func:`too_large_page`. The view itself only ever sees bodies within the limits.
    """
    kinds = {name: UploadKind(kind) for name, kind in (fields or {}).items()}
    if not kinds and not (form_class is not None and field_limits_of(form_class)):
        raise ValueError("upload_limits needs a form with an UploadField or fields={...}")
    reject = on_reject or too_large_page

    def current_limits() -> tuple[dict[str, int], int]:
        # Read per request, so the limits always follow the settings.
        limits = field_limits_of(form_class) if form_class is not None else {}
        limits.update({name: max_bytes(kind) for name, kind in kinds.items()})
        total = max_total_bytes
        if total is None:
            total = sum(limits.values()) + FORM_OVERHEAD
        return limits, total

    def decorator(view: View) -> View:
        protected = csrf_protect(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in ("POST", "PUT", "PATCH"):
                limits, total = current_limits()
                rejected = _check_body(request, limits, max(limits.values()), total)
                if rejected is not None:
                    message, status = rejected
                    # No "Connection: close" here: WSGI forbids hop-by-hop headers from the
                    # application (runserver asserts it); the server handles the unread rest.
                    return reject(request, message, status)
            return protected(request, *args, **kwargs)

        return csrf_exempt(wrapper)

    return decorator


def _check_body(
    request: HttpRequest, limits: Mapping[str, int], default_limit: int, total: int
) -> tuple[str, int] | None:
    """None if the body is within the limits (it is then parsed), else (message, status)."""
    total_message = str(TOTAL_TOO_LARGE % {"limit": format_limit(total)})
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return str(BAD_FORM), 400
    if declared > total:
        return total_message, 413
    if hasattr(request, "_files"):
        # Something read request.POST before us: the body went through Django's handlers
        # without the limits. Fail loudly rather than accept it unchecked.
        raise ImproperlyConfigured(
            "upload_limits must wrap the view outside anything that reads request.POST"
        )
    handler = UploadLimitHandler(request, limits, default_limit)
    request.upload_handlers.insert(0, handler)
    try:
        request.POST  # noqa: B018 -- parse now, through the handlers, to see if they stopped
    except RequestDataTooBig:
        return total_message, 413
    except (TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
        return str(BAD_FORM), 400
    if handler.exceeded_limit is not None:
        _close_uploads(request)
        return str(TOO_LARGE % {"limit": format_limit(handler.exceeded_limit)}), 413
    return None


def _close_uploads(request: HttpRequest) -> None:
    """Close (and so delete the temporary files of) whatever arrived before the stop."""
    for uploads in request.FILES.lists():
        for upload in uploads[1]:
            upload.close()
