"""Sending a newsletter issue: only to confirmed subscribers, in their language, each email with
a visible unsubscribe link and the List-Unsubscribe headers (RFC 2369, RFC 8058)."""

import re
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import timezone

from customers.emails import newsletter_message
from customers.models import NewsletterIssue, NewsletterSubscriber
from customers.newsletter import issue_queue, unsubscribe_url
from customers.tasks import send_newsletter_batch
from privacy.models import AuditEntry
from privacy.roles import Role
from serop.celery import app

from .backends import FailOnceBackend
from .conftest import SubscriberFactory, link_in

pytestmark = pytest.mark.django_db
Status = NewsletterSubscriber.Status
CHANGELIST = "/admin/customers/newsletterissue/"


@pytest.fixture
def issue():
    return NewsletterIssue.objects.create(
        subject_da="Nyt om ferieloven",
        body_da="Kære læser,\n\nferieloven er ændret.",
        subject_en="News on the Holiday Act",
        body_en="Dear reader,\n\nthe Holiday Act has changed.",
    )


def unsubscribe_path(subscriber) -> str:
    return unsubscribe_url(subscriber).removeprefix("http://testserver")


def unsubscribe_header(message) -> str:
    return message.message()["List-Unsubscribe"]


def assert_unsubscribable(message, subscriber) -> None:
    headers = message.extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    rendered = message.message()  # the headers as they go on the wire
    assert rendered["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    both = re.fullmatch(r"<([^>]+)>, <([^>]+)>", unsubscribe_header(message))
    assert both is not None, unsubscribe_header(message)
    https, mailto = both.groups()
    assert https.startswith("http://testserver/")
    assert mailto == "mailto:kontakt@serop.dk?subject=unsubscribe"
    path = link_in(message, "unsubscribe")  # the visible link is the header's link
    assert https == "http://testserver" + path
    html = message.alternatives[0][0]
    assert f'href="{https}"' in html


def test_a_newsletter_email_carries_the_visible_link_and_the_one_click_headers(issue, text):
    reader = SubscriberFactory(email="anna@example.dk")
    message = newsletter_message(issue, reader)
    assert message.to == ["anna@example.dk"]
    assert message.subject == "Nyt om ferieloven"
    assert "ferieloven er ændret" in message.body
    assert "Afmeld med ét klik" in message.body
    assert_unsubscribable(message, reader)
    # The header's URL is the one-click endpoint: a mail provider's POST unsubscribes.
    url = re.search(r"<(http[^>]+)>", unsubscribe_header(message)).group(1)
    Client(enforce_csrf_checks=True).post(
        url.removeprefix("http://testserver"), {"List-Unsubscribe": "One-Click"}
    )
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED


def test_the_newsletter_text_is_escaped_in_the_html_part(issue, text):
    issue.body_da = '<script>alert("x")</script> & mere'
    message = newsletter_message(issue, SubscriberFactory())
    html = message.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html


def send_from_admin(client, issue, capture):
    with capture(execute=True):
        return client.post(
            CHANGELIST, {"action": "send", "_selected_action": [issue.pk]}, follow=True
        )


def test_the_admin_action_sends_only_to_confirmed_subscribers_in_their_language(
    admin_client, issue, text, settings, django_capture_on_commit_callbacks
):
    settings.SEROP_NEWSLETTER_BATCH_SIZE = 2
    danish = SubscriberFactory.create_batch(3, language="da")
    english = SubscriberFactory.create_batch(2, language="en")
    SubscriberFactory(status=Status.PENDING, confirmed_at=None, email="pending@example.dk")
    SubscriberFactory(status=Status.UNSUBSCRIBED, email="left@example.dk")
    SubscriberFactory(is_restricted=True, email="restricted@example.dk")

    response = send_from_admin(admin_client, issue, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "5 bekræftede abonnenter" in response.content.decode()

    by_address = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 5  # each reader once
    assert set(by_address) == {s.email for s in danish + english}
    for subscriber in danish + english:
        message = by_address[subscriber.email]
        expected = "Nyt om ferieloven" if subscriber.language == "da" else "News on the Holiday Act"
        assert message.subject == expected
        assert_unsubscribable(message, subscriber)
        prefix = "/nyhedsbrev/afmeld/" if subscriber.language == "da" else "/en/newsletter/"
        assert link_in(message, "unsubscribe").startswith(prefix)
    issue.refresh_from_db()
    assert issue.sent_at is not None and issue.recipient_count == 5
    assert AuditEntry.objects.filter(
        object_type="customers.newsletterissue", object_id=str(issue.pk), action="change"
    ).exists()


def test_an_issue_is_sent_once(admin_client, issue, text, django_capture_on_commit_callbacks):
    SubscriberFactory()
    send_from_admin(admin_client, issue, django_capture_on_commit_callbacks)
    response = send_from_admin(admin_client, issue, django_capture_on_commit_callbacks)
    assert "sendes ikke igen" in response.content.decode()
    assert len(mail.outbox) == 1


def test_an_account_manager_may_send_and_a_recruiter_may_not(
    client, django_user_model, issue, text, django_capture_on_commit_callbacks
):
    SubscriberFactory()
    recruiter = django_user_model.objects.create_user("recruiter", is_staff=True)
    recruiter.groups.add(Group.objects.get(name=Role.RECRUITER))
    client.force_login(recruiter)
    assert client.get(CHANGELIST).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        client.post(CHANGELIST, {"action": "send", "_selected_action": [issue.pk]})
    assert not mail.outbox

    manager = django_user_model.objects.create_user("manager", is_staff=True)
    manager.groups.add(Group.objects.get(name=Role.ACCOUNT_MANAGER))
    client.force_login(manager)
    send_from_admin(client, issue, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_a_sent_issue_can_no_longer_be_edited(admin_client, issue, text):
    issue.sent_at = timezone.now()
    issue.save(update_fields=["sent_at"])
    page = admin_client.get(f"{CHANGELIST}{issue.pk}/change/").content.decode()
    assert 'name="subject_da"' not in page


def test_who_unsubscribed_after_the_issue_was_queued_gets_nothing(issue, text):
    staying, leaving = SubscriberFactory.create_batch(2)
    Client().post(unsubscribe_path(leaving), {"List-Unsubscribe": "One-Click"})
    assert send_newsletter_batch(issue.pk, [staying.pk, leaving.pk]) == 1
    assert [m.to for m in mail.outbox] == [[staying.email]]


def test_an_smtp_failure_retries_only_the_readers_not_yet_sent_to(issue, text, settings):
    settings.EMAIL_BACKEND = "tests.newsletter.backends.FailOnceBackend"
    readers = SubscriberFactory.create_batch(4)
    FailOnceBackend.fail_for = {readers[2].email}
    result = send_newsletter_batch.apply(args=(issue.pk, [r.pk for r in readers]), throw=False)
    assert not FailOnceBackend.fail_for  # the SMTP failure happened
    # The retry (run in-process here) sent to the failed reader and the one after it only.
    assert result.state == "SUCCESS" and result.result == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in readers)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_an_issue_fanned_out_in_batches(settings, issue, text):
    """The whole path through Redis: the admin's service commits, the issue task fans out one
    task per batch, and a worker sends each batch."""
    settings.SEROP_NEWSLETTER_BATCH_SIZE = 2
    readers = SubscriberFactory.create_batch(5)
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        issue_queue(issue_id=issue.pk)  # autocommit: the on-commit hook queues at once
        deadline = time.monotonic() + 30
        while len(mail.outbox) < len(readers) and time.monotonic() < deadline:
            time.sleep(0.1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in readers)
    assert all(m.extra_headers["List-Unsubscribe-Post"] for m in mail.outbox)
    issue.refresh_from_db()
    assert issue.recipient_count == 5
