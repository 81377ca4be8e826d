from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django.utils.html import escape

from candidates.activity import ActivityKind
from candidates.models import ActivityEvent, Candidate, CandidateDocument, Education, LanguageSkill
from consents.models import ConsentRecord, ConsentText
from consents.purposes import ConsentPurpose as P
from privacy.models import AuditEntry
from retention import engine
from tests.factories import CandidateFactory

from .conftest import SIGNUP, SIGNUP_EN, link_in, pdf, png, signup_data, texts

pytestmark = pytest.mark.django_db


def post_signup(client, capture, path=SIGNUP, **overrides):
    with capture(execute=True):
        return client.post(path, signup_data(**overrides))


def test_the_signup_page_is_danish_at_the_root_and_english_under_en(client):
    danish = client.get(SIGNUP)
    english = client.get(SIGNUP_EN)
    assert danish.status_code == english.status_code == 200
    assert "Tilmeld dig CV-banken" in danish.content.decode()
    assert "Sign up to the CV bank" in english.content.decode()
    # The current consent text is shown in the page's language, with its version id.
    cv_text = texts()[P.CV_BANK]
    assert escape(cv_text.text_da) in danish.content.decode()
    assert escape(cv_text.text_en) in english.content.decode()
    assert f'name="text_cv_bank" value="{cv_text.pk}"' in danish.content.decode()
    assert 'class="hp" aria-hidden="true"' in danish.content.decode()


