import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from candidates.models import Candidate
from privacy.models import AuditEntry
from privacy.roles import Role
from privacy.services import person_lift_restriction, person_restrict
from tests.factories import CandidateDocumentFactory, CandidateFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def login(client, role):
    user = User.objects.create_user(username=f"u-{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)


def test_a_restricted_candidate_is_invisible_to_recruiters_but_not_to_the_dpo(client):
    hidden, shown = CandidateFactory(), CandidateFactory()
    person_restrict(person=hidden, reason="contests accuracy")
    login(client, Role.RECRUITER)
    listed = client.get(reverse("admin:candidates_candidate_changelist"))
    assert list(listed.context["cl"].result_list) == [shown]
    page = client.get(reverse("admin:candidates_candidate_change", args=[hidden.pk]))
    assert page.status_code == 302  # "does not exist", back to the list

    client.logout()
    login(client, Role.DPO)
    listed = client.get(reverse("admin:candidates_candidate_changelist"))
    assert set(listed.context["cl"].result_list) == {hidden, shown}


def test_a_restricted_persons_child_records_are_hidden_too(client):
    document = CandidateDocumentFactory()
    person_restrict(person=document.candidate, reason="objection pending")
    login(client, Role.RECRUITER)
    listed = client.get(reverse("admin:candidates_candidatedocument_changelist"))
    assert list(listed.context["cl"].result_list) == []


def test_a_restricted_employee_is_invisible_to_payroll(client):
    employee = EmployeeFactory()
    person_restrict(person=employee, reason="legal hold")
    login(client, Role.PAYROLL)
    listed = client.get(reverse("admin:employees_employee_changelist"))
    assert list(listed.context["cl"].result_list) == []


def test_the_dpo_restricts_and_lifts_from_the_admin_with_a_reason(client):
    candidate = CandidateFactory()
    login(client, Role.DPO)
    url = reverse("admin:candidates_candidate_changelist")
    form = client.post(url, {"action": "restrict_processing", "_selected_action": [candidate.pk]})
    assert form.status_code == 200 and "reason" in form.context["form"].fields
    client.post(
        url,
        {
            "action": "restrict_processing",
            "_selected_action": [candidate.pk],
            "apply": "1",
            "reason": "Art. 18(1)(a)",
        },
    )
    candidate.refresh_from_db()
    assert candidate.is_restricted and candidate.restriction_reason == "Art. 18(1)(a)"
    assert AuditEntry.objects.filter(
        subject_ref=candidate.public_id, detail__startswith="restricted"
    ).exists()
    client.post(url, {"action": "lift_restriction", "_selected_action": [candidate.pk]})
    candidate.refresh_from_db()
    assert not candidate.is_restricted


def test_recruiters_are_not_offered_the_restriction_actions(client):
    CandidateFactory()
    login(client, Role.RECRUITER)
    page = client.get(reverse("admin:candidates_candidate_changelist"))
    names = {name for name, _label in page.context["action_form"].fields["action"].choices}
    assert "restrict_processing" not in names


def test_lifting_a_restriction_makes_the_record_visible_again():
    candidate = CandidateFactory()
    person_restrict(person=candidate, reason="x")
    person_lift_restriction(person=candidate)
    assert Candidate.objects.get(pk=candidate.pk).is_restricted is False
