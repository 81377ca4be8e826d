"""Unsubscribing: RFC 8058 one-click POST without a CSRF token, and the page behind the link."""

import pytest
from django.test import Client
from django.utils import timezone

from consents.models import ConsentRecord
from customers.models import NewsletterSubscriber
from customers.newsletter import confirm_token, unsubscribe_token, unsubscribe_url
from privacy.models import AuditEntry
from retention.anonymise import anonymise_subscribers

from .conftest import SubscriberFactory

pytestmark = pytest.mark.django_db
Status = NewsletterSubscriber.Status
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def reader(text):
    subscriber = SubscriberFactory(email="anna@example.dk")
    ConsentRecord.objects.create(
        subscriber=subscriber,
        subject_ref=subscriber.public_id,
        text=text,
        given_at=timezone.now(),
        channel=ConsentRecord.Channel.WEB_FORM,
    )
    return subscriber


def path_of(subscriber) -> str:
    return unsubscribe_url(subscriber).removeprefix("http://testserver")


def test_a_one_click_post_without_a_csrf_token_unsubscribes_at_once(reader):
    client = Client(enforce_csrf_checks=True)  # as a mail provider's server posts
    response = client.post(path_of(reader), ONE_CLICK)  # multipart/form-data, RFC 8058 §3.1
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED and reader.unsubscribed_at is not None
    consent = ConsentRecord.objects.get(subscriber=reader)
    assert consent.withdrawn_at == reader.unsubscribed_at
    assert consent.withdrawal_channel == ConsentRecord.Channel.EMAIL_LINK
    entry = AuditEntry.objects.get(subject_ref=reader.public_id)
    assert entry.action == "change" and "one-click" in entry.detail and entry.count == 1
    assert entry.changes == {"status": ["confirmed", "unsubscribed"]}


def test_a_url_encoded_one_click_post_unsubscribes(reader):
    Client(enforce_csrf_checks=True).post(
        path_of(reader),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED


def test_a_get_of_the_link_shows_a_button_and_changes_nothing(client, reader):
    response = client.get(path_of(reader))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="unsubscribe-form"' in page and 'id="unsubscribe-button"' in page
    assert "Afmeld" in page
    assert response["Referrer-Policy"] == "same-origin"  # the token never leaves the site
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    reader.refresh_from_db()
    assert reader.status == Status.CONFIRMED
    assert ConsentRecord.objects.get(subscriber=reader).withdrawn_at is None


def test_the_pages_button_unsubscribes_in_the_readers_language(reader):
    reader.language = "en"
    reader.save(update_fields=["language"])
    path = path_of(reader)
    assert path.startswith("/en/newsletter/unsubscribe/")
    response = Client(enforce_csrf_checks=True).post(path)
    assert "You are unsubscribed" in response.content.decode()
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED
    assert "unsubscribe page" in AuditEntry.objects.get(subject_ref=reader.public_id).detail


def test_unsubscribing_twice_changes_nothing_more(reader):
    client = Client(enforce_csrf_checks=True)
    client.post(path_of(reader), ONE_CLICK)
    reader.refresh_from_db()
    first = reader.unsubscribed_at
    again = client.post(path_of(reader), ONE_CLICK)
    assert again.status_code == 200
    reader.refresh_from_db()
    assert reader.unsubscribed_at == first
    assert AuditEntry.objects.filter(subject_ref=reader.public_id).count() == 1
    assert "modtager ikke" in client.get(path_of(reader)).content.decode()


def test_a_pending_signup_can_be_called_off_from_its_link(text):
    pending = SubscriberFactory(status=Status.PENDING, confirmed_at=None)
    Client(enforce_csrf_checks=True).post(path_of(pending), ONE_CLICK)
    pending.refresh_from_db()
    assert pending.status == Status.UNSUBSCRIBED


def test_the_link_of_an_anonymised_opt_out_still_answers_and_reveals_nothing(reader):
    Client().post(path_of(reader), ONE_CLICK)
    token = unsubscribe_token(reader)
    anonymise_subscribers(NewsletterSubscriber, [reader.pk], rule="newsletter_unsubscribed")
    page = Client().get(f"/nyhedsbrev/afmeld/{token}/")
    assert page.status_code == 200
    assert "anna" not in page.content.decode()
    assert Client().post(f"/nyhedsbrev/afmeld/{token}/", ONE_CLICK).status_code == 200


def test_the_link_of_a_deleted_signup_says_the_address_gets_nothing(text):
    gone = SubscriberFactory(status=Status.PENDING)
    token = unsubscribe_token(gone)
    gone.delete()
    for response in (
        Client().get(f"/nyhedsbrev/afmeld/{token}/"),
        Client().post(f"/nyhedsbrev/afmeld/{token}/", ONE_CLICK),
    ):
        assert response.status_code == 200
        assert (
            "modtager ikke" in response.content.decode() or "afmeldt" in response.content.decode()
        )


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("xy" if not t.endswith("xy") else "zz"),
        lambda t: "f" + t[1:] if not t.startswith("f") else "e" + t[1:],
        lambda t: t.split(":")[0],
        lambda t: "",
    ],
)
def test_a_tampered_unsubscribe_link_is_refused_and_changes_nothing(reader, mangle):
    token = mangle(unsubscribe_token(reader))
    client = Client(enforce_csrf_checks=True)
    path = f"/nyhedsbrev/afmeld/{token}/" if token else "/nyhedsbrev/afmeld//"
    responses = [client.get(path), client.post(path, ONE_CLICK)]
    expected = 404 if not token else 400  # an empty token matches no URL
    assert [r.status_code for r in responses] == [expected, expected]
    reader.refresh_from_db()
    assert reader.status == Status.CONFIRMED


def test_a_confirmation_token_does_not_unsubscribe(reader):
    response = Client().post(f"/nyhedsbrev/afmeld/{confirm_token(reader)}/", ONE_CLICK)
    assert response.status_code == 400
    assert "Linket virker ikke" in response.content.decode()
    reader.refresh_from_db()
    assert reader.status == Status.CONFIRMED


def test_unsubscribing_is_never_rate_limited(settings, text):
    # Mail providers post one-click unsubscriptions for many readers from a few addresses.
    settings.SEROP_RATE_LIMITS = {
        **settings.SEROP_RATE_LIMITS,
        "newsletter": {"ip": "1/h", "email": "1/h"},
    }
    readers = SubscriberFactory.create_batch(4)
    client = Client(enforce_csrf_checks=True)
    assert {client.post(path_of(r), ONE_CLICK).status_code for r in readers} == {200}
    assert not NewsletterSubscriber.objects.exclude(status=Status.UNSUBSCRIBED).exists()
