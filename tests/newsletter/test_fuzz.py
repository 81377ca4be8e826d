"""Hypothesis drives the newsletter form, the contact form and the confirm/unsubscribe links
with arbitrary text, unicode and lengths: never a 500, and nothing stored from a rejected
submission. Rate limits are off here (they have tests of their own); emails are built and
"sent" by the eager tasks, so an address that passes the form must also survive the mail code."""

from urllib.parse import quote

import pytest
from django.core import mail
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consents.models import ConsentRecord
from customers.models import ContactEnquiry, NewsletterSubscriber
from customers.newsletter import unsubscribe_token

from .conftest import SubscriberFactory

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,  # no example database written into the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Anything a browser or a bot may send: every printable and unprintable code point except lone
# surrogates (which cannot be encoded into a request at all).
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=400)
long_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=6000)
emails = st.one_of(
    st.emails(),
    any_text,
    st.just("anna@example.dk"),
    st.builds(lambda s: s + "@example.dk", any_text),
)


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.RATELIMIT_ENABLE = False


@FUZZ
@given(
    email=emails,
    consent=st.one_of(st.none(), st.just("on"), any_text),
    version=st.one_of(st.none(), any_text),
    english=st.booleans(),
)
def test_the_newsletter_form_never_fails_and_keeps_nothing_it_refuses(
    client, text, django_capture_on_commit_callbacks, email, consent, version, english
):
    data = {"email": email, "text_version": str(text.pk) if version is None else version}
    if consent is not None:
        data["consent"] = consent
    before = NewsletterSubscriber.objects.count(), ConsentRecord.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/newsletter/" if english else "/nyhedsbrev/", data)
    assert response.status_code in {302, 400, 409}
    after = NewsletterSubscriber.objects.count(), ConsentRecord.objects.count()
    if response.status_code != 302:
        assert after == before
    else:
        assert after[0] - before[0] in {0, 1} and after[1] - before[1] in {0, 1}


@FUZZ
@given(
    topics=st.lists(
        st.one_of(st.sampled_from([c for c, _ in ContactEnquiry.Topic.choices]), any_text),
        max_size=8,
    ),
    name=any_text,
    email=emails,
    phone=st.one_of(st.just(""), st.from_regex(r"\+?[0-9 ]{6,16}", fullmatch=True), any_text),
    message=long_text,
    english=st.booleans(),
)
def test_the_contact_form_never_fails_and_keeps_nothing_it_refuses(
    client, django_capture_on_commit_callbacks, topics, name, email, phone, message, english
):
    data = {"topics": topics, "name": name, "email": email, "phone": phone, "message": message}
    before, sent = ContactEnquiry.objects.count(), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/contact/" if english else "/kontakt/", data)
    assert response.status_code in {302, 400}
    if response.status_code == 302:
        assert ContactEnquiry.objects.count() == before + 1
        assert len(mail.outbox) == sent + 1
    else:
        assert ContactEnquiry.objects.count() == before and len(mail.outbox) == sent


@FUZZ
@given(
    token=st.one_of(any_text.filter(bool), st.builds(lambda s: "x:" + s, any_text)),
    kind=st.sampled_from(
        ["/nyhedsbrev/afmeld/", "/en/newsletter/unsubscribe/", "/nyhedsbrev/bekraeft/"]
    ),
    body=st.one_of(
        st.just({"List-Unsubscribe": "One-Click"}), st.dictionaries(any_text, any_text, max_size=3)
    ),
)
def test_the_links_refuse_any_forged_token_without_failing(text, token, kind, body):
    reader = SubscriberFactory.build()
    reader.save()
    path = kind + quote(token, safe="") + "/"
    client = Client(enforce_csrf_checks=True)
    for response in (client.get(path), client.post(path, body)):
        assert response.status_code in {400, 403, 404}
    reader.refresh_from_db()
    assert reader.status == NewsletterSubscriber.Status.CONFIRMED


@FUZZ
@given(body=st.dictionaries(any_text, any_text, max_size=5), raw=st.binary(max_size=300))
def test_the_one_click_endpoint_takes_any_body_without_failing(text, body, raw):
    reader = SubscriberFactory()
    path = f"/nyhedsbrev/afmeld/{unsubscribe_token(reader)}/"
    client = Client(enforce_csrf_checks=True)
    assert client.post(path, body).status_code == 200
    assert (
        client.post(path, raw, content_type="application/x-www-form-urlencoded").status_code == 200
    )
    assert client.post(path, raw, content_type="multipart/form-data; boundary=xyz").status_code in {
        200,
        400,
    }
    reader.refresh_from_db()
    assert reader.status == NewsletterSubscriber.Status.UNSUBSCRIBED
