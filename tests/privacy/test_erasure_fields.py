"""Erasure field by field: inside a record that is restricted because a law requires keeping
it, the fields no law requires keeping are erased now; the rest is restricted until its date."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from candidates import models as cm
from employees.models import AbsenceRecord, Employee, PayrollRecord
from privacy.erasure import (
    LEGAL_OBLIGATIONS,
    erasure_execute,
    erasure_proposal,
)
from privacy.erasure_fields import NO_EMPTY, empty_value
from privacy.letters import erasure_answer
from privacy.models import AuditEntry, SubjectRequest
from privacy.registry import registry
from privacy.roles import Role
from privacy.taxonomy import LegalBasis
from retention.models import LegalHold
from tests.factories import EmployeeFactory, PayrollRecordFactory, request_for

from .test_erasure import admin_urls, page, pdf_text, roots, user, verified

pytestmark = pytest.mark.django_db

NOT_REQUIRED_BY_LAW = {
    "shift_planning_username",
    "emergency_contact_name",
    "emergency_contact_phone",
    "bank_reg_no",  # Art. 6(1)(b): for paying wages, which ended with the employment
    "bank_account_no",
}
SECRETS = ["kim.l", "Bo Larsen", "31323334", "0077665544"]


@pytest.fixture
def dpo():
    return user(Role.DPO, "dpo")


def one_year_ago():
    today = timezone.localdate()
    return dt.date(today.year - 1, today.month, min(today.day, 28))


@pytest.fixture
def former(dpo):
    """An employee whose employment ended a year ago, with payslips and an emergency contact,
    and an erasure request with the employee record confirmed."""
    ended = one_year_ago()
    employee = EmployeeFactory(
        first_name="Kim",
        last_name="Larsen",
        employment_end=ended,
        shift_planning_username="kim.l",
        emergency_contact_name="Bo Larsen",
        emergency_contact_phone="31323334",
        pension_company="PFA Pension",
        bank_reg_no="9570",
        bank_account_no="0077665544",
    )
    PayrollRecordFactory(employee=employee)
    PayrollRecordFactory(employee=employee, period_start=dt.date(2025, 2, 1))
    request = request_for(employee, actor=dpo, requester_name="Kim Larsen")
    return {
        "request": request,
        "employee": employee,
        "until": dt.date(ended.year + 5, ended.month, ended.day),
    }


def employee_decision(proposal, employee):
    return roots(proposal)[(Employee, employee.pk)]


def execute(request, dpo, proposal=None):
    proposal = proposal if proposal is not None else erasure_proposal(request)
    return erasure_execute(request, confirmed=[d for d in proposal if d.is_root], actor=dpo)


# --- the empty value of a field -------------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "name", "empty"),
    [
        (Employee, "shift_planning_username", ""),  # blank text
        (Employee, "id_document_number", ""),  # encrypted text stores "" as ""
        (Employee, "id_document_expires", None),  # a nullable date
        (Employee, "emergency_contact_phone", ""),
        (Employee, "first_name", NO_EMPTY),  # required
        (Employee, "bank_account_no", ""),  # encrypted text, blank allowed: stored as ""
        (Employee, "bank_reg_no", ""),
        (Employee, "public_id", NO_EMPTY),  # the person's stable id
        (Employee, "is_restricted", NO_EMPTY),  # the restriction flag
        (Employee, "cpr_index", NO_EMPTY),  # derived by the system
        (Employee, "created_at", NO_EMPTY),
        (Employee, "candidate", NO_EMPTY),  # a relation
        (PayrollRecord, "gross_pay", NO_EMPTY),  # encrypted number: empty is NULL, not allowed
        (AbsenceRecord, "note", ""),
        (cm.CandidateDocument, "file", NO_EMPTY),  # a file
    ],
)
def test_empty_value_empties_only_what_the_row_survives(model, name, empty):
    found = empty_value(model._meta.get_field(name))
    assert found is empty if empty is None or empty is NO_EMPTY else found == empty


# --- the proposal ---------------------------------------------------------------------------
def test_fields_no_law_requires_are_erased_now_and_the_rest_restricted_until_five_years_after(
    former,
):
    proposal = erasure_proposal(former["request"])
    employee = employee_decision(proposal, former["employee"])
    assert employee.action == "restrict" and employee.until == former["until"]
    assert set(employee.erase_fields) == NOT_REQUIRED_BY_LAW
    kept = set(employee.kept_fields)
    assert {"first_name", "cpr", "employment_end", "pension_company"} <= kept
    assert not kept & NOT_REQUIRED_BY_LAW
    # From the declarations: no field a law keeps is erased, and each erased one says why.
    declared = {info.name: info for info in registry.fields(model=Employee)}
    for name in employee.erase_fields:
        info = declared[name]
        assert not (info.retention in LEGAL_OBLIGATIONS and LegalBasis.ART6_1C in info.data.basis)
    for name in kept - {"public_id", "created_at", "updated_at", "cpr_index"}:
        info = declared[name]
        required_by_law = info.retention in LEGAL_OBLIGATIONS and LegalBasis.ART6_1C in (
            info.data.basis
        )
        assert required_by_law or empty_value(Employee._meta.get_field(name)) is NO_EMPTY, name
    with translation.override("en"):
        reasons = {e.name: str(e.reason) for e in employee.erase}
    assert "no law requires keeping it" in reasons["emergency_contact_name"]
    assert "6(1)(f)" in reasons["emergency_contact_name"]
    assert "6(1)(b)" in reasons["shift_planning_username"]
    payslips = [d for d in proposal if d.model is PayrollRecord]
    assert len(payslips) == 2
    assert {(d.action, d.until, d.erase_fields) for d in payslips} == {
        ("restrict", former["until"], ())
    }


def test_empty_fields_are_not_proposed_for_erasure(former):
    Employee.objects.filter(pk=former["employee"].pk).update(emergency_contact_phone="")
    employee = employee_decision(erasure_proposal(former["request"]), former["employee"])
    assert set(employee.erase_fields) == NOT_REQUIRED_BY_LAW - {"emergency_contact_phone"}


def test_a_legal_hold_on_the_person_keeps_every_field(former, dpo):
    LegalHold.objects.create(
        subject_ref=former["employee"].public_id, reason="Retssag om løn", owner=dpo
    )
    request = verified(former["request"], dpo)
    proposal = erasure_proposal(request)
    employee = employee_decision(proposal, former["employee"])
    assert employee.action == "keep" and employee.held
    assert not any(d.erase for d in proposal)
    assert set(employee.kept_fields) >= NOT_REQUIRED_BY_LAW

    execute(request, dpo, proposal)
    kept = Employee.objects.get(pk=former["employee"].pk)
    assert (
        kept.shift_planning_username,
        kept.emergency_contact_name,
        kept.emergency_contact_phone,
    ) == ("kim.l", "Bo Larsen", "31323334")
    assert not kept.is_restricted


# --- executing ------------------------------------------------------------------------------
def test_executing_empties_those_fields_keeps_the_rest_and_restricts_the_row(former, dpo):
    request = verified(former["request"], dpo)
    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    cpr = former["employee"].cpr

    summary = execute(request, dpo)

    assert summary.counts == {"restrict": 1}
    employee = Employee.objects.get(pk=former["employee"].pk)
    assert employee.is_restricted and former["until"].isoformat() in employee.restriction_reason
    assert employee.shift_planning_username == ""
    assert employee.emergency_contact_name == "" and employee.emergency_contact_phone == ""
    assert (employee.first_name, employee.cpr, employee.pension_company) == (
        "Kim",
        cpr,
        "PFA Pension",
    )
    assert employee.employment_end == former["employee"].employment_end
    assert (employee.bank_reg_no, employee.bank_account_no) == ("", "")
    payslips = PayrollRecord.objects.filter(employee=employee)
    assert payslips.count() == 2 and all(p.gross_pay is not None for p in payslips)

    entries = list(AuditEntry.objects.filter(pk__gt=before).order_by("pk"))
    blanked = [e for e in entries if e.detail.startswith("fields erased")]
    assert len(blanked) == 1
    assert blanked[0].object_type == "employees.employee"
    assert blanked[0].object_id == str(employee.pk) and blanked[0].actor_id == dpo.pk
    assert set(blanked[0].fields) == NOT_REQUIRED_BY_LAW and not blanked[0].changes
    assert request.reference in blanked[0].detail
    restricted = next(e for e in entries if e.detail.startswith("restricted"))
    assert blanked[0].pk < restricted.pk  # emptied before the row was restricted
    executed = next(e for e in entries if e.detail.startswith("erasure executed"))
    assert "5 fields erased" in executed.detail
    for entry in AuditEntry.objects.all():
        text = f"{entry.detail} {entry.fields} {entry.changes}"
        assert not any(secret in text for secret in SECRETS), entry.detail


def test_a_proposal_whose_fields_changed_since_the_review_is_refused(former, dpo):
    request = verified(former["request"], dpo)
    shown = erasure_proposal(request)
    # Between review and confirmation, one of the fields to erase is emptied elsewhere: the
    # set of fields the DPO confirmed is no longer the one that would be erased.
    Employee.objects.filter(pk=former["employee"].pk).update(emergency_contact_name="")
    now = erasure_proposal(request)
    assert employee_decision(now, former["employee"]).key != (
        employee_decision(shown, former["employee"]).key
    )
    with translation.override("en"), pytest.raises(ValidationError, match="Nothing to do"):
        execute(request, dpo, shown)
    employee = Employee.objects.get(pk=former["employee"].pk)
    assert not employee.is_restricted and employee.shift_planning_username == "kim.l"

    # A field to erase filled in after the review is refused too.
    shown = now
    Employee.objects.filter(pk=former["employee"].pk).update(emergency_contact_name="Ny Kontakt")
    with translation.override("en"), pytest.raises(ValidationError, match="Nothing to do"):
        execute(request, dpo, shown)
    assert Employee.objects.get(pk=former["employee"].pk).emergency_contact_name == "Ny Kontakt"


# --- the letter and the page ----------------------------------------------------------------
def test_the_letter_lists_the_erased_fields_and_what_is_kept_until_when(former, dpo):
    request = verified(former["request"], dpo)
    SubjectRequest.objects.filter(pk=request.pk).update(language="en")
    request.refresh_from_db()
    _summary, export = erasure_answer(
        request, confirmed=[d for d in erasure_proposal(request) if d.is_root], actor=dpo
    )
    text = " ".join(pdf_text(export).split())
    erased = text[text.index("What we have erased") : text.index("What we keep, and why")]
    kept = text[text.index("What we keep, and why") :]
    for label in (
        "shift-planning username (LESSOR)",
        "emergency contact",
        "emergency contact phone",
    ):
        assert label in erased
    assert "no law requires keeping it" in erased
    assert "emergency contact" not in kept and "CPR number" in kept
    assert former["until"].isoformat() in kept and "Payslips (2)" in kept
    assert not any(secret in text for secret in SECRETS)


def test_the_danish_letter_names_the_erased_fields_in_danish(former, dpo):
    request = verified(former["request"], dpo)
    _summary, export = erasure_answer(
        request, confirmed=[d for d in erasure_proposal(request) if d.is_root], actor=dpo
    )
    text = " ".join(pdf_text(export).split())
    with translation.override("da"):
        label = str(Employee._meta.get_field("emergency_contact_phone").verbose_name)
    assert label != "emergency contact phone" and label in text
    assert "emergency contact phone" not in text  # the request's language, Danish


@admin_urls
def test_the_review_page_shows_each_field_erased_now_on_its_own_line(client, former, dpo):
    client.force_login(dpo)
    response = client.get(page("erasure", former["request"]))
    assert response.status_code == 200
    (group,) = response.context["groups"]
    assert group["decision"].erase_fields
    with translation.override("da"):
        labels = {str(Employee._meta.get_field(name).verbose_name) for name in NOT_REQUIRED_BY_LAW}
    assert {row.fields for row in group["fields"]} == labels
    content = response.content.decode()
    assert content.count('class="erase-field"') == len(NOT_REQUIRED_BY_LAW)
    assert 'value="' + group["decision"].key + '"' in content


def test_the_dpo_is_told_how_many_fields_were_emptied_in_restricted_records(client, former, dpo):
    request = verified(former["request"], dpo)
    client.force_login(dpo)
    keys = [g["decision"].key for g in client.get(page("erasure", request)).context["groups"]]
    response = client.post(page("erasure", request), {"decision": keys}, follow=True)
    (message,) = response.context["messages"]
    assert "begrænset: 1" in str(message)
    assert f"{len(NOT_REQUIRED_BY_LAW)} felter, som ingen lov opbevarer, tømt" in str(message)
