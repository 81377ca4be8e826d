"""The contact form (policy §7): stored as a ContactEnquiry, staff notified without the content."""

import pytest
from django.core import mail
from django.test import Client
from django.utils import translation

from customers.models import ContactEnquiry
from privacy.models import AuditEntry

pytestmark = pytest.mark.django_db
CONTACT = "/kontakt/"


def enquiry_data(**extra) -> dict:
    return {
        "topics": ["temp", "payroll"],
        "name": "Anna Jensen",
        "email": "anna@example.dk",
        "phone": "+45 12 34 56 78",
        "message": "Jeg har en diskusprolaps og søger et skånejob.",
        "website": "",
        **extra,
    }


def post(client, capture, data, path=CONTACT):
    with capture(execute=True):
        return client.post(path, data)


def test_the_form_page_is_danish_at_the_root_and_english_under_en(client):
    danish = client.get(CONTACT).content.decode()
    assert "Kontakt SEROP" in danish and "Hvad drejer din henvendelse sig om?" in danish
    for name in ("topics", "name", "email", "phone", "message"):
        assert f'name="{name}"' in danish
    assert 'id="contact-submit"' in danish and '<div class="hp" aria-hidden="true">' in danish
    english = client.get("/en/contact/").content.decode()
    assert "Contact SEROP" in english and "Temp staff" in english


def test_an_enquiry_is_stored_audited_and_staff_notified_without_its_content(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SEROP_CONTACT_NOTIFY_EMAIL = "salg@serop.dk"
    response = post(client, django_capture_on_commit_callbacks, enquiry_data())
    assert response.status_code == 302 and response["Location"] == "/kontakt/tak/"
    receipt = client.get(response["Location"]).content.decode()
    assert "Tak for din henvendelse" in receipt and "Anna" not in receipt

    enquiry = ContactEnquiry.objects.get()
    assert enquiry.topics == ["payroll", "temp"]
    assert enquiry.name == "Anna Jensen" and enquiry.email == "anna@example.dk"
    assert enquiry.phone == "12345678"  # normalised
    assert enquiry.message.startswith("Jeg har en diskusprolaps")
    assert enquiry.language == "da" and enquiry.received_at is not None
    assert AuditEntry.objects.filter(
        action="create", object_type="customers.contactenquiry", subject_ref=enquiry.public_id
    ).exists()

    [notice] = mail.outbox
    assert notice.to == ["salg@serop.dk"]
    labels = dict(ContactEnquiry.Topic.choices)
    with translation.override("da"):
        topics = f"{labels['payroll']}, {labels['temp']}"
    assert notice.subject == f"Ny henvendelse fra hjemmesiden: {topics}"
    everything = notice.subject + notice.body + notice.alternatives[0][0]
    for private in ("Anna", "anna@example.dk", "12345678", "diskusprolaps"):
        assert private not in everything
    assert f"http://testserver/admin/customers/contactenquiry/{enquiry.pk}/change/" in notice.body


def test_an_english_enquiry_is_kept_as_english(client, django_capture_on_commit_callbacks):
    response = post(client, django_capture_on_commit_callbacks, enquiry_data(), "/en/contact/")
    assert response["Location"] == "/en/contact/thank-you/"
    assert ContactEnquiry.objects.get().language == "en"


def test_phone_and_message_are_optional(client, django_capture_on_commit_callbacks):
    post(client, django_capture_on_commit_callbacks, enquiry_data(phone="", message=""))
    assert ContactEnquiry.objects.get().phone == ""


@pytest.mark.parametrize(
    ("field", "value", "danish"),
    [
        ("topics", [], "Vælg mindst ét emne."),
        ("topics", ["cv-bank"], "Vælg emner fra listen."),
        ("name", "", "Dette felt er påkrævet."),
        ("name", "x" * 201, "højst have 200 tegn"),
        ("email", "anna", "Indtast en gyldig e-mail-adresse."),
        ("phone", "123", "Indtast et dansk telefonnummer"),
        ("phone", "١٢٣٤٥٦٧٨", "Indtast et dansk telefonnummer"),  # Arabic-Indic digits
        ("message", "x" * 5001, "højst have 5000 tegn"),
        ("message", "a\x00b", "Null-tegn er ikke tilladte."),
    ],
)
def test_a_bad_field_is_refused_in_danish_and_nothing_is_stored_or_sent(
    client, field, value, danish, django_capture_on_commit_callbacks
):
    response = post(client, django_capture_on_commit_callbacks, enquiry_data(**{field: value}))
    assert response.status_code == 400
    assert danish in response.content.decode()
    assert not ContactEnquiry.objects.exists() and not mail.outbox


def test_errors_on_the_english_page_are_english(client):
    response = client.post("/en/contact/", enquiry_data(topics=[], email="anna"))
    page = response.content.decode()
    assert "Choose at least one topic." in page and "Enter a valid email address." in page


def test_the_honeypot_looks_accepted_but_stores_and_sends_nothing(
    client, django_capture_on_commit_callbacks
):
    response = post(
        client, django_capture_on_commit_callbacks, enquiry_data(website="https://spam.example")
    )
    assert response.status_code == 302 and response["Location"] == "/kontakt/tak/"
    assert not ContactEnquiry.objects.exists() and not mail.outbox


def test_too_many_enquiries_from_one_address_get_the_429_page(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SEROP_RATE_LIMITS = {
        **settings.SEROP_RATE_LIMITS,
        "contact": {"ip": "100/h", "email": "2/h"},
    }
    for _ in range(2):
        assert post(client, django_capture_on_commit_callbacks, enquiry_data()).status_code == 302
    refused = post(client, django_capture_on_commit_callbacks, enquiry_data())
    assert refused.status_code == 429 and "For mange forsøg" in refused.content.decode()
    english = client.post("/en/contact/", enquiry_data())
    assert english.status_code == 429 and "Too many attempts" in english.content.decode()
    assert ContactEnquiry.objects.count() == 2


def test_the_form_needs_its_csrf_token():
    response = Client(enforce_csrf_checks=True).post(CONTACT, enquiry_data())
    assert response.status_code == 403
    assert not ContactEnquiry.objects.exists()
