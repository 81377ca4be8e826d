import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from candidates.models import Application, Candidate
from customers.models import (
    ContactEnquiry,
    ContactPerson,
    NewsletterSubscriber,
    Partner,
    WebshopOrder,
)
from employees.models import Employee
from privacy.models import AuditEntry, RequestMatch
from privacy.person_search import (
    PhoneKey,
    find_person,
    request_match_confirm,
    request_matches_add,
    search_plans,
)
from privacy.subject_requests import subject_request_receive
from serop.validators import normalize_phone
from tests.factories import (
    CandidateFactory,
    ContactPersonFactory,
    EmployeeFactory,
    JobPostingFactory,
)

pytestmark = pytest.mark.django_db
BIRTH = dt.date(1991, 4, 17)


def found(matches):
    return {(type_of(m), m.pk) for m in matches}


def type_of(match):
    return match.model._meta.label


@pytest.fixture
def mette():
    """One person in four apps: CV bank, an application, employment, a newsletter."""
    candidate = CandidateFactory(
        first_name="Mette Marie",
        last_name="Nielsen-Jensen",
        email="Mette.Jensen@Example.dk",
        phone="+45 20 30 40 50",
        birth_date=BIRTH,
    )
    application = Application.objects.create(
        posting=JobPostingFactory(),
        channel="jobindex",
        first_name="Mette",
        last_name="Jensen",
        email="mette.jensen@example.dk",
        phone="20304050",
        received_at=timezone.now(),
    )
    employee = EmployeeFactory(
        first_name="Mette",
        last_name="Jensen",
        email="mj@firma.dk",
        phone="0045 20304050",
        birth_date=BIRTH,
        cpr="170491-1234",
    )
    subscriber = NewsletterSubscriber.objects.create(
        email="METTE.JENSEN@EXAMPLE.DK", subscribed_at=timezone.now()
    )
    return {
        "candidate": candidate,
        "application": application,
        "employee": employee,
        "subscriber": subscriber,
    }


@pytest.fixture
def others():
    """Namesakes and near misses that must not be found."""
    CandidateFactory(
        first_name="Mette",
        last_name="Jensen",
        email="another.mette@example.dk",
        phone="20304051",
        birth_date=dt.date(1991, 4, 18),
    )
    CandidateFactory(
        first_name="Lone",
        last_name="Jensen",
        email="lone@example.dk",
        phone="+4520304059",
        birth_date=BIRTH,
    )
    EmployeeFactory(email="x@example.dk", phone="30304050", cpr="170491-1235")
    ContactPersonFactory(email="mette.jensen@example.dk.other", phone="20304052")


def test_email_finds_the_person_in_every_app_whatever_the_case(mette, others):
    matches = find_person(email="  mette.JENSEN@example.DK ")
    assert found(matches) == {
        ("candidates.Candidate", mette["candidate"].pk),
        ("candidates.Application", mette["application"].pk),
        ("customers.NewsletterSubscriber", mette["subscriber"].pk),
    }
    assert {m.matched_on for m in matches} == {("email",)}


def test_phone_is_compared_normalized_however_it_was_typed_or_stored(mette, others):
    for typed in ("+45 20 30 40 50", "0045-2030 4050", "20 30 40 50", "(+45) 20304050"):
        assert found(find_person(phone=typed)) == {
            ("candidates.Candidate", mette["candidate"].pk),
            ("candidates.Application", mette["application"].pk),
            ("employees.Employee", mette["employee"].pk),
        }, typed


@pytest.mark.parametrize(
    "stored",
    ["+45 20 30 40 50", "0045 2030-4050", "20304050", "+4520304050", "(20) 30.40.50", "+46701234"],
)
def test_the_sql_phone_key_is_normalize_phone(stored):
    candidate = CandidateFactory(phone=stored)
    key = (
        Candidate.objects.filter(pk=candidate.pk)
        .annotate(key=PhoneKey("phone"))
        .values_list("key", flat=True)
        .get()
    )
    assert key == normalize_phone(stored)


def test_name_with_birth_date_finds_the_person_by_first_and_last_name(mette, others):
    expected = {
        ("candidates.Candidate", mette["candidate"].pk),
        ("employees.Employee", mette["employee"].pk),
    }
    assert found(find_person(name="mette jensen", birth_date=BIRTH)) == expected
    # A middle name, and the other half of a double surname, are found too.
    assert found(find_person(name="Marie Nielsen", birth_date=BIRTH)) == {
        ("candidates.Candidate", mette["candidate"].pk)
    }
    assert find_person(name="Mette Jensen", birth_date=BIRTH + dt.timedelta(days=2)) == []
    assert find_person(name="Met Jensen", birth_date=BIRTH) == []  # whole words only


def test_a_name_without_a_birth_date_is_refused():
    with pytest.raises(ValueError, match="birth date"):
        find_person(name="Mette Jensen")


