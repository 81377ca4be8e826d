import csv
import io
import json

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from candidates.models import Candidate, NextOfKin
from employees.models import Employee, PayrollRecord
from privacy.registry import PersonalData, registry
from privacy.taxonomy import Category, Sensitivity, Subject


def test_every_model_of_every_data_subject_app_is_in_the_registry():
    for label in settings.PRIVACY_SUBJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            assert registry.is_registered(model), model


def test_fields_can_be_queried_by_model():
    names = {f.name for f in registry.fields(model=Candidate)}
    assert {"first_name", "email", "criminal_record_status"} <= names
    assert "status" not in names  # declared as not personal


def test_fields_can_be_queried_by_subject_category_processor_and_rule():
    assert {f.model for f in registry.fields(subject=Subject.EMPLOYEE)} >= {Employee, PayrollRecord}
    cpr = registry.fields(category=Category.NATIONAL_ID)
    assert ("employees.Employee", "cpr") in {(f.model._meta.label, f.name) for f in cpr}
    assert all("lessor" in f.data.processors for f in registry.fields(processor="lessor"))
    assert registry.fields(processor="lessor")
    payroll = registry.fields(retention="payroll")
    assert payroll and all(f.retention == "payroll" for f in payroll)


def test_sensitivity_defaults_from_the_category_and_can_be_looked_up():
    assert registry.sensitivity_of(Employee, "cpr") == Sensitivity.CONFIDENTIAL
    assert registry.sensitivity_of(Candidate, "criminal_record_status") == Sensitivity.CRIMINAL
    assert registry.sensitivity_of(Candidate, "first_name") == Sensitivity.ORDINARY
    assert registry.sensitivity_of(Candidate, "status") is None


def test_related_people_are_their_own_data_subjects():
    assert {f.subject for f in registry.fields(model=NextOfKin)} == {Subject.RELATED_PERSON}


def test_every_payroll_amount_is_confidential():
    amounts = [f for f in registry.fields(model=PayrollRecord) if f.name.endswith("pay")]
    assert amounts and all(f.sensitivity == Sensitivity.CONFIDENTIAL for f in amounts)


def test_voluntary_candidate_data_names_its_consent():
    assert registry.field(Candidate, "birth_date").data.consent == "candidate_birth_date"
    assert registry.field(Candidate, "criminal_record_status").data.consent == (
        "candidate_criminal_record"
    )


def test_a_model_cannot_be_declared_twice():
    with pytest.raises(ValueError, match="declared twice"):
        registry.register(Candidate, subject=Subject.CANDIDATE, fields={})


def test_declarations_accept_lists_and_stay_hashable():
    data = PersonalData(
        Category.IDENTITY,
        purposes=["recruitment"],
        basis=["art6_1a"],
        retention="cv_bank_inactivity",
    )
    assert data.purposes == ("recruitment",)
    hash(data)


@pytest.mark.django_db
def test_privacy_inventory_prints_every_field_with_processor_details_as_json():
    out = io.StringIO()
    call_command("privacy_inventory", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert len(data["fields"]) == len(registry.fields())
    cpr = next(f for f in data["fields"] if (f["model"], f["field"]) == ("employee", "cpr"))
    assert cpr["sensitivity"] == "confidential"
    assert "dbl_11" in cpr["legal_basis"]
    microsoft = next(p for f in data["fields"] for p in f["processors"] if p["key"] == "microsoft")
    assert microsoft["third_country_transfer"] is True
    assert microsoft["transfer_safeguard"]
    assert {p["key"] for p in data["processors"]} >= {"simply", "nets", "quickpay", "lessor"}


@pytest.mark.django_db
def test_privacy_inventory_prints_csv_with_one_row_per_field():
    out = io.StringIO()
    call_command("privacy_inventory", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == len(registry.fields())
    mandate = [r for r in rows if r["model"] == "betalingsservicemandate"]
    assert mandate and all("nets" in r["processors"] for r in mandate)


@pytest.mark.django_db
def test_privacy_inventory_csv_carries_each_processors_role_and_agreement():
    import datetime as dt

    from privacy.models import Processor

    Processor.objects.filter(key="nets").update(
        dpa_reference="DPA-NETS-2024", dpa_signed_on=dt.date(2024, 3, 1)
    )
    out = io.StringIO()
    call_command("privacy_inventory", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    mandate = next(
        r for r in rows if (r["model"], r["field"]) == ("betalingsservicemandate", "account_no")
    )
    assert mandate["processor_agreements"] == "nets: DPA-NETS-2024 2024-03-01"
    assert mandate["processor_roles"] == "processor"
    assert mandate["processor_services"] == "Direct debit of HR and employment-law subscriptions"
    shifts = next(r for r in rows if "lessor" in r["processors"].split(";"))
    assert "lessor: -" in shifts["processor_agreements"]  # no agreement recorded yet
    assert "lessor: Parent company Paychex" in shifts["third_country_transfers"]
