"""The form field every upload goes through: size, type by content, zip bombs, photo clean-up,
and a server-generated name."""

import io
import secrets
import unicodedata
from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from .content import detect
from .images import clean_image
from .kinds import (
    ALLOWED,
    NOT_ALLOWED_MESSAGE,
    FileType,
    UploadKind,
    accept_attribute,
    format_limit,
    max_bytes,
)

TOO_LARGE = _("The file is too large: at most %(limit)s.")
ORIGINAL_NAME_MAX = 255


def safe_original_name(name: str | None) -> str:
    """The uploader's file name as data only (shown to staff, used for the download name):
    without any folder, control or format characters, at most 255 characters."""
    base = PurePath(str(name or "").replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    return cleaned.strip()[:ORIGINAL_NAME_MAX]


def generated_name(file_type: FileType) -> str:
    """A random name with the extension of the detected type; never the uploader's name."""
    return f"{secrets.token_hex(16)}{file_type.extension}"


class CheckedUpload(UploadedFile):
    """An upload that passed every check. ``name`` is server-generated; ``original_name`` is
    what the uploader called it (data only); ``content_type`` is the detected type."""

    def __init__(
        self,
        file: Any,
        *,
        kind: str,
        file_type: FileType,
        size: int,
        original_name: str,
        temporary_path: str | None = None,
    ) -> None:
        super().__init__(
            file=file,
            name=generated_name(file_type),
            content_type=file_type.content_type,
            size=size,
            charset=None,
        )
        self.kind = UploadKind(kind)
        self.file_type = file_type
        self.original_name = original_name
        self._temporary_path = temporary_path

    def document_fields(self) -> dict[str, Any]:
        """The values of CandidateDocument's file fields (``file``, ``original_name``,
        ``content_type``, ``size``), for ``CandidateDocument.objects.create(**...)``."""
        return {
            "file": self,
            "original_name": self.original_name,
            "content_type": self.content_type,
            "size": self.size,
        }


class _TemporaryCheckedUpload(CheckedUpload):
    """A large upload Django streamed to a temporary file: storage moves it into place rather
    than copying (FileSystemStorage looks for ``temporary_file_path``)."""

    def temporary_file_path(self) -> str:
        assert self._temporary_path is not None
        return self._temporary_path


class UploadField(forms.FileField):
    """A file field for one kind of upload (:class:`UploadKind`). ``clean`` returns a
    :class:`CheckedUpload` or raises ValidationError with a message in the active language;
    it never raises anything else, whatever the bytes or the name."""

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        self.kind = UploadKind(kind)
        kwargs.setdefault("allow_empty_file", False)
        kwargs.setdefault("max_length", ORIGINAL_NAME_MAX * 4)  # long names are cut, not refused
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", accept_attribute(self.kind))

    @property
    def max_bytes(self) -> int:
        return max_bytes(self.kind)

    def to_python(self, data: Any) -> Any:
        upload = super().to_python(data)
        if upload is None:
            return None
        return self.check(cast(UploadedFile, upload))

    def check(self, upload: UploadedFile) -> CheckedUpload:
        limit = self.max_bytes
        size = upload.size
        if size is None or size > limit:
            raise ValidationError(
                TOO_LARGE, code="too_large", params={"limit": format_limit(limit)}
            )
        original_name = safe_original_name(upload.name)
        try:
            file_type = detect(upload)
        except ValidationError:
            raise
        except Exception as exc:  # unreadable stream: treat as a damaged file
            raise ValidationError(NOT_ALLOWED_MESSAGE[self.kind], code="not_allowed") from exc
        if file_type is None or file_type not in ALLOWED[self.kind]:
            raise ValidationError(NOT_ALLOWED_MESSAGE[self.kind], code="not_allowed")
        if self.kind == UploadKind.PHOTO:
            data = clean_image(upload, file_type)
            return CheckedUpload(
                io.BytesIO(data),
                kind=self.kind,
                file_type=file_type,
                size=len(data),
                original_name=original_name,
            )
        upload.seek(0)
        temporary_path = getattr(upload, "temporary_file_path", None)
        cls = _TemporaryCheckedUpload if temporary_path else CheckedUpload
        return cls(
            upload.file,
            kind=self.kind,
            file_type=file_type,
            size=size,
            original_name=original_name,
            temporary_path=temporary_path() if temporary_path else None,
        )
