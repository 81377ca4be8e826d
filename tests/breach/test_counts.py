import pytest

from candidates import models as cm
from privacy.breaches import breach_recount
from privacy.holdings import category_choices, count_holdings, subject_choices
from tests.factories import CandidateDocumentFactory, CandidateFactory, EmployeeFactory

from .conftest import record

pytestmark = pytest.mark.django_db


def test_cpr_numbers_of_employees_count_each_employee_once():
    EmployeeFactory.create_batch(3)
    counted = count_holdings(categories=["national_id"], subjects=["employee"])
    assert (counted.people, counted.records) == (3, 3)
    assert counted.detail["records"] == {"employees.employee": 3}


def test_an_empty_optional_field_holds_nothing():
    CandidateFactory(street="Bredgade 1", postcode="4200", city="Slagelse")
    CandidateFactory.create_batch(2)  # no address (voluntary data)
    counted = count_holdings(categories=["address"], subjects=["candidate"])
    assert (counted.people, counted.records) == (1, 1)


def test_records_count_rows_and_people_count_the_person_they_belong_to():
    with_files = CandidateFactory()
    CandidateFactory()  # no documents
    CandidateDocumentFactory.create_batch(3, candidate=with_files)
    counted = count_holdings(categories=["uploaded_file"], subjects=["candidate"])
    assert counted.records == 3
    assert counted.people == 1
    assert counted.detail["people"] == {"candidates.candidate": 1}


def test_people_are_counted_once_across_models_and_per_kind_of_person():
    candidates = CandidateFactory.create_batch(2)
    CandidateDocumentFactory(candidate=candidates[0])
    EmployeeFactory.create_batch(4)
    counted = count_holdings(
        categories=["contact", "uploaded_file"], subjects=["candidate", "employee"]
    )
    assert counted.detail["people"] == {"candidates.candidate": 2, "employees.employee": 4}
    assert counted.people == 6
    # 2 candidates with contact details, 1 document, 4 employees
    assert counted.records == 7


def test_data_about_other_people_on_a_row_is_counted_per_row():
    candidate = CandidateFactory()
    cm.NextOfKin.objects.create(candidate=candidate, name="Hanne Jensen", phone="20304050")
    cm.NextOfKin.objects.create(candidate=candidate, name="Ole Jensen", phone="20304051")
    EmployeeFactory(emergency_contact_name="Bo Hansen", emergency_contact_phone="30405060")
    EmployeeFactory()  # no emergency contact
    counted = count_holdings(categories=["next_of_kin"], subjects=["related_person"])
    assert counted.people == 3
    assert counted.detail["records"] == {"candidates.nextofkin": 2, "employees.employee": 1}


def test_restricted_records_are_still_counted():
    CandidateFactory(is_restricted=True)
    counted = count_holdings(categories=["contact"], subjects=["candidate"])
    assert counted.people == 1


def test_the_choices_come_from_the_registry():
    subjects = [key for key, _label in subject_choices()]
    assert {"candidate", "employee", "customer_contact", "newsletter_subscriber"} <= set(subjects)
    assert "website_visitor" in subjects  # enquirers
    categories = [key for key, _label in category_choices()]
    assert "national_id" in categories and "health_absence" in categories


def test_a_breach_counts_when_recorded_and_on_request():
    EmployeeFactory.create_batch(2)
    breach = record(data_categories=["national_id"], subject_types=["employee"])
    assert (breach.people_computed, breach.records_computed) == (2, 2)
    EmployeeFactory()
    breach_recount(breach=breach, actor=None)
    breach.refresh_from_db()
    assert breach.people_computed == 3 and breach.counted_at is not None


def test_an_estimate_overrides_the_count_and_needs_its_basis():
    from django.core.exceptions import ValidationError

    EmployeeFactory.create_batch(2)
    with pytest.raises(ValidationError) as error:
        record(data_categories=["payroll"], subject_types=["employee"], people_estimate=1)
    assert "estimate_note" in error.value.message_dict
    breach = record(
        data_categories=["national_id"],
        subject_types=["employee"],
        people_estimate=1,
        estimate_note="Only one payslip was in the lost envelope.",
    )
    assert breach.people_computed == 2
    assert breach.people == 1
    assert breach.records == 2  # no estimate for records: the count


def test_nothing_chosen_nothing_counted():
    EmployeeFactory()
    breach = record()
    assert breach.people_computed is None and breach.people is None
