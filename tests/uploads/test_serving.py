"""Files leave the private storage only through the permission-checked, audited download view,
as attachments no browser renders, sniffs or caches."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from candidates.activity import ActivityKind
from candidates.files import SELF_SERVICE_SESSION_KEY, download_name, self_service_candidate_id
from candidates.models import ActivityEvent, Application, CandidateDocument
from privacy.models import AuditEntry
from privacy.roles import Role
from privacy.services import person_restrict
from tests.factories import CandidateDocumentFactory, CandidateFactory, JobPostingFactory

from . import samples

pytestmark = pytest.mark.django_db


def staff(client: Client, role: str | None, username: str = "staff") -> User:
    user = User.objects.create_user(username=username, is_staff=True)
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def as_candidate(client: Client, candidate_id: object) -> None:
    session = client.session
    session[SELF_SERVICE_SESSION_KEY] = candidate_id
    session.save()


def url(document: CandidateDocument) -> str:
    return reverse("files:document", args=[document.pk])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def document():
    return CandidateDocumentFactory(
        file=ContentFile(samples.PDF, name="a.pdf"),
        original_name="Mette Jensen CV.pdf",
        content_type="application/pdf",
        size=len(samples.PDF),
    )


def test_the_url_is_fixed_and_outside_the_language_prefixes(document):
    assert url(document) == f"/files/documents/{document.pk}/"


def test_a_recruiter_downloads_the_file_as_a_safe_attachment(client, document):
    staff(client, Role.RECRUITER)
    response = client.get(url(document))
    assert response.status_code == 200
    assert body(response) == samples.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Mette Jensen CV.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_every_download_is_audited(client, document):
    user = staff(client, Role.RECRUITER)
    client.get(url(document))
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor_id == user.pk
    assert entry.object_type == "candidates.candidatedocument"
    assert entry.object_id == str(document.pk)
    assert entry.subject_ref == document.candidate.public_id
    assert entry.fields == ["file"]
    assert entry.ip_address == "127.0.0.1"


@pytest.mark.parametrize("role", [Role.PAYROLL, Role.OPERATIONS, None])
def test_staff_without_the_permission_get_404(client, document, role):
    staff(client, role)
    assert client.get(url(document)).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_a_user_with_the_permission_who_is_not_active_staff_gets_404(client, document):
    user = staff(client, Role.RECRUITER)
    user.is_staff = False
    user.save(update_fields=["is_staff"])
    assert client.get(url(document)).status_code == 404


def test_staff_without_a_second_factor_get_404_when_it_is_required(client, document, settings):
    settings.SEROP_REQUIRE_2FA = True
    staff(client, Role.RECRUITER)
    assert client.get(url(document)).status_code == 404


def test_a_restricted_record_is_hidden_from_recruiters_but_not_from_the_dpo(client, document):
    person_restrict(person=document.candidate, reason="contests accuracy")
    staff(client, Role.RECRUITER)
    assert client.get(url(document)).status_code == 404
    dpo = Client()
    staff(dpo, Role.DPO, "dpo")
    assert dpo.get(url(document)).status_code == 200


def test_the_candidate_downloads_their_own_file_in_the_self_service_session(client, document):
    as_candidate(client, document.candidate.pk)
    response = client.get(url(document))
    assert response.status_code == 200
    assert body(response) == samples.PDF
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor_id is None and entry.detail == "file downloaded by the person"
    assert ActivityEvent.objects.filter(
        candidate=document.candidate, kind=ActivityKind.DATA_EXPORTED
    ).exists()


def test_another_candidates_session_gets_404(client, document):
    as_candidate(client, CandidateFactory().pk)
    assert client.get(url(document)).status_code == 404


@pytest.mark.parametrize("value", [None, "1", True, 0, -1, [1]])
def test_only_a_positive_int_in_the_session_counts_as_a_candidate(rf, value):
    request = rf.get("/")
    request.session = {SELF_SERVICE_SESSION_KEY: value}
    assert self_service_candidate_id(request) is None
    request.session = {SELF_SERVICE_SESSION_KEY: 7}
    assert self_service_candidate_id(request) == 7


def test_anonymous_visitors_get_404_for_existing_and_missing_files_alike(client, document):
    existing = client.get(url(document))
    missing = client.get(reverse("files:document", args=[document.pk + 1000]))
    assert existing.status_code == missing.status_code == 404
    assert existing.content == missing.content


def test_a_file_missing_from_storage_gives_404(client, document):
    document.file.storage.delete(document.file.name)
    staff(client, Role.RECRUITER)
    assert client.get(url(document)).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_only_get_is_allowed(client, document):
    staff(client, Role.RECRUITER)
    assert client.post(url(document)).status_code == 405


def test_a_stored_type_off_the_allow_list_is_served_as_octet_stream(client):
    document = CandidateDocumentFactory(
        file=ContentFile(samples.HTML, name="a.html"),
        original_name="cv.html",
        content_type="text/html",
    )
    staff(client, Role.RECRUITER)
    response = client.get(url(document))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="cv.html"'


@pytest.mark.parametrize(
    ("original", "content_type", "expected"),
    [
        ("cv.exe", "application/pdf", "cv.pdf"),
        ('..\\..\\evil"\r\n; x=1.pdf', "application/pdf", "evil_ x_1.pdf"),
        ("Søren Ærø CV.docx", "application/vnd.oasis.opendocument.text", "Søren Ærø CV.odt"),
        ("", "image/jpeg", "photo-5.jpg"),
        ("....", "video/mp4", "photo-5.mp4"),
        ("a.weird-ext!", "text/html", "a"),
    ],
)
def test_the_download_name_is_safe_and_has_the_checked_types_extension(
    original, content_type, expected
):
    assert download_name(original, content_type, fallback="photo-5") == expected


def test_non_ascii_names_are_sent_encoded(client):
    document = CandidateDocumentFactory(
        file=ContentFile(samples.PDF, name="a.pdf"), original_name="Søren CV.pdf"
    )
    staff(client, Role.RECRUITER)
    response = client.get(url(document))
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''S%C3%B8ren%20CV.pdf"


@pytest.fixture
def application():
    candidate = CandidateFactory()
    return Application.objects.create(
        posting=JobPostingFactory(),
        candidate=candidate,
        channel="website",
        first_name="Mette",
        last_name="Jensen",
        email=candidate.email,
        phone="20304050",
        cv=ContentFile(samples.PDF, name="x.pdf"),
        received_at=candidate.last_activity_at,
    )


def test_application_files_are_served_to_staff_and_to_the_applicant(client, application):
    path = reverse("files:application_file", args=[application.pk, "cv"])
    assert client.get(path).status_code == 404
    staff(client, Role.RECRUITER)
    response = client.get(path)
    assert response.status_code == 200 and body(response) == samples.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="cv-{application.pk}.pdf"'

    applicant = Client()
    as_candidate(applicant, application.candidate_id)
    assert applicant.get(path).status_code == 200
    other = Client()
    as_candidate(other, CandidateFactory().pk)
    assert other.get(path).status_code == 404
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).count() == 2


def test_an_empty_or_unknown_application_file_field_gives_404(client, application):
    staff(client, Role.RECRUITER)
    letter = reverse("files:application_file", args=[application.pk, "application_letter"])
    assert client.get(letter).status_code == 404
    other = reverse("files:application_file", args=[application.pk, "first_name"])
    assert client.get(other).status_code == 404


def test_the_private_storage_has_no_public_url(client, document, settings):
    from django.conf import settings as live
    from django.contrib.staticfiles import finders

    name = document.file.name
    assert live.MEDIA_URL in ("", "/")  # no MEDIA_URL: nothing maps a URL onto the storage
    private = settings.PRIVATE_MEDIA_ROOT.resolve()
    assert not private.is_relative_to(live.STATIC_ROOT.resolve())
    assert finders.find(name) is None
    for path in (f"/{name}", f"/media/{name}", f"/static/{name}", f"/en/{name}"):
        assert client.get(path).status_code == 404, path
    staff(client, Role.RECRUITER)
    for path in (f"/{name}", f"/media/{name}", f"/static/{name}"):
        assert client.get(path).status_code == 404, path


def test_the_production_settings_keep_uploads_out_of_static_files():
    from serop.settings import base

    assert base.STORAGES["default"]["OPTIONS"]["base_url"] is None
    assert base.PRIVATE_MEDIA_ROOT != base.STATIC_ROOT
    assert not base.STATIC_ROOT.resolve().is_relative_to(base.PRIVATE_MEDIA_ROOT.resolve())
    assert not base.PRIVATE_MEDIA_ROOT.resolve().is_relative_to(base.STATIC_ROOT.resolve())


def test_the_admin_links_documents_to_the_download_view(client, document):
    staff(client, Role.RECRUITER)
    for page in (
        reverse("admin:candidates_candidatedocument_change", args=[document.pk]),
        reverse("admin:candidates_candidate_change", args=[document.candidate.pk]),
    ):
        html = client.get(page).content.decode()
        assert f'href="{url(document)}"' in html, page
        assert document.file.name not in html  # never the storage path
