"""UploadField: size limits per kind, server-generated names, messages in the user's language,
and nothing but ValidationError whatever comes in."""

import re

import pytest
from django import forms
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import translation
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from candidates.models import CandidateDocument
from serop.uploads import CheckedUpload, UploadField, UploadKind, safe_original_name
from serop.uploads.kinds import MB, format_limit, max_bytes
from tests.factories import CandidateFactory

from . import samples


class CvForm(forms.Form):
    cv = UploadField(kind=UploadKind.CV)


def errors_in(language, data, name="cv.pdf"):
    with translation.override(language):
        form = CvForm(files={"cv": SimpleUploadedFile(name, data)})
        assert not form.is_valid()
        return [str(message) for message in form.errors["cv"]]


def test_the_limits_come_from_the_setting(settings):
    assert max_bytes(UploadKind.CV) == 10 * MB
    assert max_bytes(UploadKind.VIDEO) == 100 * MB
    settings.SEROP_UPLOAD_MAX_BYTES = {**settings.SEROP_UPLOAD_MAX_BYTES, "cv": 2 * MB}
    assert UploadField(kind=UploadKind.CV).max_bytes == 2 * MB


def test_a_cv_over_10_mb_is_rejected_naming_the_limit():
    too_big = samples.PDF + b"\0" * (10 * MB - len(samples.PDF) + 1)
    assert errors_in("da", too_big) == ["Filen er for stor: højst 10 MB."]
    assert errors_in("en", too_big) == ["The file is too large: at most 10 MB."]


def test_a_cv_of_exactly_the_limit_is_accepted():
    exactly = samples.PDF + b"\0" * (10 * MB - len(samples.PDF))
    form = CvForm(files={"cv": SimpleUploadedFile("cv.pdf", exactly)})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["cv"].size == 10 * MB


def test_the_size_is_checked_before_the_content(settings):
    settings.SEROP_UPLOAD_MAX_BYTES = {**settings.SEROP_UPLOAD_MAX_BYTES, "video": 1000}
    field = UploadField(kind=UploadKind.VIDEO)
    with pytest.raises(ValidationError) as raised:
        field.clean(SimpleUploadedFile("intro.mp4", samples.EXE * 100))
    assert raised.value.code == "too_large"


@pytest.mark.parametrize(
    ("language", "data", "name", "message"),
    [
        ("da", samples.EXE, "cv.pdf", "Filen er ikke en PDF-, DOCX- eller ODT-fil."),
        ("en", samples.EXE, "cv.pdf", "The file is not a PDF, DOCX or ODT file."),
        ("da", samples.docx()[:100], "cv.docx", "Filen er beskadiget og kan ikke læses."),
        (
            "da",
            samples.docx({"word/vbaProject.bin": b"x"}),
            "cv.docx",
            "Dokumentet indeholder makroer. Gem det som et almindeligt dokument, og prøv igen.",
        ),
        (
            "da",
            samples.docx({"word/media/filler.bin": b"\0" * (2 * MB)}),
            "cv.docx",
            "Filen er pakket mistænkeligt tæt og kan ikke modtages.",
        ),
    ],
)
def test_rejections_are_explained_in_the_users_language(language, data, name, message):
    assert errors_in(language, data, name) == [message]


def test_photo_and_video_messages_name_their_types():
    with translation.override("da"):
        photo = UploadField(kind=UploadKind.PHOTO)
        video = UploadField(kind=UploadKind.VIDEO)
        with pytest.raises(ValidationError) as raised_photo:
            photo.clean(SimpleUploadedFile("photo.jpg", samples.HTML))
        with pytest.raises(ValidationError) as raised_video:
            video.clean(SimpleUploadedFile("intro.mp4", samples.HTML))
        assert raised_photo.value.messages == ["Filen er ikke et JPEG- eller PNG-billede."]
        assert raised_video.value.messages == ["Filen er ikke en MP4-video."]


