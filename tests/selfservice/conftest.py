import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from candidates.models import Area, JobType
from candidates.public.tasks import send_login_link, send_signup_confirmation
from consents.models import ConsentText
from consents.purposes import ConsentPurpose

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SIGNUP = "/cv-bank/tilmeld/"
SIGNUP_EN = "/en/cv-bank/signup/"
LINK_FORM = "/cv-bank/mine-data/link/"
PERSONAL = "/cv-bank/mine-data/"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.SEROP_PUBLIC_URL = "https://www.serop.dk/"


@pytest.fixture
def client():
    return Client(HTTP_USER_AGENT="pytest-browser/1.0")


@pytest.fixture
def job_types(db):
    return [JobType.objects.create(name=n) for n in ("Lager", "Kontor")]


@pytest.fixture
def areas(db):
    return [Area.objects.create(name=n, region="Sjælland") for n in ("Slagelse", "Næstved")]


def texts() -> dict[str, ConsentText]:
    from candidates.public.consent_flow import current_texts

    return current_texts()


def pdf(name="cv.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png(name="foto.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def signup_data(types=(), places=(), **overrides):
    current = texts()
    data = {
        "first_name": "Mette",
        "last_name": "Jensen",
        "email": "mette@example.dk",
        "phone": "20 30 40 50",
        "job_types": [j.pk for j in types],
        "areas": [a.pk for a in places],
        "employment_forms": ["temp", "permanent"],
        "duration": "any",
        "hours": "full_time",
        "available_from": "",
        "cv": pdf(),
        "application_text": "",
        "consent_cv_bank": "on",
        "website": "",
    }
    for purpose, text in current.items():
        data[f"text_{purpose}"] = str(text.pk)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def link_in(message, base="https://www.serop.dk"):
    found = re.search(re.escape(base) + r"(/\S+/)", message.body)
    assert found is not None, message.body
    return found.group(1)


@pytest.fixture(autouse=True)
def eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from serop.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def sign_in(client, candidate, capture):
    """Ask for a sign-in link, take it from the email, open the page."""
    with capture(execute=True):
        client.post(LINK_FORM, {"email": candidate.email})
    path = link_in(mail.outbox[-1])
    response = client.post(path)
    assert response.status_code == 302, response.content
    return path


__all__ = ["ConsentPurpose", "send_login_link", "send_signup_confirmation"]
