"""Newsletter signup with double opt-in (customers/newsletter.py, customers/public/)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from consents.models import ConsentRecord, ConsentText
from consents.purposes import ConsentPurpose
from customers.models import NewsletterSubscriber
from customers.newsletter import confirm_token, unsubscribe_token
from customers.tasks import send_newsletter_confirmation
from privacy.models import AuditEntry
from retention.anonymise import anonymise_subscribers, email_digest
from tests.factories import ConsentTextFactory

from .conftest import SubscriberFactory, link_in, signup_data

pytestmark = pytest.mark.django_db
Status = NewsletterSubscriber.Status
SIGNUP = "/nyhedsbrev/"


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def post_signup(client, capture, data, path=SIGNUP):
    with capture(execute=True):
        return client.post(path, data)


def test_the_paths_are_danish_at_the_root_and_english_under_en():
    with translation.override("da"):
        assert reverse("customers_public:newsletter_signup") == "/nyhedsbrev/"
        assert reverse("customers_public:contact") == "/kontakt/"
    with translation.override("en"):
        assert reverse("customers_public:newsletter_signup") == "/en/newsletter/"
        assert reverse("customers_public:contact") == "/en/contact/"


def test_the_signup_page_shows_the_current_consent_text_in_the_pages_language(client, text):
    danish = client.get("/nyhedsbrev/")
    assert danish.status_code == 200
    page = danish.content.decode()
    assert escape(text.text_da) in page
    assert f'name="text_version" value="{text.pk}"' in page
    assert 'id="id_email"' in page and 'id="newsletter-submit"' in page
    assert '<div class="hp" aria-hidden="true">' in page
    assert "Tilmeld" in page
    english = client.get("/en/newsletter/").content.decode()
    assert escape(text.text_en) in english and "Subscribe" in english


def test_a_signup_is_pending_with_a_consent_of_the_version_shown_until_confirmed(
    client, text, django_capture_on_commit_callbacks
):
    response = post_signup(
        client, django_capture_on_commit_callbacks, signup_data(text, "Anna@Example.DK")
    )
    assert response.status_code == 302
    assert response["Location"] == "/nyhedsbrev/tjek-din-email/"
    subscriber = NewsletterSubscriber.objects.get()
    assert subscriber.email == "Anna@example.dk"  # the domain part is case-insensitive
    assert (subscriber.status, subscriber.language) == (Status.PENDING, "da")
    consent = ConsentRecord.objects.get()
    assert consent.subscriber == subscriber and consent.subject_ref == subscriber.public_id
    assert consent.text == text and consent.channel == ConsentRecord.Channel.WEB_FORM
    assert consent.ip_address == "127.0.0.1" and consent.withdrawn_at is None
    assert AuditEntry.objects.filter(
        action="create",
        object_type="customers.newslettersubscriber",
        subject_ref=subscriber.public_id,
    ).exists()

    [message] = mail.outbox
    assert message.to == ["Anna@example.dk"]
    assert "Bekræft" in message.subject
    path = link_in(message, "confirm")
    assert path.startswith("/nyhedsbrev/bekraeft/")
    assert "anna" not in path.lower()  # no address in the URL

    page = client.get(path)  # a mail scanner fetching the link confirms nothing
    assert page.status_code == 200
    assert 'id="confirm-button"' in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING

    done = client.post(path)
    assert done.status_code == 200
    assert "Du er tilmeldt" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Status.CONFIRMED and subscriber.confirmed_at is not None
    assert AuditEntry.objects.filter(
        subject_ref=subscriber.public_id, action="change", fields=["confirmed_at", "status"]
    ).exists()
    again = client.post(path)  # confirming twice is harmless
    assert again.status_code == 200 and NewsletterSubscriber.objects.count() == 1


def test_the_confirmation_email_is_queued_by_id_only_after_the_commit(
    client, text, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(SIGNUP, signup_data(text))
    assert not mail.outbox
    [callback] = callbacks
    assert callback.func == send_newsletter_confirmation.delay
    assert callback.args == (NewsletterSubscriber.objects.get().pk,)


def test_an_english_page_signs_up_in_english_and_emails_in_english(
    client, text, django_capture_on_commit_callbacks
):
    response = post_signup(
        client, django_capture_on_commit_callbacks, signup_data(text), path="/en/newsletter/"
    )
    assert response["Location"] == "/en/newsletter/check-your-email/"
    assert NewsletterSubscriber.objects.get().language == "en"
    [message] = mail.outbox
    assert message.subject == "Confirm your subscription to SEROP's newsletter"
    assert link_in(message, "confirm").startswith("/en/newsletter/confirm/")


def test_a_pending_address_signing_up_again_gets_the_link_again(
    client, text, django_capture_on_commit_callbacks
):
    post_signup(client, django_capture_on_commit_callbacks, signup_data(text))
    post_signup(client, django_capture_on_commit_callbacks, signup_data(text, "ANNA@example.dk"))
    assert NewsletterSubscriber.objects.count() == 1
    assert ConsentRecord.objects.count() == 1  # the same text version is recorded once
    assert len(mail.outbox) == 2
    assert [m.to for m in mail.outbox] == [["anna@example.dk"]] * 2
    first, second = (link_in(m, "confirm") for m in mail.outbox)
    assert client.get(second).status_code == 200
    assert client.post(first).status_code == 200  # the first link still works
    assert NewsletterSubscriber.objects.get().status == Status.CONFIRMED


def test_a_confirmed_address_signing_up_again_gets_the_same_page_and_nothing_changes(
    client, text, django_capture_on_commit_callbacks
):
    confirmed = SubscriberFactory(email="anna@example.dk", language="en")
    new = post_signup(
        client, django_capture_on_commit_callbacks, signup_data(text, "bo@example.dk")
    )
    old = post_signup(client, django_capture_on_commit_callbacks, signup_data(text))
    assert old.status_code == new.status_code == 302
    assert old["Location"] == new["Location"]
    assert without_csrf(client.get(old["Location"])) == without_csrf(client.get(new["Location"]))
    confirmed.refresh_from_db()
    assert (confirmed.status, confirmed.language) == (Status.CONFIRMED, "en")
    assert not ConsentRecord.objects.filter(subscriber=confirmed).exists()
    # Only the owner of the address learns it is subscribed, in their own language.
    told = [m for m in mail.outbox if m.to == ["anna@example.dk"]]
    assert len(told) == 1
    assert told[0].subject == "You already receive SEROP's newsletter"
    assert link_in(told[0], "unsubscribe")


def test_a_newer_consent_text_published_meanwhile_is_shown_before_anything_is_stored(
    client, text, django_capture_on_commit_callbacks
):
    newer = ConsentTextFactory(
        purpose=ConsentPurpose.NEWSLETTER,
        version=text.version + 1,
        text_da="Ny tekst: send mig nyhedsbrevet.",
        text_en="New text: send me the newsletter.",
        published_at=timezone.now() - timedelta(seconds=1),
    )
    response = post_signup(client, django_capture_on_commit_callbacks, signup_data(text))
    assert response.status_code == 409
    page = response.content.decode()
    assert escape(newer.text_da) in page and f'value="{newer.pk}"' in page
    assert 'value="anna@example.dk"' in page
    assert 'id="text-changed"' in page
    assert "checked" not in page  # the box is ticked again for the new text
    assert not NewsletterSubscriber.objects.exists() and not mail.outbox

    post_signup(client, django_capture_on_commit_callbacks, signup_data(newer))
    assert ConsentRecord.objects.get().text == newer


def test_a_text_published_in_the_future_is_not_yet_in_force(client, text):
    ConsentTextFactory(
        purpose=ConsentPurpose.NEWSLETTER,
        version=text.version + 1,
        published_at=timezone.now() + timedelta(days=3),
    )
    assert f'value="{text.pk}"' in client.get(SIGNUP).content.decode()


def test_without_a_published_consent_text_nobody_can_sign_up(client, db):
    ConsentText.objects.filter(purpose=ConsentPurpose.NEWSLETTER).delete()
    response = client.post(SIGNUP, {"email": "anna@example.dk", "consent": "on"})
    assert response.status_code == 503
    assert "ikke muligt" in response.content.decode()
    assert not NewsletterSubscriber.objects.exists()


def test_the_consent_box_must_be_ticked_and_errors_are_in_the_pages_language(client, text):
    data = signup_data(text, "not an address")
    del data["consent"]
    danish = client.post(SIGNUP, data).content.decode()
    assert "Indtast en gyldig e-mail-adresse." in danish
    assert "Sæt kryds" in danish
    english = client.post("/en/newsletter/", data)
    assert english.status_code == 400
    assert "Enter a valid email address." in english.content.decode()
    assert not NewsletterSubscriber.objects.exists()


def test_an_address_that_unsubscribed_before_signs_up_again_only_through_the_double_opt_in(
    client, text, django_capture_on_commit_callbacks
):
    old = SubscriberFactory(
        email="anna@example.dk", status=Status.UNSUBSCRIBED, unsubscribed_at=timezone.now()
    )
    anonymise_subscribers(NewsletterSubscriber, [old.pk], rule="newsletter_unsubscribed")
    post_signup(client, django_capture_on_commit_callbacks, signup_data(text))
    new = NewsletterSubscriber.objects.get(email="anna@example.dk")
    assert new.pk != old.pk and new.status == Status.PENDING
    old.refresh_from_db()  # the proof of the earlier opt-out stays
    assert old.email_digest == email_digest("anna@example.dk")
    assert AuditEntry.objects.filter(
        subject_ref=new.public_id, detail__contains="unsubscribed before"
    ).exists()
    assert len(mail.outbox) == 1 and "Bekræft" in mail.outbox[0].subject


def test_an_unsubscribed_row_not_yet_anonymised_is_anonymised_when_the_address_returns(
    client, text, django_capture_on_commit_callbacks
):
    old = SubscriberFactory(email="anna@example.dk")
    client.post(f"/nyhedsbrev/afmeld/{unsubscribe_token(old)}/")
    post_signup(client, django_capture_on_commit_callbacks, signup_data(text))
    old.refresh_from_db()
    assert old.status == Status.UNSUBSCRIBED and old.email.endswith("@unsubscribed.invalid")
    assert old.email_digest == email_digest("anna@example.dk")
    assert NewsletterSubscriber.objects.get(email="anna@example.dk").status == Status.PENDING


def test_a_signup_confirmation_link_expires_with_the_unconfirmed_signup(client, text):
    subscriber = SubscriberFactory(status=Status.PENDING, confirmed_at=None)
    token = confirm_token(subscriber)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        expired = client.get(f"/nyhedsbrev/bekraeft/{token}/")
        posted = client.post(f"/nyhedsbrev/bekraeft/{token}/")
    assert expired.status_code == posted.status_code == 400
    assert "Linket virker ikke" in expired.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # altered signature
        lambda t: ("1" if t[0] == "0" else "0") + t[1:],  # altered id
        lambda t: t.split(":")[0],  # no signature
        lambda t: "x",
    ],
)
def test_a_tampered_confirmation_link_is_refused_and_changes_nothing(client, text, mangle):
    subscriber = SubscriberFactory(status=Status.PENDING, confirmed_at=None)
    token = mangle(confirm_token(subscriber))
    assert client.get(f"/en/newsletter/confirm/{token}/").status_code == 400
    response = client.post(f"/en/newsletter/confirm/{token}/")
    assert response.status_code == 400
    assert "The link does not work" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING


def test_an_unsubscribe_token_does_not_confirm(client, text):
    subscriber = SubscriberFactory(status=Status.PENDING, confirmed_at=None)
    response = client.post(f"/nyhedsbrev/bekraeft/{unsubscribe_token(subscriber)}/")
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING


def test_the_honeypot_looks_accepted_but_stores_and_sends_nothing(
    client, text, django_capture_on_commit_callbacks
):
    response = post_signup(
        client,
        django_capture_on_commit_callbacks,
        signup_data(text, website="http://spam.example"),
    )
    assert response.status_code == 302 and response["Location"] == "/nyhedsbrev/tjek-din-email/"
    assert not NewsletterSubscriber.objects.exists() and not ConsentRecord.objects.exists()
    assert not mail.outbox


def test_too_many_signups_get_the_429_page_and_nothing_is_stored(client, text, settings):
    settings.SEROP_RATE_LIMITS = {
        **settings.SEROP_RATE_LIMITS,
        "newsletter": {"ip": "2/h", "email": "10/h"},
    }
    for n in range(2):
        assert client.post(SIGNUP, signup_data(text, f"p{n}@example.dk")).status_code == 302
    refused = client.post(SIGNUP, signup_data(text, "p9@example.dk"))
    assert refused.status_code == 429
    assert "For mange forsøg" in refused.content.decode()
    assert not NewsletterSubscriber.objects.filter(email="p9@example.dk").exists()


def test_the_form_needs_its_csrf_token(text):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(SIGNUP, signup_data(text))
    assert response.status_code == 403
    assert not NewsletterSubscriber.objects.exists()
