"""Publishing the privacy notice in versions, and the DPO's review of the draft."""

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError
from django.urls import reverse

from privacy.models import AuditEntry, PrivacyNoticeVersion, Processor
from privacy.notice import (
    DraftChanged,
    digest,
    draft_contents,
    has_changes,
    notice_lines,
    notice_publish,
)
from privacy.roles import Role

from .conftest import staff

pytestmark = pytest.mark.django_db
DRAFT = reverse("admin:privacy_privacynoticeversion_draft")
CHANGELIST = reverse("admin:privacy_privacynoticeversion_changelist")


def test_publishing_archives_the_version_before_with_its_date(time_machine):
    dpo = User.objects.create_user("dpo-user")
    time_machine.move_to("2026-01-10 09:00:00+01:00")
    first = notice_publish(actor=dpo)
    time_machine.move_to("2026-04-20 15:30:00+02:00")
    second = notice_publish(actor=dpo)
    first.refresh_from_db()
    assert (first.version, second.version) == (1, 2)
    assert not first.is_current and second.is_current
    assert first.archived_at == second.published_at
    assert first.archived_at.isoformat() == "2026-04-20T13:30:00+00:00"
    assert "gældende fra 10. januar 2026" in first.content_da
    assert "in force from April 20, 2026" in second.content_en
    assert second.published_by == dpo
    entries = AuditEntry.objects.filter(object_type="privacy.privacynoticeversion").order_by("at")
    assert [e.detail for e in entries] == [
        "privacy notice version 1 published",
        "privacy notice version 2 published; version 1 archived",
    ]
    assert entries[1].actor_id == dpo.pk


def test_there_is_never_more_than_one_current_version():
    notice_publish(actor=None)
    with pytest.raises(IntegrityError):
        PrivacyNoticeVersion.objects.create(
            version=9, content_da="x", content_en="x", published_at="2026-01-01T00:00:00Z"
        )


def test_publishing_refuses_a_draft_that_changed_after_the_review():
    reviewed = digest(draft_contents())
    Processor.objects.filter(key="quickpay").update(name="Quickpay ApS")
    with pytest.raises(DraftChanged):
        notice_publish(actor=None, expected_digest=reviewed)
    assert not PrivacyNoticeVersion.objects.exists()


def test_only_the_version_line_differs_when_nothing_else_changed():
    notice_publish(actor=None)
    current = PrivacyNoticeVersion.objects.get()
    draft = draft_contents()
    assert not has_changes(current.content_da, draft["da"])
    assert notice_lines(current.content_da) != notice_lines(draft["da"])  # version 1 vs 2


# --- the admin ---------------------------------------------------------------------------------
def test_the_draft_page_diffs_the_published_version_against_the_registry_now(client, dpo):
    notice_publish(actor=dpo)
    Processor.objects.filter(key="quickpay").update(name="Quickpay Nordic")
    response = client.get(DRAFT)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="diff"' in page
    assert "Quickpay Nordic" in page and "diff_sub" in page and "diff_add" in page
    assert "Offentliggør som version 2" in page
    assert "Bortset fra versionsnummer og dato" not in page  # there are real changes


def test_the_draft_page_says_when_only_version_and_date_would_change(client, dpo):
    notice_publish(actor=dpo)
    page = client.get(DRAFT).content.decode()
    assert "Bortset fra versionsnummer og dato er kladden den samme" in page


def test_before_the_first_version_the_draft_page_shows_the_whole_draft(client, dpo):
    page = client.get(DRAFT).content.decode()
    assert "Når du offentliggør, bliver den version 1" in page
    assert 'class="diff"' not in page
    assert "Hvem er ansvarlig for dine personoplysninger" in page


def test_the_dpo_publishes_from_the_draft_page(client, dpo):
    digest_value = client.get(DRAFT).context["digest"]
    response = client.post(DRAFT, {"digest": digest_value})
    assert response.status_code == 302 and response.url == CHANGELIST
    version = PrivacyNoticeVersion.objects.get()
    assert version.version == 1 and version.published_by == dpo
    entry = AuditEntry.objects.get(object_type="privacy.privacynoticeversion")
    assert entry.actor_id == dpo.pk and entry.ip_address == "127.0.0.1"


def test_a_stale_review_is_not_published_and_the_dpo_is_told(client, dpo):
    digest_value = client.get(DRAFT).context["digest"]
    Processor.objects.filter(key="nets").update(name="Nets Denmark")
    response = client.post(DRAFT, {"digest": digest_value})
    assert response.status_code == 200
    assert "Kladden er ændret, mens du gennemså den" in response.content.decode()
    assert not PrivacyNoticeVersion.objects.exists()


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.OPERATIONS, Role.ADMINISTRATOR])
def test_others_can_neither_review_nor_publish(client, role):
    client.force_login(staff(role))
    assert client.get(DRAFT).status_code == 403
    assert client.post(DRAFT, {"digest": "x"}).status_code == 403
    assert not PrivacyNoticeVersion.objects.exists()


def test_the_dpo_reads_an_archived_version(client, dpo):
    first = notice_publish(actor=dpo)
    notice_publish(actor=dpo)
    listing = client.get(CHANGELIST).content.decode()
    assert reverse("admin:privacy_privacynoticeversion_change", args=[first.pk]) in listing
    page = client.get(reverse("admin:privacy_privacynoticeversion_change", args=[first.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Arkiveret" in body
    assert "Dette er version 1 af vores privatlivspolitik" in body
    assert "This is version 1 of our privacy policy" in body


def test_versions_cannot_be_added_changed_or_deleted_through_the_admin(client, dpo):
    version = notice_publish(actor=dpo)
    assert client.get(reverse("admin:privacy_privacynoticeversion_add")).status_code == 403
    delete = reverse("admin:privacy_privacynoticeversion_delete", args=[version.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert PrivacyNoticeVersion.objects.filter(pk=version.pk).exists()
