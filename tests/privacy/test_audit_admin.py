import csv
import io

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from privacy.audit import Action, audit
from privacy.models import AuditEntry
from privacy.roles import Role
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db
URL = reverse("admin:privacy_auditentry_changelist")


def login(client, role):
    user = User.objects.create_user(username=f"u-{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def test_the_dpo_finds_every_entry_about_a_person_by_their_pseudonymous_id(client):
    login(client, Role.DPO)
    mine, other = CandidateFactory(), CandidateFactory()
    audit(Action.VIEW, obj=mine)
    audit(Action.VIEW, obj=other)
    page = client.get(URL, {"q": str(mine.public_id)})
    assert list(page.context["cl"].result_list) == list(
        AuditEntry.objects.filter(subject_ref=mine.public_id)
    )


def test_the_dpo_filters_by_action_and_searches_by_staff_member(client):
    login(client, Role.DPO)
    audit(Action.LOGIN, detail="x")
    page = client.get(URL, {"action__exact": "login"})
    assert {e.action for e in page.context["cl"].result_list} == {"login"}
    page = client.get(URL, {"q": "u-dpo"})
    assert page.status_code == 200
    page = client.get(URL, {"q": "not-a-uuid-or-user"})
    assert page.status_code == 200


def test_the_dpo_exports_the_trail_and_the_export_is_audited(client):
    login(client, Role.DPO)
    audit(Action.LOGIN)
    ids = [str(pk) for pk in AuditEntry.objects.values_list("pk", flat=True)]
    response = client.post(URL, {"action": "export_csv", "_selected_action": ids})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "at", "actor_id"] and len(rows) == 1 + len(ids)
    export = AuditEntry.objects.get(action=Action.EXPORT)
    assert export.count == len(ids) and export.object_type == "privacy.auditentry"


def test_nobody_can_change_or_delete_entries_in_the_admin(client):
    login(client, Role.DPO)
    entry = audit(Action.LOGIN)
    change = reverse("admin:privacy_auditentry_change", args=[entry.pk])
    delete = reverse("admin:privacy_auditentry_delete", args=[entry.pk])
    assert client.post(change, {"detail": "edited"}).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).detail == ""


@pytest.mark.parametrize(
    "role",
    [Role.RECRUITER, Role.PAYROLL, Role.ACCOUNT_MANAGER, Role.OPERATIONS, Role.ADMINISTRATOR],
)
def test_only_the_dpo_reads_the_trail(client, role):
    login(client, role)
    assert client.get(URL).status_code == 403
