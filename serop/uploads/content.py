"""Recognising a file by its content, never by its name, and refusing archives that would
unpack to far more than they weigh (zip bombs).

Only headers and an archive's central directory are read: nothing is unpacked to disk, and of
a DOCX or ODT only the few small members that say what it is are decompressed (capped).
"""

import io
import struct
import zipfile
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .kinds import DOCX, JPEG, MB, MP4, ODT, PDF, PNG, FileType, format_limit

# Zip limits: a real CV in DOCX or ODT holds tens of members, unpacks to a few megabytes and
# compresses text about 5-20 times. These leave a wide margin and stop every known bomb.
ZIP_MAX_MEMBERS = 1000
ZIP_MAX_UNCOMPRESSED = 100 * MB  # all members together, nested archives included
ZIP_MAX_RATIO = 100  # uncompressed / compressed, for a member or the whole archive ...
ZIP_RATIO_FLOOR = 1 * MB  # ... once it unpacks to more than this (tiny members vary wildly)
ZIP_MAX_DEPTH = 1  # an archive inside the document (an embedded spreadsheet) is inspected
# too, with the same limits; an archive inside that is refused.
ZIP_MAGIC = b"PK\x03\x04"
ARCHIVE_SUFFIXES = (
    *(".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".jar", ".7z"),
    *(".rar", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".cab"),
)
ARCHIVE_MAGICS = (
    ZIP_MAGIC,
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"MSCF",
)

DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Macros: a .docm renamed .docx, or Basic/script folders in an ODT.
MACRO_MEMBERS = ("word/vbaproject.bin",)
MACRO_FOLDERS = ("basic/", "scripts/")

# MP4 major brands (ISO base media and the MP4 family). QuickTime (.mov, "qt  "), 3GP, HEIC
# images and M4A audio share the container but are not on the allow-list.
MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
    b"M4V ", b"M4VP", b"mmp4", b"MSNV", b"dash", b"f4v ",
}  # fmt: skip
MAX_BOXES = 10_000

DAMAGED = _("The file is damaged and cannot be read.")
TOO_MANY_MEMBERS = _("The file contains too many parts (more than %(limit)s).")
UNPACKS_TOO_LARGE = _("The file unpacks to more than %(limit)s and cannot be accepted.")
TOO_COMPRESSED = _("The file is packed suspiciously tightly and cannot be accepted.")
NESTED = _("The file contains packed files inside packed files and cannot be accepted.")
ENCRYPTED = _("The document is password-protected. Upload it without a password.")
MACROS = _("The document contains macros. Save it as an ordinary document and try again.")


def _head(file: IO[bytes], size: int = 64) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def detect(file: IO[bytes]) -> FileType | None:
    """The allow-listed type of ``file``'s content, or None. Raises ValidationError for a file
    that is one of the allowed containers but unsafe (zip bomb, macros) or damaged."""
    head = _head(file)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[4:8] == b"ftyp":
        return MP4 if _is_mp4(file) else None
    if head.startswith(ZIP_MAGIC):
        return _office_type(file)
    return None


# --- Zip containers (DOCX, ODT) -----------------------------------------------------------


class _Budget:
    """What the archive and the archives inside it may unpack to, together."""

    def __init__(self) -> None:
        self.members = 0
        self.uncompressed = 0


def _open_zip(file: IO[bytes]) -> zipfile.ZipFile:
    try:
        file.seek(0)
        return zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ValidationError(DAMAGED, code="damaged") from exc


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """At most ``limit`` bytes of a member (its declared size was checked already)."""
    try:
        with archive.open(info) as member:
            return member.read(limit)
    except Exception as exc:  # zipfile raises many kinds for a corrupt member
        raise ValidationError(DAMAGED, code="damaged") from exc


