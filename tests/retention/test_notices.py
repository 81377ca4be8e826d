import os
import re
import smtplib
import subprocess
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.utils import timezone

from candidates.activity import ActivityKind
from candidates.models import ActivityEvent, Candidate
from candidates.services import candidate_record_activity
from consents.models import ConsentRecord
from consents.purposes import ConsentPurpose
from privacy.models import AuditEntry
from privacy.services import person_restrict
from retention.models import DeletionNotice
from retention.notice_tasks import send_deletion_notice, send_deletion_notices
from retention.notices import cv_bank_expires_on, make_keep_token, notice_send, notices_due
from tests.factories import CandidateFactory, ConsentTextFactory

pytestmark = pytest.mark.django_db

CPH = ZoneInfo("Europe/Copenhagen")
TODAY = date(2026, 3, 1)  # the beat job runs at 07:00 on this day


def at(day, hour=7, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CPH)


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.SEROP_PUBLIC_URL = "https://data.serop.dk/"


@pytest.fixture
def today():
    with time_machine.travel(at(TODAY), tick=False) as traveller:
        yield traveller


def candidate_expiring_on(expires_on, **kwargs):
    """A CV-bank candidate whose 12 months without activity end on ``expires_on``."""
    last = date(expires_on.year - 1, expires_on.month, expires_on.day)
    return CandidateFactory(last_activity_at=at(last, 15), **kwargs)


def run_beat_job(django_capture_on_commit_callbacks):
    """What beat and the worker do: the daily job, then each email task it queued on commit."""
    with django_capture_on_commit_callbacks() as callbacks:
        created = send_deletion_notices()
    for callback in callbacks:
        assert callback.func == send_deletion_notice.delay  # queued by id, after the commit
        send_deletion_notice(*callback.args)
    return created


def keep_path(message):
    url = re.search(r"https://data\.serop\.dk(/cv-bank/keep/\S+?/)(?:\s|$)", message.body)
    assert url is not None, message.body
    return url.group(1)


@pytest.fixture
def cv_text():
    ConsentTextFactory(purpose=ConsentPurpose.CV_BANK, version=1, published_at=at(date(2024, 1, 1)))
    current = ConsentTextFactory(
        purpose=ConsentPurpose.CV_BANK, version=2, published_at=at(date(2025, 6, 1))
    )
    ConsentTextFactory(  # a draft published in the future is not what the person agrees to
        purpose=ConsentPurpose.CV_BANK, version=3, published_at=at(date(2027, 1, 1))
    )
    return current


