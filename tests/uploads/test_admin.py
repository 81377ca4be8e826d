"""Files uploaded in the admin go through the same checks as on the website."""

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from candidates.models import CandidateDocument
from privacy.roles import Role
from tests.factories import CandidateFactory

from . import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiter(client):
    user = User.objects.create_user(username="rita", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.RECRUITER))
    client.force_login(user)
    return user


def add(client, kind, upload):
    return client.post(
        reverse("admin:candidates_candidatedocument_add"),
        {"candidate": CandidateFactory().pk, "kind": kind, "file": upload},
        HTTP_ACCEPT_LANGUAGE="da",
    )


def test_a_disguised_file_is_refused_in_danish(client, recruiter):
    response = add(client, "cv", SimpleUploadedFile("cv.pdf", samples.EXE))
    assert response.status_code == 200  # the form again, with the error
    assert "Filen er ikke en PDF-, DOCX- eller ODT-fil." in response.content.decode()
    assert not CandidateDocument.objects.exists()


def test_an_admin_photo_is_stripped_and_described_by_its_checked_type(client, recruiter):
    photo = samples.jpeg(exif=samples.gps_exif())
    response = add(client, "photo", SimpleUploadedFile("holiday.png", photo))
    assert response.status_code == 302
    document = CandidateDocument.objects.get()
    assert document.original_name == "holiday.png"
    assert document.content_type == "image/jpeg"
    assert document.file.name.endswith(".jpg") and "holiday" not in document.file.name
    stored = document.file.read()
    assert document.size == len(stored)
    assert not Image.open(io.BytesIO(stored)).getexif()  # no EXIF at all, GPS included
