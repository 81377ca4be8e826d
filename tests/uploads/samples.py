"""Tiny but real files of every allowed type, and the disguises the checks must see through,
built in code so that each test shows what its file holds."""

import io
import struct
import zipfile
import zlib

from PIL import ExifTags, Image

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"

DOCX_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCM_CONTENT_TYPES = DOCX_CONTENT_TYPES.replace(
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    b"application/vnd.ms-word.document.macroEnabled.main+xml",
)
DOCX_DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats'
    b'.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Mette Jensen, CV</w:t></w:r></w:p>'
    b"</w:body></w:document>"
)
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def zip_of(members: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first is not None:
            archive.writestr(stored_first, members[stored_first], zipfile.ZIP_STORED)
        for name, data in members.items():
            if name != stored_first:
                archive.writestr(name, data)
    return buffer.getvalue()


def docx(extra: dict[str, bytes] | None = None, content_types: bytes = DOCX_CONTENT_TYPES) -> bytes:
    return zip_of(
        {
            "[Content_Types].xml": content_types,
            "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
            "word/document.xml": DOCX_DOCUMENT,
            **(extra or {}),
        }
    )


def odt(extra: dict[str, bytes] | None = None, mimetype: bytes = ODT_MIMETYPE) -> bytes:
    return zip_of(
        {
            "mimetype": mimetype,
            "META-INF/manifest.xml": b'<?xml version="1.0"?><manifest:manifest/>',
            "content.xml": b'<?xml version="1.0"?><office:document-content/>',
            **(extra or {}),
        },
        stored_first="mimetype",
    )


def jpeg(size: tuple[int, int] = (40, 20), **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="JPEG", **save)
    return buffer.getvalue()


def png(size: tuple[int, int] = (16, 16), mode: str = "RGBA", **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (0, 120, 200, 128) if mode == "RGBA" else 0).save(
        buffer, format="PNG", **save
    )
    return buffer.getvalue()


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone maker"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (55.0, 24.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (11.0, 21.0, 36.0)
    return exif


def png_header_only(width: int, height: int) -> bytes:
    """A PNG signature and IHDR chunk claiming the given size (no pixel data): what a
    decompression bomb looks like before it is decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    body = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat = zlib.compress(b"\x00" * 64)
    idat_chunk = b"IDAT" + idat
    body += struct.pack(">I", len(idat)) + idat_chunk + struct.pack(">I", zlib.crc32(idat_chunk))
    return b"\x89PNG\r\n\x1a\n" + body


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mvhd() -> bytes:
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    payload = (
        struct.pack(">I", 0)  # version 0, flags
        + struct.pack(">IIII", 0, 0, 1000, 1000)  # created, modified, timescale, duration
        + struct.pack(">IH", 0x10000, 0x100)  # rate 1.0, volume 1.0
        + b"\x00" * 10
        + matrix
        + b"\x00" * 24
        + struct.pack(">I", 2)  # next track id
    )
    return box(b"mvhd", payload)


def mp4(major: bytes = b"isom", compatible: bytes = b"isomiso2avc1mp41") -> bytes:
    ftyp = box(b"ftyp", major + struct.pack(">I", 0x200) + compatible)
    return ftyp + box(b"moov", mvhd()) + box(b"mdat", b"\x00" * 32)