def test_notices_go_out_30_days_before_expiry_and_not_before(
    today, django_capture_on_commit_callbacks
):
    due = candidate_expiring_on(TODAY + timedelta(days=30))
    later = candidate_expiring_on(TODAY + timedelta(days=31))

    assert run_beat_job(django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [[due.email]]
    notice = DeletionNotice.objects.get()
    assert (notice.candidate, notice.expires_on) == (due, TODAY + timedelta(days=30))
    assert notice.sent_at == timezone.now()

    today.move_to(at(TODAY + timedelta(days=1)))
    assert run_beat_job(django_capture_on_commit_callbacks) == 1
    assert mail.outbox[-1].to == [later.email]


def test_the_notice_period_is_a_setting(today, settings, django_capture_on_commit_callbacks):
    settings.RETENTION_NOTICE_DAYS = 14
    candidate_expiring_on(TODAY + timedelta(days=30))
    soon = candidate_expiring_on(TODAY + timedelta(days=14))
    assert run_beat_job(django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [[soon.email]]


def test_there_is_one_notice_per_expiry_and_rerunning_the_job_sends_nothing_new(
    today, django_capture_on_commit_callbacks
):
    candidate_expiring_on(TODAY + timedelta(days=10))
    assert run_beat_job(django_capture_on_commit_callbacks) == 1
    assert run_beat_job(django_capture_on_commit_callbacks) == 0
    today.move_to(at(TODAY + timedelta(days=1)))
    assert run_beat_job(django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    assert DeletionNotice.objects.count() == 1


def test_a_kept_profile_gets_a_new_notice_before_its_new_expiry(
    today, cv_text, django_capture_on_commit_callbacks
):
    candidate = candidate_expiring_on(TODAY + timedelta(days=30))
    run_beat_job(django_capture_on_commit_callbacks)
    Client().post(keep_path(mail.outbox[0]))
    new_expiry = date(2027, 3, 1)
    assert cv_bank_expires_on(Candidate.objects.get(pk=candidate.pk)) == new_expiry

    today.move_to(at(new_expiry - timedelta(days=30)))
    assert run_beat_job(django_capture_on_commit_callbacks) == 1
    assert set(DeletionNotice.objects.values_list("expires_on", flat=True)) == {
        TODAY + timedelta(days=30),
        new_expiry,
    }


def test_expired_restricted_and_unconfirmed_profiles_get_no_notice(today):
    candidate_expiring_on(TODAY)  # expires today: the retention engine's, not a notice's
    restricted = candidate_expiring_on(TODAY + timedelta(days=5))
    person_restrict(person=restricted, reason="contests accuracy")
    candidate_expiring_on(TODAY + timedelta(days=5), status=Candidate.Status.PENDING)
    assert notices_due(as_of=TODAY) == []


def test_month_ends_are_found_exactly(today):
    # 31 March 2025 + 12 months = 31 March 2026; 29 February 2024 + 12 months = 28 Feb 2025.
    candidate = CandidateFactory(last_activity_at=at(date(2025, 3, 31), 23, 30))
    assert [(d.candidate.pk, d.expires_on) for d in notices_due(as_of=TODAY)] == [
        (candidate.pk, date(2026, 3, 31))
    ]


def test_the_email_is_in_the_candidates_language_and_holds_the_keep_link(
    today, django_capture_on_commit_callbacks
):
    danish = candidate_expiring_on(date(2026, 3, 31), language="da")
    english = candidate_expiring_on(date(2026, 3, 31), language="en")
    run_beat_job(django_capture_on_commit_callbacks)
    by_person = {m.to[0]: m for m in mail.outbox}

    da, en = by_person[danish.email], by_person[english.email]
    assert "31. marts 2026" in da.subject and "31. marts 2026" in da.body
    assert "March 31, 2026" in en.subject and "March 31, 2026" in en.body
    assert da.extra_headers["Auto-Submitted"] == "auto-generated"
    assert '<html lang="da">' in da.alternatives[0][0]
    assert '<html lang="en">' in en.alternatives[0][0]
    for message, person in ((da, danish), (en, english)):
        path = keep_path(message)
        assert path in message.alternatives[0][0]
        # The link names the notice only: nothing about the person.
        for personal in (person.email, person.first_name, person.last_name):
            assert personal not in path
        assert str(person.public_id) not in path
    assert en.body.startswith(f"Dear {english.first_name},")


def test_the_keep_link_works_end_to_end(today, cv_text, django_capture_on_commit_callbacks):
    candidate = candidate_expiring_on(TODAY + timedelta(days=30), language="en")
    run_beat_job(django_capture_on_commit_callbacks)
    path = keep_path(mail.outbox[0])
    browser = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Firefox/140.0")

    page = browser.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Keep my profile for 12 more months?" in html
    assert html.count("<button") == 1 and 'method="post"' in html
    assert ".submit()" in html  # one click: the page submits its own form
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    today.move_to(at(TODAY + timedelta(days=1), 20, 15))
    done = browser.post(path, {"csrfmiddlewaretoken": token}, REMOTE_ADDR="192.0.2.7")
    assert done.status_code == 200
    assert "March 2, 2027" in done.content.decode()  # the new expiry, in their language

    candidate.refresh_from_db()
    assert candidate.last_activity_at == timezone.now()
    assert cv_bank_expires_on(candidate) == date(2027, 3, 2)
    assert ActivityEvent.objects.filter(
        candidate=candidate, kind=ActivityKind.KEPT_PROFILE, occurred_at=timezone.now()
    ).exists()
    consent = ConsentRecord.objects.get(candidate=candidate)
    assert consent.text == cv_text
    assert consent.subject_ref == candidate.public_id
    assert consent.given_at == timezone.now()
    assert consent.channel == ConsentRecord.Channel.EMAIL_LINK
    assert (consent.ip_address, consent.user_agent) == ("192.0.2.7", "Firefox/140.0")
    assert DeletionNotice.objects.get().used_at == timezone.now()
    entry = AuditEntry.objects.get(subject_ref=candidate.public_id)
    assert entry.action == AuditEntry.Action.CHANGE and entry.ip_address == "192.0.2.7"
    assert "kept the CV-bank profile" in entry.detail and "v2" in entry.detail


def test_the_pages_speak_the_candidates_language(
    today, cv_text, django_capture_on_commit_callbacks
):
    candidate_expiring_on(TODAY + timedelta(days=30), language="da")
    run_beat_job(django_capture_on_commit_callbacks)
    path = keep_path(mail.outbox[0])
    page = Client().get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="da">' in page.content.decode()
    assert page["Content-Language"] == "da"
    done = Client().post(path, HTTP_ACCEPT_LANGUAGE="en")
    assert "1. marts 2027" in done.content.decode()


def test_a_get_alone_changes_nothing(today, cv_text, django_capture_on_commit_callbacks):
    candidate = candidate_expiring_on(TODAY + timedelta(days=30))
    before = Candidate.objects.get(pk=candidate.pk).last_activity_at
    run_beat_job(django_capture_on_commit_callbacks)
    path = keep_path(mail.outbox[0])
    audit_before = AuditEntry.objects.count()

    for _ in range(3):  # a mail scanner, then a preview, then the person
        assert Client().get(path).status_code == 200
        assert Client().head(path).status_code == 200

    assert Candidate.objects.get(pk=candidate.pk).last_activity_at == before
    assert not ActivityEvent.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert DeletionNotice.objects.get().used_at is None
    assert AuditEntry.objects.count() == audit_before


def test_an_expired_link_shows_a_400_page_and_changes_nothing(
    today, cv_text, django_capture_on_commit_callbacks
):
    candidate = candidate_expiring_on(TODAY + timedelta(days=30), language="en")
    run_beat_job(django_capture_on_commit_callbacks)
    path = keep_path(mail.outbox[0])
    before = Candidate.objects.get(pk=candidate.pk).last_activity_at

    today.move_to(at(TODAY + timedelta(days=30), 23, 59))  # the expiry day itself: still valid
    assert Client().get(path).status_code == 200

    today.move_to(at(TODAY + timedelta(days=31), 0, 0))
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    for response in (english.get(path), english.post(path)):
        assert response.status_code == 400
        assert "This link cannot be used" in response.content.decode()
    assert Candidate.objects.get(pk=candidate.pk).last_activity_at == before
    assert not ConsentRecord.objects.exists()
    assert DeletionNotice.objects.get().used_at is None


def test_a_tampered_link_shows_a_400_page_and_changes_nothing(
    today, cv_text, django_capture_on_commit_callbacks
):
    candidate_expiring_on(TODAY + timedelta(days=30))
    run_beat_job(django_capture_on_commit_callbacks)
    path = keep_path(mail.outbox[0])
    token = path.split("/")[-2]
    value, stamp, signature = token.split(":")
    other_id = "0" * 32
    tampered = [
        f"{value}:{stamp}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        f"{other_id}:{stamp}:{signature}",
        value,
        "nonsense",
    ]
    for bad in tampered:
        for response in (
            Client().get(f"/cv-bank/keep/{bad}/", HTTP_ACCEPT_LANGUAGE="en"),
            Client().post(f"/cv-bank/keep/{bad}/", HTTP_ACCEPT_LANGUAGE="en"),
        ):
            assert response.status_code == 400, bad
            assert "This link cannot be used" in response.content.decode()
    assert not ConsentRecord.objects.exists()
    assert DeletionNotice.objects.get().used_at is None


def test_a_link_for_a_deleted_profile_shows_the_400_page(today):
    notice = DeletionNotice.objects.create(
        candidate=candidate_expiring_on(TODAY + timedelta(days=30)),
        expires_on=TODAY + timedelta(days=30),
        language="da",
    )
    token = make_keep_token(notice)
    notice.candidate.delete()  # what the retention engine does at expiry
    assert Client().post(f"/cv-bank/keep/{token}/").status_code == 400


def test_a_used_link_again_shows_already_kept_and_keeps_once(
    today, cv_text, django_capture_on_commit_callbacks
):
    candidate_expiring_on(TODAY + timedelta(days=30), language="en")
    run_beat_job(django_capture_on_commit_callbacks)
    path = keep_path(mail.outbox[0])
    assert Client().post(path).status_code == 200

    today.move_to(at(TODAY + timedelta(days=3)))
    for again in (Client().post(path), Client().get(path)):
        assert again.status_code == 200
        page = again.content.decode()
        assert "You have already kept your profile" in page
        assert "March 1, 2027" in page  # the expiry set by the first click
    assert ConsentRecord.objects.count() == 1
    assert ActivityEvent.objects.count() == 1


def test_a_bounced_or_unanswered_notice_does_not_stop_the_deletion(
    today, settings, django_capture_on_commit_callbacks
):
    bounced = candidate_expiring_on(TODAY + timedelta(days=30))
    settings.EMAIL_BACKEND = "tests.retention.test_notices.RefusingBackend"
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        run_beat_job(django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    unanswered = candidate_expiring_on(TODAY + timedelta(days=30))
    run_beat_job(django_capture_on_commit_callbacks)

    notices = {n.candidate_id: n for n in DeletionNotice.objects.all()}
    assert notices[bounced.pk].sent_at is None  # recorded as not sent
    assert notices[unanswered.pk].sent_at is not None
    today.move_to(at(TODAY + timedelta(days=30)))
    for person in (bounced, unanswered):
        person.refresh_from_db()
        assert person.last_activity_at == at(date(2025, 3, 31), 15)  # the clock never moved
        assert cv_bank_expires_on(person) == timezone.localdate()  # due for deletion today
    assert not ActivityEvent.objects.exists()


def test_the_task_retries_a_failing_smtp_server(today, settings):
    candidate = candidate_expiring_on(TODAY + timedelta(days=30))
    notice = DeletionNotice.objects.create(
        candidate=candidate, expires_on=TODAY + timedelta(days=30), language="da"
    )
    settings.EMAIL_BACKEND = "tests.retention.test_notices.FlakyBackend"
    FlakyBackend.failures_left = 2
    send_deletion_notice.apply(args=[notice.pk])  # eager, retries included
    assert FlakyBackend.failures_left == 0
    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert notice.sent_at is not None


def test_a_notice_is_not_sent_when_the_profile_had_activity_since(
    today, django_capture_on_commit_callbacks
):
    candidate = candidate_expiring_on(TODAY + timedelta(days=30))
    with django_capture_on_commit_callbacks() as callbacks:
        send_deletion_notices()
    candidate_record_activity(candidate=candidate, kind=ActivityKind.PROFILE_UPDATED)
    notice = DeletionNotice.objects.get()
    assert notice_send(notice_id=notice.pk) is False
    assert len(callbacks) == 1 and mail.outbox == []
    notice.refresh_from_db()
    assert notice.sent_at is None


def test_without_the_public_address_a_notice_waits_unsent(today, settings):
    settings.SEROP_PUBLIC_URL = ""
    notice = DeletionNotice.objects.create(
        candidate=candidate_expiring_on(TODAY + timedelta(days=30)),
        expires_on=TODAY + timedelta(days=30),
        language="da",
    )
    with pytest.raises(ImproperlyConfigured):
        notice_send(notice_id=notice.pk)
    notice.refresh_from_db()
    assert notice.sent_at is None and mail.outbox == []


def test_a_worker_finds_the_notice_tasks_that_beat_names():
    # In a fresh process, as a worker starts: only what Celery's autodiscovery imports counts
    # (this test module has imported retention.notice_tasks itself).
    script = (
        "import django; django.setup()\n"
        "from serop.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print(sorted(app.tasks))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "serop.settings.test"}
    found = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "retention.notice_tasks.send_deletion_notices" in found
    assert "retention.notice_tasks.send_deletion_notice" in found


class RefusingBackend(EmailBackend):
    """An SMTP server that refuses the recipient (a hard bounce at submission)."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"No such user") for m in messages})


class FlakyBackend(EmailBackend):
    """An SMTP server that drops the connection a few times, then accepts."""

    failures_left = 0

    def send_messages(self, messages):
        if FlakyBackend.failures_left:
            FlakyBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
