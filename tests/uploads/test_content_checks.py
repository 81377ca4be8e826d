"""The allow-list is checked by content: each allowed type passes, every disguise fails."""

import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from serop.uploads import CheckedUpload, UploadField, UploadKind, detect
from serop.uploads import content as detect_module
from serop.uploads.kinds import MB

from . import samples


def clean(kind: str, data: bytes, name: str = "upload.bin") -> CheckedUpload:
    return UploadField(kind=kind).clean(SimpleUploadedFile(name, data))


def rejection(kind: str, data: bytes, name: str = "upload.bin") -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        clean(kind, data, name)
    return raised.value


@pytest.mark.parametrize(
    ("kind", "data", "name", "content_type", "extension"),
    [
        (UploadKind.CV, samples.PDF, "cv.pdf", "application/pdf", ".pdf"),
        (
            UploadKind.CV,
            samples.docx(),
            "cv.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
        ),
        (UploadKind.CV, samples.odt(), "cv.odt", "application/vnd.oasis.opendocument.text", ".odt"),
        (UploadKind.DOCUMENT, samples.PDF, "eksamensbevis.pdf", "application/pdf", ".pdf"),
        (UploadKind.PHOTO, samples.jpeg(), "me.jpeg", "image/jpeg", ".jpg"),
        (UploadKind.PHOTO, samples.png(), "me.png", "image/png", ".png"),
        (UploadKind.VIDEO, samples.mp4(), "intro.mp4", "video/mp4", ".mp4"),
        (UploadKind.VIDEO, samples.mp4(major=b"mp42"), "intro.mp4", "video/mp4", ".mp4"),
    ],
)
def test_each_allowed_type_is_accepted_with_its_detected_type(
    kind, data, name, content_type, extension
):
    upload = clean(kind, data, name)
    assert isinstance(upload, CheckedUpload)
    assert upload.content_type == content_type
    assert upload.name.endswith(extension)
    assert upload.original_name == name
    assert upload.kind == kind


def test_the_type_comes_from_the_content_not_the_name():
    upload = clean(UploadKind.CV, samples.PDF, "my cv.docx")
    assert upload.content_type == "application/pdf"
    assert upload.name.endswith(".pdf")


@pytest.mark.parametrize(
    ("kind", "data", "name"),
    [
        (UploadKind.CV, samples.EXE, "cv.pdf"),
        (UploadKind.CV, samples.HTML, "cv.pdf"),
        (UploadKind.PHOTO, samples.HTML, "photo.jpg"),
        (UploadKind.PHOTO, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "photo.png"),
        (UploadKind.CV, samples.zip_of({"readme.txt": b"hello"}), "cv.docx"),
        (UploadKind.CV, samples.zip_of({"word/document.xml": b"<x/>"}), "cv.docx"),
        (
            UploadKind.CV,
            samples.odt(mimetype=b"application/vnd.oasis.opendocument.spreadsheet"),
            "cv.odt",
        ),
        (UploadKind.CV, samples.docx(content_types=samples.DOCM_CONTENT_TYPES), "cv.docx"),
        (UploadKind.CV, samples.jpeg(), "cv.pdf"),  # allowed somewhere, not for a CV
        (UploadKind.PHOTO, samples.PDF, "photo.jpg"),
        (UploadKind.VIDEO, samples.mp4(major=b"qt  ", compatible=b"qt  "), "intro.mp4"),
        (UploadKind.VIDEO, samples.mp4(major=b"heic", compatible=b"mif1heic"), "intro.mp4"),
        (UploadKind.VIDEO, samples.mp4()[:-10], "intro.mp4"),  # boxes do not tile the file
        (UploadKind.VIDEO, samples.mp4()[:24] + samples.box(b"mdat", b"\0" * 8), "intro.mp4"),
        (UploadKind.VIDEO, samples.PDF, "intro.mp4"),
    ],
)
def test_a_disguised_or_wrong_type_is_rejected_whatever_its_name(kind, data, name):
    error = rejection(kind, data, name)
    assert error.code == "not_allowed"