def test_signup_stores_the_candidate_preferences_and_consent_and_mails_after_commit(
    client, job_types, areas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(SIGNUP, signup_data(job_types[:1], areas))
    assert response.status_code == 302
    assert response["Location"] == "/cv-bank/tilmeld/tak/"
    assert mail.outbox == []  # nothing is sent before the transaction commits
    candidate = Candidate.objects.get()
    assert candidate.status == Candidate.Status.PENDING
    assert candidate.email_confirmed_at is None
    assert (candidate.first_name, candidate.phone, candidate.language) == (
        "Mette",
        "20304050",
        "da",
    )
    assert candidate.street == "" and candidate.birth_date is None
    preferences = candidate.preferences
    assert list(preferences.job_types.all()) == job_types[:1]
    assert set(preferences.areas.all()) == set(areas)
    assert (preferences.wants_temp, preferences.wants_permanent) == (True, True)
    assert preferences.wants_consultant is False and preferences.hours == "full_time"
    cv = CandidateDocument.objects.get(candidate=candidate)
    assert cv.kind == "cv" and cv.original_name == "cv.pdf" and cv.content_type == "application/pdf"
    assert "cv.pdf" not in cv.file.name  # a server-generated name
    record = ConsentRecord.objects.get()
    assert record.text == texts()[P.CV_BANK]
    assert (record.candidate, record.subject_ref) == (candidate, candidate.public_id)
    assert record.channel == ConsentRecord.Channel.WEB_FORM
    assert record.user_agent == "pytest-browser/1.0" and record.ip_address == "127.0.0.1"
    assert ActivityEvent.objects.filter(candidate=candidate, kind=ActivityKind.SIGNUP).exists()
    assert AuditEntry.objects.filter(action="create", subject_ref=candidate.public_id).exists()

    assert len(callbacks) == 1
    callbacks[0]()
    (message,) = mail.outbox
    assert message.to == ["mette@example.dk"]
    assert message.subject == "Bekræft din profil i SEROPs CV-bank"
    assert link_in(message).startswith("/cv-bank/bekraeft/")
    assert message.alternatives[0][1] == "text/html"


def test_an_english_signup_gets_english_email_with_an_english_link(
    client, django_capture_on_commit_callbacks
):
    response = post_signup(client, django_capture_on_commit_callbacks, path=SIGNUP_EN)
    assert response["Location"] == "/en/cv-bank/signup/thanks/"
    assert Candidate.objects.get().language == "en"
    message = mail.outbox[0]
    assert message.subject == "Confirm your profile in SEROP's CV bank"
    assert link_in(message).startswith("/en/cv-bank/confirm/")


def test_extras_are_stored_with_their_own_consent_and_text_version(
    client, django_capture_on_commit_callbacks
):
    current = texts()
    post_signup(
        client,
        django_capture_on_commit_callbacks,
        consent_candidate_address="on",
        street="Bredgade 1",
        postcode="4200",
        city="Slagelse",
        consent_candidate_languages="on",
        language_1="Engelsk",
        level_1="fluent",
        consent_candidate_education="on",
        education_institution="Roskilde Universitet",
        education_title="Cand.merc.",
        consent_candidate_photo="on",
        photo=png(),
        application_text="Jeg vil gerne arbejde hos jer.",
    )
    candidate = Candidate.objects.get()
    assert (candidate.street, candidate.postcode, candidate.city) == (
        "Bredgade 1",
        "4200",
        "Slagelse",
    )
    assert LanguageSkill.objects.get(candidate=candidate).language == "Engelsk"
    assert Education.objects.get(candidate=candidate).title == "Cand.merc."
    kinds = sorted(CandidateDocument.objects.values_list("kind", flat=True))
    assert kinds == ["application", "cv", "photo"]
    given = {r.text.purpose: r.text for r in ConsentRecord.objects.select_related("text")}
    assert given == {
        p: current[p]
        for p in (
            P.CV_BANK,
            P.CANDIDATE_ADDRESS,
            P.CANDIDATE_LANGUAGES,
            P.CANDIDATE_EDUCATION,
            P.CANDIDATE_PHOTO,
        )
    }


def test_an_extra_without_its_consent_is_refused_and_nothing_is_stored(client):
    response = client.post(
        SIGNUP, signup_data(street="Bredgade 1", birth_date="1990-01-01", photo=png())
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("Sæt flueben, hvis vi må gemme dette") == 3
    assert not Candidate.objects.exists() and not ConsentRecord.objects.exists()
    assert not CandidateDocument.objects.exists()


def test_the_cv_bank_consent_is_required(client):
    response = client.post(SIGNUP, signup_data(consent_cv_bank=None))
    assert "Du skal give dette samtykke for at tilmelde dig." in response.content.decode()
    assert not Candidate.objects.exists()


def test_a_text_published_while_the_form_was_open_shows_the_form_again(client):
    data = signup_data()
    shown = texts()[P.CV_BANK]
    newer = ConsentText.objects.create(
        purpose=P.CV_BANK,
        version=shown.version + 1,
        text_da="Ny tekst om CV-banken.",
        text_en="New text about the CV bank.",
        published_at=timezone.now(),
    )
    response = client.post(SIGNUP, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Samtykketeksten er ændret" in page
    assert "Ny tekst om CV-banken." in page
    assert f'name="text_cv_bank" value="{newer.pk}"' in page
    assert 'name="consent_cv_bank" required id="id_consent_cv_bank" checked' not in page
    assert not Candidate.objects.exists() and not ConsentRecord.objects.exists()


def test_confirming_needs_a_post_and_activates_the_profile(
    client, django_capture_on_commit_callbacks
):
    post_signup(client, django_capture_on_commit_callbacks)
    path = link_in(mail.outbox[0])
    page = client.get(path)  # what a mail scanner does
    assert page.status_code == 200 and 'id="confirm-submit"' in page.content.decode()
    candidate = Candidate.objects.get()
    assert candidate.status == Candidate.Status.PENDING
    assert page["Cache-Control"] == "no-store" or "no-store" in page["Cache-Control"]

    done = client.post(path)
    assert "Din e-mailadresse er bekræftet" in done.content.decode()
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.ACTIVE and candidate.email_confirmed_at
    assert ActivityEvent.objects.filter(kind=ActivityKind.EMAIL_CONFIRMED).count() == 1

    again = client.post(path)  # used: says so, changes nothing
    assert "allerede bekræftet" in again.content.decode()
    assert ActivityEvent.objects.filter(kind=ActivityKind.EMAIL_CONFIRMED).count() == 1


@pytest.mark.parametrize("token", ["x", "eyJjIjoxfQ:abc:def", "a" * 5000, "%00"])
def test_a_bad_confirmation_link_is_a_plain_400(client, token):
    response = client.get(f"/cv-bank/bekraeft/{token}/")
    assert response.status_code == 400
    assert "Linket virker ikke" in response.content.decode()
    assert client.post(f"/cv-bank/bekraeft/{token}/").status_code == 400


def test_a_confirmation_link_of_another_signup_is_refused(
    client, django_capture_on_commit_callbacks
):
    post_signup(client, django_capture_on_commit_callbacks)
    path = link_in(mail.outbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    value, timestamp, signature = token.rsplit(":", 2)
    tampered = f"{value[:-2]}xx:{timestamp}:{signature}"
    assert client.post(f"/cv-bank/bekraeft/{tampered}/").status_code == 400
    assert Candidate.objects.get().status == Candidate.Status.PENDING


def test_signing_up_again_while_pending_resends_and_stores_nothing_new(
    client, django_capture_on_commit_callbacks
):
    first = post_signup(client, django_capture_on_commit_callbacks)
    second = post_signup(
        client, django_capture_on_commit_callbacks, first_name="Anden", email="METTE@example.dk"
    )
    assert first["Location"] == second["Location"]
    assert Candidate.objects.get().first_name == "Mette"
    assert ConsentRecord.objects.count() == 1 and CandidateDocument.objects.count() == 1
    assert [m.subject for m in mail.outbox] == ["Bekræft din profil i SEROPs CV-bank"] * 2


def test_signing_up_with_an_active_address_sends_a_sign_in_link_and_says_the_same(
    client, django_capture_on_commit_callbacks
):
    CandidateFactory(email="mette@example.dk", language="da")
    response = post_signup(client, django_capture_on_commit_callbacks)
    assert response["Location"] == "/cv-bank/tilmeld/tak/"
    assert Candidate.objects.count() == 1 and not ConsentRecord.objects.exists()
    (message,) = mail.outbox
    assert link_in(message).startswith("/cv-bank/mine-data/log-ind/")


def test_an_unconfirmed_signup_still_expires_after_30_days(
    client, django_capture_on_commit_callbacks
):
    post_signup(client, django_capture_on_commit_callbacks)
    candidate = Candidate.objects.get()
    with time_machine.travel(candidate.created_at + timedelta(days=29)):
        assert engine.run_rule("cv_bank_unconfirmed").run.processed == 0
    with time_machine.travel(candidate.created_at + timedelta(days=31)):
        assert engine.run_rule("cv_bank_unconfirmed").run.processed == 1
    assert not Candidate.objects.exists()


def test_a_filled_honeypot_looks_accepted_but_stores_and_sends_nothing(
    client, django_capture_on_commit_callbacks
):
    response = post_signup(client, django_capture_on_commit_callbacks, website="http://spam")
    assert response.status_code == 302
    assert not Candidate.objects.exists() and mail.outbox == []


def test_too_many_signups_get_a_danish_429_page(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SEROP_RATE_LIMITS = {
        **settings.SEROP_RATE_LIMITS,
        "signup": {"ip": "2/h", "email": "5/h"},
    }
    for n in range(2):
        post_signup(client, django_capture_on_commit_callbacks, email=f"p{n}@example.dk")
    response = client.post(SIGNUP, signup_data(email="p3@example.dk"))
    assert response.status_code == 429
    assert "For mange forsøg" in response.content.decode()
    assert Candidate.objects.count() == 2


def test_a_signup_without_a_cv_is_taken_and_the_cv_can_come_later(client):
    response = client.post(SIGNUP, signup_data(cv=None))
    assert response.status_code == 302
    candidate = Candidate.objects.get()
    assert candidate.status == Candidate.Status.PENDING
    assert not CandidateDocument.objects.exists()
    assert ConsentRecord.objects.filter(candidate=candidate).exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"job_types": ["999999"]},
        {"areas": ["x"]},
        {"employment_forms": ["boss"]},
        {"text_cv_bank": "'; drop table"},
        {"duration": "forever"},
        {"phone": "123"},
        {"email": "not-an-email"},
        {"first_name": "x" * 10_000},
        {"cv": pdf("cv.exe").__class__("cv.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
        {"postcode": "12a4", "consent_candidate_address": "on"},
        {"language_1": "Tysk", "consent_candidate_languages": "on"},
    ],
)
def test_bad_input_gets_a_danish_error_and_stores_nothing(client, overrides):
    response = client.post(SIGNUP, signup_data(**overrides))
    assert response.status_code == 200
    assert "Formularen har fejl" in response.content.decode()
    assert not Candidate.objects.exists() and not ConsentRecord.objects.exists()
    assert not CandidateDocument.objects.exists()


def test_errors_are_in_english_on_the_english_page(client):
    response = client.post(SIGNUP_EN, signup_data(phone="123"))
    assert "Enter a Danish phone number" in response.content.decode()
    assert "The form has errors" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_signups_of_one_address_at_the_same_moment_store_one_profile():
    """The signup inserts first and lets the unique index find a known address: the second
    request waits on the index while the first is uncommitted, then resends the confirmation
    instead of failing or storing a second profile."""
    from django.test import Client

    from tests.concurrency import race
    from tests.factories import ConsentTextFactory

    # An earlier transactional test may have flushed the texts the migrations published.
    ConsentTextFactory(purpose=P.CV_BANK, version=1)
    outcome = race(
        lambda: Client().post(SIGNUP, signup_data()),
        # The same address: the second waits on the unique index until the first commits.
        lambda: Client().post(SIGNUP, signup_data(email="Mette@Example.dk")),
    )
    assert outcome.second_waited
    responses = [outcome.first, outcome.second]
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {"/cv-bank/tilmeld/tak/"}
    candidate = Candidate.objects.get()
    assert candidate.email == "mette@example.dk" and candidate.status == Candidate.Status.PENDING
    assert ConsentRecord.objects.count() == 1 and CandidateDocument.objects.count() == 1
    assert [m.subject for m in mail.outbox] == ["Bekræft din profil i SEROPs CV-bank"] * 2