def test_the_stored_name_is_random_and_the_original_name_is_data_only():
    names = set()
    for _ in range(3):
        upload = UploadField(kind=UploadKind.CV).clean(
            SimpleUploadedFile("../../etc/Mette Jensen CV.pdf", samples.PDF)
        )
        assert re.fullmatch(r"[0-9a-f]{32}\.pdf", upload.name)
        assert upload.original_name == "Mette Jensen CV.pdf"
        names.add(upload.name)
    assert len(names) == 3


@pytest.mark.django_db
def test_a_checked_upload_is_stored_in_private_storage_under_a_generated_name(settings):
    upload = UploadField(kind=UploadKind.CV).clean(
        SimpleUploadedFile("Mette <script>.pdf", samples.PDF)
    )
    document = CandidateDocument.objects.create(
        candidate=CandidateFactory(), kind=CandidateDocument.Kind.CV, **upload.document_fields()
    )
    assert re.fullmatch(r"candidates/[0-9a-f]{32}\.pdf", document.file.name)
    path = settings.PRIVATE_MEDIA_ROOT / document.file.name
    assert path.read_bytes() == samples.PDF
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert document.original_name == "Mette <script>.pdf"
    assert document.content_type == "application/pdf" and document.size == len(samples.PDF)


@pytest.mark.django_db
def test_a_large_upload_in_a_temporary_file_is_moved_not_copied(settings, tmp_path):
    temporary = TemporaryUploadedFile("intro.mp4", "video/mp4", 0, None)
    data = samples.mp4()
    temporary.write(data)
    temporary.size = len(data)
    temporary.seek(0)
    upload = UploadField(kind=UploadKind.VIDEO).clean(temporary)
    assert upload.temporary_file_path() == temporary.temporary_file_path()
    document = CandidateDocument.objects.create(
        candidate=CandidateFactory(), kind=CandidateDocument.Kind.VIDEO, **upload.document_fields()
    )
    assert (settings.PRIVATE_MEDIA_ROOT / document.file.name).read_bytes() == data
    temporary.close()  # as Django does at the end of the request: the file has moved


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("C:\\Users\\mette\\cv.pdf", "cv.pdf"),
        ("../../cv.pdf", "cv.pdf"),
        ("cv\u202egpj.pdf", "cvgpj.pdf"),  # right-to-left override removed
        ("cv\r\n.pdf", "cv.pdf"),
        ("", ""),
        ("x" * 400 + ".pdf", "x" * 255),
    ],
)
def test_the_original_name_is_kept_without_folders_or_control_characters(name, expected):
    assert safe_original_name(name) == expected


def test_format_limit_writes_whole_megabytes_plainly():
    assert format_limit(10 * MB) == "10 MB"
    assert format_limit(100 * MB) == "100 MB"


def test_the_widget_tells_the_browser_what_to_offer():
    assert UploadField(kind=UploadKind.PHOTO).widget.attrs["accept"] == (
        ".jpg,.png,image/jpeg,image/png"
    )


PREFIXES = [
    b"",
    b"%PDF-",
    b"PK\x03\x04",
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"\x00\x00\x00\x18ftypisom",
    samples.docx()[:300],
    samples.odt()[:300],
    samples.mp4()[:40],
]


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(list(UploadKind)),
    prefix=st.sampled_from(PREFIXES),
    body=st.binary(max_size=2048),
    name=st.text(max_size=300),
)
def test_arbitrary_bytes_and_names_never_raise_anything_but_validation_error(
    kind, prefix, body, name
):
    try:  # names Django's own parser would never hand over ("", "..") are not ours to test
        upload = SimpleUploadedFile(name, prefix + body)
    except SuspiciousFileOperation:
        assume(False)
    field = UploadField(kind=kind, required=False)
    try:
        result: object = field.clean(upload)
    except ValidationError as exc:  # anything else fails the test
        result = exc
    if isinstance(result, ValidationError):
        assert result.messages  # a message to show, in the active language
    else:
        assert isinstance(result, CheckedUpload)
        assert result.original_name == safe_original_name(upload.name)
        assert re.fullmatch(r"[0-9a-f]{32}\.(pdf|docx|odt|jpg|png|mp4)", result.name)