def test_a_zip_bomb_is_rejected_without_being_unpacked():
    bomb = samples.docx({"word/media/filler.bin": b"\0" * (20 * MB)})  # ~20 KB packed
    assert len(bomb) < 100_000
    assert rejection(UploadKind.CV, bomb, "cv.docx").code == "zip_ratio"


def test_an_odt_bomb_is_rejected_too():
    bomb = samples.odt({"Pictures/filler.bin": b"\0" * (20 * MB)})
    assert rejection(UploadKind.CV, bomb, "cv.odt").code == "zip_ratio"


def test_a_document_unpacking_beyond_the_total_limit_is_rejected(monkeypatch):
    monkeypatch.setattr(detect_module, "ZIP_MAX_UNCOMPRESSED", 64 * 1024)
    document = samples.docx({"word/media/photo.bin": bytes(range(256)) * 400})
    error = rejection(UploadKind.CV, document, "cv.docx")
    assert error.code == "zip_size"


def test_a_document_with_too_many_members_is_rejected():
    members = {f"word/part{n}.xml": b"<x/>" for n in range(1001)}
    assert rejection(UploadKind.CV, samples.docx(members), "cv.docx").code == "zip_members"


def test_an_embedded_spreadsheet_is_inspected_and_allowed():
    workbook = openpyxl.Workbook()  # a real .xlsx, as Word embeds for a chart
    buffer = io.BytesIO()
    workbook.save(buffer)
    embedded = buffer.getvalue()
    upload = clean(UploadKind.CV, samples.docx({"word/embeddings/chart.xlsx": embedded}))
    assert upload.content_type.endswith("wordprocessingml.document")


def test_an_archive_inside_an_archive_inside_the_document_is_rejected():
    inner = samples.zip_of({"a.txt": b"a"})
    middle = samples.zip_of({"inner.zip": inner})
    document = samples.docx({"word/embeddings/object.bin": middle})  # found by content
    assert rejection(UploadKind.CV, document, "cv.docx").code == "zip_nested"


def test_a_bomb_hidden_in_an_embedded_archive_is_rejected():
    embedded = samples.zip_of({"filler.bin": b"\0" * (20 * MB)})
    document = samples.docx({"word/embeddings/chart.xlsx": embedded})
    assert rejection(UploadKind.CV, document, "cv.docx").code == "zip_ratio"


def test_a_gzip_inside_the_document_is_rejected():
    import gzip

    document = samples.odt({"Pictures/data.gz": gzip.compress(b"x" * 100)})
    assert rejection(UploadKind.CV, document, "cv.odt").code == "zip_nested"


def test_documents_with_macros_are_rejected():
    docx = samples.docx({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"})
    odt = samples.odt({"Basic/Standard/Module1.xml": b"<script/>"})
    assert rejection(UploadKind.CV, docx, "cv.docx").code == "macros"
    assert rejection(UploadKind.CV, odt, "cv.odt").code == "macros"


def test_a_damaged_zip_is_rejected_as_damaged():
    broken = samples.docx()[:200]
    assert rejection(UploadKind.CV, broken, "cv.docx").code == "damaged"


def test_an_encrypted_zip_member_is_rejected():
    data = bytearray(samples.docx())
    # The "encrypted" flag (bit 0 of the flags) of the first member, in its local header and
    # in the central directory, which is what the check reads.
    data[6] |= 1
    data[data.find(b"PK\x01\x02") + 8] |= 1
    assert rejection(UploadKind.CV, bytes(data), "cv.docx").code == "encrypted"


def test_detect_reads_only_headers_of_a_plain_file():
    assert detect(io.BytesIO(samples.PDF)).name == "PDF"
    assert detect(io.BytesIO(samples.HTML)) is None
