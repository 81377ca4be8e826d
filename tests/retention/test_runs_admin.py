from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from privacy.roles import Role
from retention.models import RetentionRun
from retention.tasks import run_retention_rule
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db
PREVIEW = reverse("admin:retention_retentionrun_preview")
RUN_NOW = reverse("admin:retention_retentionrun_run_now")


def login(client, role):
    user = User.objects.create_user(username=f"u-{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)


def expired_and_kept():
    old = timezone.now() - timedelta(days=400)
    return CandidateFactory(last_activity_at=old), CandidateFactory()


def test_operations_preview_what_the_next_run_would_delete_and_nothing_changes(client):
    expired, _kept = expired_and_kept()
    login(client, Role.OPERATIONS)
    page = client.get(
        PREVIEW, {"rule": "cv_bank_inactivity", "as_of": timezone.localdate().isoformat()}
    )
    assert page.status_code == 200
    [result] = page.context["results"]
    assert result["run"].expected == 1 and result["run"].dry_run
    assert str(expired.public_id) in page.content.decode()
    assert Candidate.objects.count() == 2


def test_run_now_queues_the_rule_after_commit_and_the_list_shows_its_progress(
    client, django_capture_on_commit_callbacks
):
    _expired, kept = expired_and_kept()
    login(client, Role.DPO)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            RUN_NOW, {"rule": "cv_bank_inactivity", "as_of": timezone.localdate().isoformat()}
        )
    assert response.status_code == 302 and len(callbacks) == 1
    run_retention_rule.apply(args=["cv_bank_inactivity", timezone.localdate().isoformat()])
    assert list(Candidate.objects.all()) == [kept]
    run = RetentionRun.objects.get(dry_run=False)
    assert (run.status, run.processed) == ("done", 1)
    page = client.get(reverse("admin:retention_retentionrun_changelist"))
    assert page.status_code == 200 and page.context["retention_running"] is False


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.PAYROLL, Role.ACCOUNT_MANAGER])
def test_other_roles_cannot_preview_or_run(client, role):
    login(client, role)
    assert client.get(PREVIEW).status_code == 403
    assert client.post(RUN_NOW, {"rule": "cv_bank_inactivity"}).status_code == 403
