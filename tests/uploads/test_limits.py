"""Size limits hold before the body is read: a declared Content-Length over the form's total
is answered without reading a byte; a file over its field's limit stops the upload as it
arrives. Either way: a page in the user's language, never a 500, nothing stored."""

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import ClientHandler, encode_multipart
from django.utils import translation

from candidates.models import CandidateDocument
from serop.uploads import UploadKind, field_limits_of, upload_limits
from serop.uploads.kinds import MB
from tests.factories import CandidateFactory

from . import samples
from .urls import ProfileFilesForm

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.uploads.urls")]
BOUNDARY = "serop-test-boundary"


class CountingInput:
    """A wsgi.input that produces ``total`` bytes of a multipart body on demand and counts
    what the server reads: a 150 MB body without holding 150 MB."""

    def __init__(self, head: bytes, total: int) -> None:
        self.head = head
        self.total = total
        self.read_bytes = 0

    def _take(self, size: int) -> bytes:
        remaining = self.total - self.read_bytes
        size = remaining if size is None or size < 0 else min(size, remaining)
        start = self.read_bytes
        self.read_bytes += size
        head = self.head[start : start + size]
        return head + b"\0" * (size - len(head))

    def read(self, size: int = -1) -> bytes:
        return self._take(size)

    def readline(self, size: int = -1) -> bytes:
        return self._take(size)


def wsgi_post(path, stream, *, language="da"):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(stream.total),
        "HTTP_ACCEPT_LANGUAGE": language,
        "wsgi.input": stream,
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    # The test client's handler: a real WSGI request, but the test's database connection is
    # not closed at the end of the request.
    response = ClientHandler()(environ)
    return response.status_code, response.content


def file_part_head(field: str, name: str, content: bytes = b"") -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode() + content


def test_the_form_total_is_the_sum_of_its_fields_limits_plus_room_for_the_rest():
    assert field_limits_of(ProfileFilesForm) == {"cv": 10 * MB, "video": 100 * MB}


def test_a_150_mb_body_is_rejected_without_reading_it():
    stream = CountingInput(file_part_head("video", "intro.mp4", samples.mp4()), 150 * MB)
    status, body = wsgi_post("/upload-test/", stream)
    assert status == 413
    assert stream.read_bytes == 0  # not one byte of the body was read
    page = body.decode()
    assert "Filerne er for store: højst 111 MB i alt." in page
    assert "Intet af det, du sendte, er gemt." in page
    assert '<a class="button" href="/upload-test/">Tilbage til formularen</a>' in page
    assert not CandidateDocument.objects.exists()


def test_the_rejection_page_is_in_english_for_english_visitors():
    stream = CountingInput(file_part_head("video", "intro.mp4"), 150 * MB)
    status, body = wsgi_post("/en/upload-test/", stream, language="en")
    assert status == 413
    assert "The files are too large: at most 111 MB in total." in body.decode()


def test_a_file_over_its_fields_limit_stops_the_upload_as_it_arrives(settings, tmp_path):
    settings.SEROP_UPLOAD_MAX_BYTES = {**settings.SEROP_UPLOAD_MAX_BYTES, "cv": 1 * MB}
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # so the partial file goes to disk
    received: list[int] = []

    from serop.uploads import limits

    original = limits.UploadLimitHandler.receive_data_chunk

    def spy(self, raw_data, start):
        received.append(len(raw_data))
        return original(self, raw_data, start)

    view = upload_limits(fields={"cv": UploadKind.CV, "video": UploadKind.VIDEO})(
        lambda request: pytest.fail("the view must not run")
    )
    from django.test import RequestFactory

    candidate = CandidateFactory()
    data = {
        "candidate": str(candidate.pk),
        "cv": SimpleUploadedFile("cv.pdf", samples.PDF + b"\0" * (5 * MB)),
    }
    request = RequestFactory().post(
        "/upload-test/",
        data=encode_multipart(BOUNDARY, data),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    limits.UploadLimitHandler.receive_data_chunk = spy
    try:
        with translation.override("da"):
            response = view(request)
    finally:
        limits.UploadLimitHandler.receive_data_chunk = original
    assert response.status_code == 413
    assert "Filen er for stor: højst 1 MB." in response.content.decode()
    # The handler stopped one chunk past the limit, not at the end of the 5 MB file.
    assert 1 * MB < sum(received) <= 1 * MB + 64 * 1024
    assert list(tmp_path.iterdir()) == []  # the partial temporary file is gone
    assert not CandidateDocument.objects.exists()


def test_a_view_can_answer_with_its_own_form_page(settings, client):
    settings.SEROP_UPLOAD_MAX_BYTES = {**settings.SEROP_UPLOAD_MAX_BYTES, "cv": 1000}
    candidate = CandidateFactory()
    response = client.post(
        "/upload-test/own-page/",
        {"candidate": candidate.pk, "cv": SimpleUploadedFile("cv.pdf", samples.PDF * 100)},
        HTTP_ACCEPT_LANGUAGE="da",
    )
    assert response.status_code == 413, response.content
    page = response.content.decode()
    assert '<p class="error">Filen er for stor: højst 1000\xa0bytes.</p>' in page
    assert 'type="file" name="cv"' in page
    assert not CandidateDocument.objects.exists()


def test_uploads_within_the_limits_reach_the_view_and_are_stored(client):
    candidate = CandidateFactory()
    response = client.post(
        "/upload-test/",
        {
            "candidate": candidate.pk,
            "cv": SimpleUploadedFile("cv.pdf", samples.PDF),
            "video": SimpleUploadedFile("intro.mp4", samples.mp4()),
        },
    )
    assert response.status_code == 200, response.content
    kinds = sorted(CandidateDocument.objects.values_list("kind", flat=True))
    assert kinds == ["cv", "video"]


def test_csrf_is_still_enforced_on_a_decorated_view():
    candidate = CandidateFactory()
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/upload-test/",
        {"candidate": candidate.pk, "cv": SimpleUploadedFile("cv.pdf", samples.PDF)},
    )
    assert response.status_code == 403
    assert not CandidateDocument.objects.exists()


def test_too_much_form_data_gives_a_400_page_not_a_500(settings, client):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"field{n}": "x" for n in range(20)}
    response = client.post("/upload-test/", fields, HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 400
    assert "Formularen blev sendt med for mange data" in response.content.decode()


def test_non_file_data_over_the_memory_limit_gives_a_413_page(settings, client):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/upload-test/", {"message": "x" * 5000}, HTTP_ACCEPT_LANGUAGE="da")
    assert response.status_code == 413
    assert not CandidateDocument.objects.exists()


def test_a_get_is_not_touched(client):
    response = client.get("/upload-test/")
    assert response.status_code == 400  # the test view's own answer to an empty form


def test_a_view_whose_body_was_read_before_the_limits_fails_loudly(rf):
    view = upload_limits(ProfileFilesForm)(lambda request: pytest.fail("must not run"))
    request = rf.post("/upload-test/", {"cv": SimpleUploadedFile("cv.pdf", samples.PDF)})
    request.POST  # noqa: B018 -- e.g. a rate-limit decorator wrapped outside upload_limits
    with pytest.raises(ImproperlyConfigured):
        view(request)
