from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from candidates.activity import ActivityKind
from candidates.models import ActivityEvent
from candidates.public.session import SESSION_KEY
from candidates.public.tokens import make_login_token
from privacy.models import AuditEntry
from tests.factories import CandidateFactory

from .conftest import LINK_FORM, PERSONAL, link_in, sign_in

pytestmark = pytest.mark.django_db


def ask_for_link(client, capture, email, path=LINK_FORM):
    with capture(execute=True):
        return client.post(path, {"email": email, "website": ""})


def test_the_page_needs_a_sign_in(client):
    response = client.get(PERSONAL)
    assert response.status_code == 302 and response["Location"] == LINK_FORM


def test_a_known_address_gets_a_link_in_its_own_language(
    client, django_capture_on_commit_callbacks
):
    candidate = CandidateFactory(email="Lone@Example.dk", language="en")
    response = ask_for_link(client, django_capture_on_commit_callbacks, "lone@example.DK ")
    assert response.status_code == 302 and response["Location"] == "/cv-bank/mine-data/link/sendt/"
    (message,) = mail.outbox
    assert message.to == [candidate.email]
    assert message.subject == "Your link to your personal data at SEROP"
    assert link_in(message).startswith("/en/cv-bank/my-data/sign-in/")


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    client, django_capture_on_commit_callbacks
):
    CandidateFactory(email="known@example.dk")
    known = ask_for_link(client, django_capture_on_commit_callbacks, "known@example.dk")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        unknown = client.post(LINK_FORM, {"email": "nobody@example.dk", "website": ""})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    # The request queues the same task either way; only the worker looks the address up.
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    sent = client.get(unknown["Location"])
    assert "Hvis adressen hører til en profil" in sent.content.decode()


def test_the_link_signs_in_only_on_post_and_only_once(client, django_capture_on_commit_callbacks):
    candidate = CandidateFactory()
    ask_for_link(client, django_capture_on_commit_callbacks, candidate.email)
    path = link_in(mail.outbox[0])
    page = client.get(path)  # a mail scanner
    assert 'id="login-submit"' in page.content.decode()
    assert SESSION_KEY not in client.session

    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == PERSONAL
    assert client.session[SESSION_KEY] == candidate.pk
    assert client.session.get_expiry_age() == 30 * 60
    candidate.refresh_from_db()
    assert candidate.self_service_login_at is not None
    assert ActivityEvent.objects.filter(kind=ActivityKind.SELF_SERVICE_LOGIN).count() == 1
    assert AuditEntry.objects.filter(action="login", subject_ref=candidate.public_id).exists()

    other = type(client)()
    reused = other.post(path)
    assert reused.status_code == 400
    assert "Linket virker ikke" in reused.content.decode()


def test_a_new_sign_in_voids_older_links(client, django_capture_on_commit_callbacks):
    candidate = CandidateFactory()
    old = make_login_token(candidate)
    sign_in(client, candidate, django_capture_on_commit_callbacks)
    assert type(client)().post(f"/cv-bank/mine-data/log-ind/{old}/").status_code == 400


def test_an_expired_link_is_refused(client, settings):
    settings.SELF_SERVICE_LINK_MINUTES = 30
    candidate = CandidateFactory()
    token = make_login_token(candidate)
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.post(f"/cv-bank/mine-data/log-ind/{token}/")
    assert response.status_code == 400
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-3] + ("abc" if not t.endswith("abc") else "xyz"),
        lambda t: "x" + t,
        lambda t: t.replace(":", "", 1),
    ],
)
def test_a_tampered_link_is_refused(client, mangle):
    token = make_login_token(CandidateFactory())
    response = client.post(f"/cv-bank/mine-data/log-ind/{mangle(token)}/")
    assert response.status_code == 400
    assert SESSION_KEY not in client.session


def test_a_pending_signup_gets_its_confirmation_again(client, django_capture_on_commit_callbacks):
    CandidateFactory(email="new@example.dk", status="pending", email_confirmed_at=None)
    ask_for_link(client, django_capture_on_commit_callbacks, "new@example.dk")
    assert link_in(mail.outbox[0]).startswith("/cv-bank/bekraeft/")


def test_signing_out_ends_the_session(client, django_capture_on_commit_callbacks):
    candidate = CandidateFactory()
    sign_in(client, candidate, django_capture_on_commit_callbacks)
    assert client.get(PERSONAL).status_code == 200
    response = client.post("/cv-bank/mine-data/log-ud/")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert client.get(PERSONAL).status_code == 302


def test_the_magic_link_form_is_rate_limited_per_address(
    client, settings, django_capture_on_commit_callbacks
):
    settings.SEROP_RATE_LIMITS = {
        **settings.SEROP_RATE_LIMITS,
        "magic_link": {"ip": "100/h", "email": "2/h"},
    }
    CandidateFactory(email="many@example.dk")
    for _n in range(2):
        ask_for_link(client, django_capture_on_commit_callbacks, "many@example.dk")
    response = client.post(LINK_FORM, {"email": "many@example.dk"})
    assert response.status_code == 429
    assert len(mail.outbox) == 2


def test_a_bad_address_is_an_error_in_the_page_language(client):
    danish = client.post(LINK_FORM, {"email": "x@" + "y" * 300})
    english = client.post("/en/cv-bank/my-data/link/", {"email": "nope"})
    assert danish.status_code == english.status_code == 200
    assert "Indtast en gyldig e-mail-adresse." in danish.content.decode()
    assert "Enter a valid email address" in english.content.decode()
