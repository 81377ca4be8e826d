"""Safe uploads: an allow-list checked by content, size limits enforced while the body arrives,
zip-bomb checks for DOCX and ODT, photos stripped of metadata, server-generated names.

Use in a form and its view::

    from serop.uploads import UploadField, UploadKind, upload_limits

    class SignupForm(forms.Form):
        cv = UploadField(kind=UploadKind.CV)
        photo = UploadField(kind=UploadKind.PHOTO, required=False)

    @upload_limits(SignupForm)
    def signup(request): ...
        form = SignupForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["cv"]  # a CheckedUpload
            CandidateDocument.objects.create(candidate=..., kind=..., **upload.document_fields())

See docs/uploads.md.
"""

from .content import detect
from .fields import CheckedUpload, UploadField, safe_original_name
from .images import clean_image
from .kinds import ALLOWED, MB, TYPE_BY_CONTENT_TYPE, FileType, UploadKind, format_limit, max_bytes
from .limits import UploadLimitHandler, field_limits_of, too_large_page, upload_limits

__all__ = [
    "ALLOWED",
    "MB",
    "TYPE_BY_CONTENT_TYPE",
    "CheckedUpload",
    "FileType",
    "UploadField",
    "UploadKind",
    "UploadLimitHandler",
    "clean_image",
    "detect",
    "field_limits_of",
    "format_limit",
    "max_bytes",
    "safe_original_name",
    "too_large_page",
    "upload_limits",
]