def test_cpr_finds_the_employee_through_the_blind_index(mette, others):
    matches = find_person(cpr="1704911234")
    assert found(matches) == {("employees.Employee", mette["employee"].pk)}
    assert matches[0].public_id == mette["employee"].public_id
    assert find_person(cpr="170491-9999") == []


def test_several_keys_find_the_union_and_say_which_matched(mette, others):
    matches = {
        (type_of(m), m.pk): m.matched_on
        for m in find_person(email="mette.jensen@example.dk", cpr="170491-1234")
    }
    assert matches[("employees.Employee", mette["employee"].pk)] == ("cpr",)
    assert matches[("candidates.Candidate", mette["candidate"].pk)] == ("email",)


def test_a_match_says_where_it_was_found_and_what_it_is(mette):
    (match,) = [m for m in find_person(email="mette.jensen@example.dk") if m.model is Candidate]
    assert match.app_label == "candidates"
    assert match.record_type == str(Candidate._meta.verbose_name)
    assert match.label == "Mette Marie Nielsen-Jensen <Mette.Jensen@Example.dk>"
    assert match.public_id == mette["candidate"].public_id
    assert match.key == f"candidates.candidate:{mette['candidate'].pk}"


def test_customer_records_are_searched_too():
    contact = ContactPersonFactory(email="Karen@Kunde.dk", phone="70 23 38 38")
    order = WebshopOrder.objects.create(
        order_number="W1",
        first_name="Karen",
        last_name="Kunde",
        street="Vej 1",
        postcode="4200",
        city="Slagelse",
        phone="+4570233838",
        email="karen@kunde.dk",
        total=100,
        placed_at=timezone.now(),
    )
    enquiry = ContactEnquiry.objects.create(
        name="Karen", email="KAREN@kunde.dk", received_at=timezone.now()
    )
    partner = Partner.objects.create(
        name="Partner A/S",
        agreement="x",
        contact_name="Karen Kunde",
        contact_email="karen@kunde.dk",
        permission_given_at=timezone.now(),
    )
    assert found(find_person(email="karen@kunde.dk")) == {
        ("customers.ContactPerson", contact.pk),
        ("customers.WebshopOrder", order.pk),
        ("customers.ContactEnquiry", enquiry.pk),
        ("customers.Partner", partner.pk),
    }
    assert found(find_person(phone="70233838")) >= {
        ("customers.ContactPerson", contact.pk),
        ("customers.WebshopOrder", order.pk),
    }


def test_restricted_records_are_found():
    candidate = CandidateFactory(email="hidden@example.dk", is_restricted=True)
    assert found(find_person(email="hidden@example.dk")) == {("candidates.Candidate", candidate.pk)}


def test_the_searched_columns_come_from_the_registry():
    plans = {plan.model: plan for plan in search_plans()}
    assert plans[Candidate].email == ("email",) and plans[Candidate].phone == ("phone",)
    assert plans[Candidate].searches_name and plans[Employee].searches_name
    assert [f.name for f in plans[Employee].cpr] == ["cpr_index"]
    # The emergency contact's phone is about someone else: not searched for the employee.
    assert plans[Employee].phone == ("phone",)
    assert plans[Partner].phone == ("contact_phone",)
    assert ContactPerson in plans and NewsletterSubscriber in plans
    # Child rows without contact details of their own are reached through their person.
    assert not {m._meta.model_name for m in plans} & {"education", "nextofkin", "consentrecord"}


def test_one_query_per_model_searched():
    with CaptureQueriesContext(connection) as queries:
        find_person(email="a@example.dk", phone="20304050")
    searched = [p for p in search_plans() if p.email or p.phone]
    assert len(queries) == len(searched)


def test_the_dpo_adds_found_records_and_confirms_them_and_both_are_audited(mette):
    dpo = User.objects.create_user("dpo-search")
    request = subject_request_receive(kind="access", channel="email", requester_name="Mette")
    matches = find_person(email="mette.jensen@example.dk")
    created = request_matches_add(request=request, matches=matches, actor=dpo)
    assert len(created) == 3
    # Adding the same records again adds nothing.
    assert request_matches_add(request=request, matches=matches, actor=dpo) == []
    row = RequestMatch.objects.get(request=request, object_id=str(mette["candidate"].pk))
    assert row.label.startswith("Mette Marie") and not row.confirmed
    assert row.record() == mette["candidate"]
    request_match_confirm(match=row, confirmed=True, actor=dpo)
    assert RequestMatch.objects.get(pk=row.pk).confirmed
    details = list(
        AuditEntry.objects.filter(object_id=str(request.pk), actor_id=dpo.pk).values_list(
            "detail", flat=True
        )
    )
    assert any(d.startswith("matching records added") for d in details)
    assert f"confirmed: candidates.candidate:{mette['candidate'].pk}" in details
    assert not any("mette" in d.lower() for d in details)  # ids, not the person's details
