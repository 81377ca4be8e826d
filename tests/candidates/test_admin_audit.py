"""The admin writes the audit trail itself (privacy/admin_mixins.py): opening a person's page,
adding, changing and deleting, inline rows included, each leave one entry naming the person."""

import datetime as dt
import decimal

import pytest
from django.contrib.auth.models import Group, User
from django.db import models
from django.urls import reverse

from candidates.models import Application, Candidate, StaffNote
from employees.models import AbsenceRecord
from privacy.models import AuditEntry
from privacy.roles import Role
from privacy.services import person_restrict
from tests.factories import CandidateFactory, EmployeeFactory, JobPostingFactory

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action


def login(client, role):
    user = User.objects.create_user(username=f"u-{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def _value(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_value(v) for v in value]
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, dt.date | decimal.Decimal):
        return str(value)
    return value


def _form_data(form, data):
    for name in form.fields:
        value = _value(form.initial.get(name, form.fields[name].initial))
        if value is not None:
            data[form.add_prefix(name)] = value


def posted(page, **changes):
    """The change page's form as the browser would post it back unchanged, plus ``changes``."""
    data = {}
    _form_data(page.context["adminform"].form, data)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(len(formset.initial_forms))
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(len(formset.initial_forms))
        for form in formset.initial_forms:
            _form_data(form, data)
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def entries(action, **filters):
    return list(AuditEntry.objects.filter(action=action, **filters).order_by("pk"))


def test_opening_a_candidates_page_is_audited_as_a_view_of_that_person(client):
    recruiter = login(client, Role.RECRUITER)
    candidate = CandidateFactory()
    page = client.get(reverse("admin:candidates_candidate_change", args=[candidate.pk]))
    assert page.status_code == 200
    [view] = entries(Action.VIEW)
    assert (view.actor_id, view.subject_ref, view.object_id) == (
        recruiter.pk,
        candidate.public_id,
        str(candidate.pk),
    )


def test_a_page_that_is_refused_is_not_audited_as_a_view(client):
    candidate = CandidateFactory()
    person_restrict(person=candidate, reason="contests accuracy")
    login(client, Role.RECRUITER)
    client.get(reverse("admin:candidates_candidate_change", args=[candidate.pk]))
    assert entries(Action.VIEW) == []


def test_adding_and_deleting_a_candidate_in_the_admin_are_audited(client):
    login(client, Role.RECRUITER)
    add = client.get(reverse("admin:candidates_candidate_add"))
    data = posted(
        add,
        first_name="Ole",
        last_name="Hansen",
        email="ole@example.dk",
        phone="20304050",
        language="da",
        status=Candidate.Status.ACTIVE,
    )
    response = client.post(reverse("admin:candidates_candidate_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    candidate = Candidate.objects.get(email="ole@example.dk")
    [created] = entries(Action.CREATE)
    assert created.subject_ref == candidate.public_id and "email" in created.fields

    url = reverse("admin:candidates_candidate_delete", args=[candidate.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    [deleted] = entries(Action.DELETE, object_type="candidates.candidate")
    assert deleted.subject_ref == candidate.public_id


def test_a_staff_note_added_changed_and_deleted_on_the_candidate_page_is_audited(client):
    recruiter = login(client, Role.RECRUITER)
    candidate = CandidateFactory()
    url = reverse("admin:candidates_candidate_change", args=[candidate.pk])
    data = posted(client.get(url))
    data.update({"notes-TOTAL_FORMS": "1", "notes-0-text": "Ringet op", "notes-0-candidate": ""})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    note = StaffNote.objects.get(candidate=candidate)
    assert note.author == recruiter  # set by the page, not the form
    [created] = entries(Action.CREATE, object_type="candidates.staffnote")
    assert created.subject_ref == candidate.public_id

    response = client.post(url, posted(client.get(url), **{"notes-0-text": "Ringet op igen"}))
    assert response.status_code == 302
    [changed] = entries(Action.CHANGE, object_type="candidates.staffnote")
    assert changed.changes == {"text": ["Ringet op", "Ringet op igen"]}

    response = client.post(url, posted(client.get(url), **{"notes-0-DELETE": "on"}))
    assert response.status_code == 302
    assert not StaffNote.objects.filter(pk=note.pk).exists()
    [deleted] = entries(Action.DELETE, object_type="candidates.staffnote")
    assert deleted.subject_ref == candidate.public_id


def test_an_inline_change_of_health_data_is_audited_with_its_values_masked(client):
    login(client, Role.PAYROLL)
    employee = EmployeeFactory()
    AbsenceRecord.objects.create(
        employee=employee,
        kind=AbsenceRecord.Kind.SICK,
        starts_on=dt.date(2026, 1, 5),
        ends_on=dt.date(2026, 1, 7),
        days=decimal.Decimal("3.0"),
    )
    url = reverse("admin:employees_employee_change", args=[employee.pk])
    data = posted(client.get(url), **{"absences-0-days": "2.5", "cpr": ""})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    [changed] = entries(Action.CHANGE, object_type="employees.absencerecord")
    assert changed.fields == ["days"] and changed.subject_ref == employee.public_id
    assert changed.changes == {"days": ["***", "***"]}


def test_applications_of_a_restricted_candidate_are_hidden_from_recruiters(client):
    posting = JobPostingFactory()
    restricted, other = CandidateFactory(), CandidateFactory()
    person_restrict(person=restricted, reason="objection pending")

    def application(candidate, email):
        return Application.objects.create(
            posting=posting,
            candidate=candidate,
            channel="website",
            first_name="Ane",
            last_name="Berg",
            email=email,
            phone="20304050",
            received_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        )

    hidden = application(restricted, "a@example.dk")
    shown = {application(other, "b@example.dk"), application(None, "c@example.dk")}
    login(client, Role.RECRUITER)
    listed = client.get(reverse("admin:candidates_application_changelist"))
    assert set(listed.context["cl"].result_list) == shown
    page = client.get(reverse("admin:candidates_application_change", args=[hidden.pk]))
    assert page.status_code == 302  # "does not exist", back to the list

    client.logout()
    login(client, Role.DPO)
    listed = client.get(reverse("admin:candidates_application_changelist"))
    assert set(listed.context["cl"].result_list) == {*shown, hidden}