def check_zip(archive: zipfile.ZipFile, archive_size: int, budget: _Budget, depth: int) -> None:
    """Refuse a zip bomb from the central directory's declared sizes, without unpacking."""
    infos = archive.infolist()
    budget.members += len(infos)
    if budget.members > ZIP_MAX_MEMBERS:
        raise ValidationError(
            TOO_MANY_MEMBERS, code="zip_members", params={"limit": ZIP_MAX_MEMBERS}
        )
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ValidationError(ENCRYPTED, code="encrypted")
        if info.file_size < 0 or info.compress_size < 0:
            raise ValidationError(DAMAGED, code="damaged")
        total += info.file_size
        if info.file_size > ZIP_RATIO_FLOOR and (
            info.compress_size == 0 or info.file_size / info.compress_size > ZIP_MAX_RATIO
        ):
            raise ValidationError(TOO_COMPRESSED, code="zip_ratio")
    budget.uncompressed += total
    if budget.uncompressed > ZIP_MAX_UNCOMPRESSED:
        raise ValidationError(
            UNPACKS_TOO_LARGE,
            code="zip_size",
            params={"limit": format_limit(ZIP_MAX_UNCOMPRESSED)},
        )
    if total > ZIP_RATIO_FLOOR and total / max(archive_size, 1) > ZIP_MAX_RATIO:
        raise ValidationError(TOO_COMPRESSED, code="zip_ratio")
    for info in infos:
        if info.is_dir():
            continue
        nested = info.filename.lower().endswith(ARCHIVE_SUFFIXES)
        if not nested and info.file_size >= 4:
            nested = _read_member(archive, info, 8).startswith(ARCHIVE_MAGICS)
        if not nested:
            continue
        if depth >= ZIP_MAX_DEPTH:
            raise ValidationError(NESTED, code="zip_nested")
        data = _read_member(archive, info, info.file_size + 1)
        if not data.startswith(ZIP_MAGIC):
            # gzip, 7z, rar ... cannot be inspected without unpacking: refused.
            raise ValidationError(NESTED, code="zip_nested")
        with _open_zip(io.BytesIO(data)) as inner:
            check_zip(inner, len(data), budget, depth + 1)


def _office_type(file: IO[bytes]) -> FileType | None:
    file.seek(0, io.SEEK_END)
    size = file.tell()
    with _open_zip(file) as archive:
        check_zip(archive, size, _Budget(), depth=0)
        names = {info.filename: info for info in archive.infolist()}
        lowered = {name.lower() for name in names}
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            content_types = _read_member(archive, names["[Content_Types].xml"], MB)
            if DOCX_MAIN not in content_types:
                return None  # a template (.dotx), a macro document (.docm) or another format
            if lowered.intersection(MACRO_MEMBERS):
                raise ValidationError(MACROS, code="macros")
            return DOCX
        if "mimetype" in names:
            mimetype = _read_member(archive, names["mimetype"], len(ODT_MIMETYPE) + 1)
            if mimetype.strip() != ODT_MIMETYPE:
                return None
            if any(name.startswith(MACRO_FOLDERS) for name in lowered):
                raise ValidationError(MACROS, code="macros")
            return ODT
    return None


# --- MP4 ----------------------------------------------------------------------------------


def _is_mp4(file: IO[bytes]) -> bool:
    """An ISO base media file with an MP4 major brand whose top-level boxes tile the file
    exactly and include the movie header ("moov")."""
    file.seek(0, io.SEEK_END)
    end = file.tell()
    offset = 0
    types: list[bytes] = []
    while offset < end:
        if len(types) >= MAX_BOXES:
            return False
        file.seek(offset)
        header = file.read(16)
        if len(header) < 8:
            return False
        size, kind = struct.unpack(">I4s", header[:8])
        if not (kind.isascii() and all(32 <= c < 127 for c in kind)):
            return False
        if size == 1:  # a 64-bit size follows the type
            if len(header) < 16:
                return False
            size = struct.unpack(">Q", header[8:16])[0]
            minimum = 16
        elif size == 0:  # the box runs to the end of the file
            size = end - offset
            minimum = 8
        else:
            minimum = 8
        if size < minimum or offset + size > end:
            return False
        if not types:
            if kind != b"ftyp" or size < 16:
                return False
            file.seek(8)
            if file.read(4) not in MP4_BRANDS:
                return False
        types.append(kind)
        offset += size
    file.seek(0)
    return b"moov" in types
