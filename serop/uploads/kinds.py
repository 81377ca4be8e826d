"""What may be uploaded: the allow-list of file types per kind of upload, and each kind's size
limit (the SEROP_UPLOAD_MAX_BYTES setting)."""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MB = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    """A file type recognised by its content; ``extension`` names the stored file."""

    name: str
    content_type: str
    extension: str


PDF = FileType("PDF", "application/pdf", ".pdf")
DOCX = FileType(
    "DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"
)
ODT = FileType("ODT", "application/vnd.oasis.opendocument.text", ".odt")
JPEG = FileType("JPEG", "image/jpeg", ".jpg")
PNG = FileType("PNG", "image/png", ".png")
MP4 = FileType("MP4", "video/mp4", ".mp4")

ALL_TYPES = (PDF, DOCX, ODT, JPEG, PNG, MP4)
TYPE_BY_CONTENT_TYPE = {t.content_type: t for t in ALL_TYPES}


class UploadKind(models.TextChoices):
    CV = "cv", _("CV")
    DOCUMENT = "document", _("Document")  # application letters, certificates, diplomas
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")


ALLOWED: dict[str, tuple[FileType, ...]] = {
    UploadKind.CV: (PDF, DOCX, ODT),
    UploadKind.DOCUMENT: (PDF, DOCX, ODT),
    UploadKind.PHOTO: (JPEG, PNG),
    UploadKind.VIDEO: (MP4,),
}

# The message when the content is not on the kind's allow-list, whatever the file is called.
NOT_ALLOWED_MESSAGE = {
    UploadKind.CV: _("The file is not a PDF, DOCX or ODT file."),
    UploadKind.DOCUMENT: _("The file is not a PDF, DOCX or ODT file."),
    UploadKind.PHOTO: _("The file is not a JPEG or PNG image."),
    UploadKind.VIDEO: _("The file is not an MP4 video."),
}


def max_bytes(kind: str) -> int:
    return int(settings.SEROP_UPLOAD_MAX_BYTES[UploadKind(kind)])


def format_limit(size: int) -> str:
    """A limit as people write it: "10 MB" for whole megabytes, else Django's size format."""
    if size >= MB and size % MB == 0:
        return f"{size // MB} MB"
    return str(filesizeformat(size))


def accept_attribute(kind: str) -> str:
    """The ``accept`` attribute of a file input for ``kind`` (a hint to the browser only)."""
    types = ALLOWED[UploadKind(kind)]
    return ",".join([t.extension for t in types] + [t.content_type for t in types])
