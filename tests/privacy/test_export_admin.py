import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from privacy.export_tasks import generate_access_export
from privacy.models import RequestExport
from privacy.roles import Role
from tests.factories import CandidateDocumentFactory, CandidateFactory
from tests.privacy.test_subject_export import access_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo():
    user = User.objects.create_user(username="dpo-export-admin", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.DPO))
    return user


def test_the_dpo_generates_an_export_follows_its_progress_and_sends_the_link(
    client,
    dpo,
    django_capture_on_commit_callbacks,
):
    person = CandidateFactory()
    CandidateDocumentFactory(candidate=person)
    request = access_request(person, actor=dpo)
    client.force_login(dpo)
    url = reverse("admin:privacy_subjectrequest_export_data", args=[request.pk])
    assert (
        url
        in client.get(
            reverse("admin:privacy_subjectrequest_change", args=[request.pk])
        ).content.decode()
    )

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(url, {"generate": "1"})
    assert len(callbacks) == 1
    export = RequestExport.objects.get(request=request)
    page = client.get(url)
    assert page.context["running"] is True  # refreshes itself while the task runs

    generate_access_export.apply(args=[export.pk], throw=True)
    page = client.get(url)
    assert page.context["running"] is False
    assert reverse("privacy:export_download_admin", args=[export.pk]) in page.content.decode()

    client.post(url, {"send": str(export.pk)})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["person@example.dk"]
    assert not mail.outbox[0].attachments

    # Past its expiry (before the daily job deletes it) it is offered no more.
    RequestExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    page = client.get(url)
    assert reverse("privacy:export_download_admin", args=[export.pk]) not in page.content.decode()


def test_an_unverified_request_shows_an_error_instead_of_exporting(client, dpo):
    request = access_request(CandidateFactory(), actor=dpo, verified=False)
    client.force_login(dpo)
    url = reverse("admin:privacy_subjectrequest_export_data", args=[request.pk])
    response = client.post(url, {"generate": "1"}, follow=True)
    assert response.status_code == 200
    assert not RequestExport.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
