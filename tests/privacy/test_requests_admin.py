import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from privacy.models import AuditEntry, Processor, RecipientNotice, RequestMatch, SubjectRequest
from privacy.roles import Role
from privacy.subject_requests import subject_request_receive, subject_request_verify
from tests.factories import CandidateFactory, EmployeeFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:privacy_subjectrequest_changelist")
ADD = reverse("admin:privacy_subjectrequest_add")
TZ = timezone.get_default_timezone()


def login(client, role, username=None):
    user = User.objects.create_user(username=username or f"u-{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def url(name, request):
    return reverse(f"admin:privacy_subjectrequest_{name}", args=[request.pk])


def receive(received=None, **details):
    return subject_request_receive(
        kind=details.pop("kind", "access"),
        channel="email",
        requester_name=details.pop("requester_name", "Mette Jensen"),
        received_at=received,
        **details,
    )


def danish(message):
    with translation.override("da"):
        return str(translation.gettext(message))


@pytest.fixture
def dpo(client):
    return login(client, Role.DPO)


# --- receiving -------------------------------------------------------------------------------
def test_the_add_form_receives_the_request_through_the_service(client, dpo):
    response = client.post(
        ADD,
        {
            "kind": "access",
            "channel": "letter",
            "received_at_0": "2026-01-31",
            "received_at_1": "10:00:00",
            "requester_name": "Mette Jensen",
            "requester_email": "mette@example.dk",
            "requester_phone": "20304050",
            "requester_details": "",
            "language": "da",
            "handler": dpo.pk,
        },
    )
    request = SubjectRequest.objects.get()
    assert response.status_code == 302
    assert response.url == url("change", request)
    assert request.reference == "SR-2026-0001"
    assert request.due_on == dt.date(2026, 2, 28)  # one calendar month, to the month's end
    assert request.handler == dpo and request.status == SubjectRequest.Status.RECEIVED
    entry = AuditEntry.objects.get(object_type="privacy.subjectrequest", action="create")
    assert entry.actor_id == dpo.pk and entry.detail == "access request received"


def test_the_add_form_shows_errors_instead_of_saving(client, dpo):
    response = client.post(ADD, {"kind": "access", "channel": "email", "language": "da"})
    assert response.status_code == 200
    assert "requester_name" in response.context["adminform"].form.errors
    assert not SubjectRequest.objects.exists()


def test_after_receipt_only_the_requesters_details_and_handler_are_edited(client, dpo):
    request = receive()
    page = client.get(url("change", request))
    form_fields = set(page.context["adminform"].form.fields)
    assert {"requester_name", "requester_email", "handler"} <= form_fields
    assert not form_fields & {"status", "verified_at", "due_on", "outcome", "closed_at"}
    assert client.post(url("delete", request), {"post": "yes"}).status_code == 403


def change_data(request, **changes):
    return {
        "requester_name": request.requester_name,
        "requester_email": request.requester_email,
        "requester_phone": request.requester_phone,
        "requester_details": request.requester_details,
        "language": request.language,
        "handler": "",
        "matches-TOTAL_FORMS": "0",
        "matches-INITIAL_FORMS": "0",
        "recipients-TOTAL_FORMS": "0",
        "recipients-INITIAL_FORMS": "0",
        "exports-TOTAL_FORMS": "0",
        "exports-INITIAL_FORMS": "0",
        **changes,
    }


def test_changing_the_email_of_a_verified_request_means_verifying_again(client, dpo):
    request = receive(requester_email="mette@example.dk", requester_phone="20304050")
    subject_request_verify(request=request, method="email_on_file", actor=dpo)

    # A corrected name keeps the verification: the answer still goes where it was verified.
    response = client.post(url("change", request), change_data(request, requester_name="Mette J."))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.is_verified and request.status == SubjectRequest.Status.VERIFIED

    response = client.post(
        url("change", request), change_data(request, requester_email="someone@example.com")
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.requester_email == "someone@example.com"
    assert not request.is_verified and request.verified_by is None
    assert request.verification_method == "" and request.status == SubjectRequest.Status.RECEIVED
    assert AuditEntry.objects.filter(
        object_id=str(request.pk), detail__contains="verified again"
    ).exists()


# --- verify, extend, close ----------------------------------------------------------------
def test_the_dpo_verifies_the_identity_through_the_admin(client, dpo):
    request = receive()
    assert client.get(url("verify", request)).status_code == 200
    response = client.post(url("verify", request), {"method": "id_document"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.verification_method == "id_document" and request.verified_by == dpo
    assert request.status == SubjectRequest.Status.VERIFIED


def test_the_dpo_extends_the_deadline_with_a_reason_and_the_notice(client, dpo):
    request = receive(received=dt.datetime(2026, 1, 31, 10, 0, tzinfo=TZ))
    response = client.post(
        url("extend", request),
        {
            "months": "2",
            "reason": "Many records in several systems",
            "notified_at_0": "2026-02-20",
            "notified_at_1": "09:00:00",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.extended_to == dt.date(2026, 4, 28)
    assert request.extension_reason == "Many records in several systems"


def test_a_refused_extension_shows_the_services_reason_in_danish(client, dpo):
    request = receive(received=dt.datetime(2026, 1, 31, 10, 0, tzinfo=TZ))
    response = client.post(
        url("extend", request),
        {
            "months": "1",
            "reason": "Many records",
            "notified_at_0": "2026-03-01",  # after the first deadline, 28 February
            "notified_at_1": "09:00:00",
        },
    )
    assert response.status_code == 200
    assert response["Content-Language"] == "da"
    message = danish("The person must be told of the extension before the first deadline.")
    assert response.context["form"].non_field_errors() == [message]
    assert message in response.content.decode()
    request.refresh_from_db()
    assert request.extended_to is None


def test_an_unverified_request_cannot_be_closed_as_answered_from_the_admin(client, dpo):
    request = receive()
    response = client.post(url("close", request), {"status": "answered", "outcome": "Sent"})
    assert response.status_code == 200
    message = danish("Verify the requester's identity before answering.")
    assert response.context["form"].non_field_errors() == [message]
    request.refresh_from_db()
    assert request.is_open and request.status == SubjectRequest.Status.RECEIVED


def test_a_verified_request_is_closed_and_then_takes_no_more_steps(client, dpo):
    request = receive()
    subject_request_verify(request=request, method="mitid", actor=dpo)
    response = client.post(url("close", request), {"status": "answered", "outcome": "Export sent"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "answered" and request.closed_at is not None
    assert request.outcome == "Export sent"
    again = client.post(url("close", request), {"status": "refused", "outcome": "x"})
    assert again.status_code == 302
    assert SubjectRequest.objects.get(pk=request.pk).status == "answered"


def test_the_object_tools_link_to_the_steps(client, dpo):
    request = receive()
    content = client.get(url("change", request)).content.decode()
    for step in ("verify", "extend", "close", "find_person"):
        assert url(step, request) in content


# --- the list ---------------------------------------------------------------------------------
@time_machine.travel(dt.datetime(2026, 3, 10, 12, 0, tzinfo=TZ), tick=False)
def test_the_list_shows_open_requests_by_deadline_with_the_overdue_flagged(client, dpo):
    overdue = receive(received=dt.datetime(2026, 1, 5, 9, 0, tzinfo=TZ))  # due 5 February
    soon = receive(received=dt.datetime(2026, 2, 20, 9, 0, tzinfo=TZ))  # due 20 March
    later = receive(received=dt.datetime(2026, 3, 1, 9, 0, tzinfo=TZ))  # due 1 April
    closed = receive(received=dt.datetime(2026, 1, 1, 9, 0, tzinfo=TZ))
    SubjectRequest.objects.filter(pk=closed.pk).update(closed_at=timezone.now(), status="refused")
    page = client.get(CHANGELIST)
    assert list(page.context["cl"].result_list) == [overdue, soon, later, closed]
    content = page.content.decode()
    assert content.count("&#9873;") == 1  # the red flag, on the overdue one only
    overdue_only = client.get(CHANGELIST, {"overdue": "yes"})
    assert list(overdue_only.context["cl"].result_list) == [overdue]
    open_only = client.get(CHANGELIST, {"open": "open"})
    assert closed not in open_only.context["cl"].result_list
    by_reference = client.get(CHANGELIST, {"q": soon.reference})
    assert list(by_reference.context["cl"].result_list) == [soon]


def test_the_list_takes_the_same_number_of_queries_for_many_requests(client, dpo):
    receive(handler=dpo)
    with CaptureQueriesContext(connection) as one:
        assert client.get(CHANGELIST).status_code == 200
    for i in range(10):
        receive(handler=User.objects.create_user(f"h{i}", is_staff=True))
    with CaptureQueriesContext(connection) as eleven:
        assert client.get(CHANGELIST).status_code == 200
    assert len(eleven) == len(one)


# --- finding the person ------------------------------------------------------------------------
def test_the_search_form_is_prefilled_with_the_requesters_details(client, dpo):
    request = receive(requester_email="mette@example.dk", requester_phone="20304050")
    page = client.get(url("find_person", request))
    assert page.status_code == 200
    form = page.context["form"]
    assert (form["email"].value(), form["phone"].value(), form["name"].value()) == (
        "mette@example.dk",
        "20304050",
        "Mette Jensen",
    )


def test_the_dpo_finds_the_person_adds_records_and_confirms_them(client, dpo):
    request = receive(requester_email="mette@example.dk")
    candidate = CandidateFactory(email="Mette@Example.dk", first_name="Mette", last_name="Jensen")
    employee = EmployeeFactory(
        first_name="Mette", last_name="Jensen", birth_date=dt.date(1990, 5, 1), cpr="010590-1234"
    )
    CandidateFactory(email="someone@example.dk")
    search = {"email": "mette@example.dk", "name": "Mette Jensen", "birth_date": "1990-05-01"}
    page = client.post(url("find_person", request), {**search, "action": "search"})
    assert page.status_code == 200
    rows = page.context["rows"]
    assert {(r["match"].model, r["match"].pk) for r in rows} == {
        (type(candidate), candidate.pk),
        (type(employee), employee.pk),
    }
    assert "Mette Jensen &lt;Mette@Example.dk&gt;" in page.content.decode()
    found_by = {r["match"].model: r["found_by"] for r in rows}
    assert found_by[type(employee)] == danish("name and birth date")
    assert found_by[type(candidate)] == danish("email")
    assert AuditEntry.objects.filter(
        action="view", object_id=str(request.pk), detail="person search by email, name"
    ).exists()

    keys = [r["match"].key for r in rows]
    client.post(url("find_person", request), {**search, "action": "add", "record": keys})
    matches = RequestMatch.objects.filter(request=request)
    assert {(m.content_type.model, m.object_id) for m in matches} == {
        ("candidate", str(candidate.pk)),
        ("employee", str(employee.pk)),
    }
    assert not any(m.confirmed for m in matches)

    mine = matches.get(content_type__model="candidate")
    client.post(url("find_person", request), {**search, "confirm": f"{mine.pk}:1"})
    assert RequestMatch.objects.get(pk=mine.pk).confirmed
    client.post(url("find_person", request), {**search, "confirm": f"{mine.pk}:0"})
    assert not RequestMatch.objects.get(pk=mine.pk).confirmed


def test_only_records_the_search_found_can_be_added(client, dpo):
    request = receive()
    stranger = CandidateFactory(email="stranger@example.dk")
    client.post(
        url("find_person", request),
        {
            "email": "nobody@example.dk",
            "action": "add",
            "record": [f"candidates.candidate:{stranger.pk}"],
        },
    )
    assert not RequestMatch.objects.exists()


def test_a_search_without_any_key_is_an_error_not_a_crash(client, dpo):
    request = receive()
    page = client.post(url("find_person", request), {"action": "search"})
    assert page.status_code == 200
    assert page.context["form"].errors
    page = client.post(url("find_person", request), {"name": "Mette", "action": "search"})
    assert page.context["form"].errors


def test_the_cpr_number_is_never_put_in_an_address(client, dpo):
    request = receive()
    page = client.get(url("find_person", request))
    assert 'method="post"' in page.content.decode()
    assert 'method="get"' not in page.content.decode().lower()


# --- recipients to tell (Art. 19) -----------------------------------------------------------
def test_ticking_told_records_when_and_by_whom(client, dpo):
    request = receive(kind="erasure")
    processor = Processor.objects.first()
    data = {
        "requester_name": request.requester_name,
        "requester_email": "",
        "requester_phone": "",
        "requester_details": "",
        "language": "da",
        "handler": "",
        "matches-TOTAL_FORMS": "0",
        "matches-INITIAL_FORMS": "0",
        "recipients-TOTAL_FORMS": "1",
        "recipients-INITIAL_FORMS": "0",
        "recipients-0-processor": processor.pk,
        "recipients-0-company": "",
        "recipients-0-told": "on",
        "exports-TOTAL_FORMS": "0",
        "exports-INITIAL_FORMS": "0",
    }
    response = client.post(url("change", request), data)
    assert response.status_code == 302, response.context["inline_admin_formsets"]
    notice = RecipientNotice.objects.get(request=request)
    assert notice.processor == processor and notice.notified_by == dpo
    assert notice.notified_at is not None


def test_a_recipient_needs_a_processor_or_a_customer(client, dpo):
    request = receive(kind="erasure")
    data = {
        "requester_name": request.requester_name,
        "language": "da",
        "matches-TOTAL_FORMS": "0",
        "matches-INITIAL_FORMS": "0",
        "recipients-TOTAL_FORMS": "1",
        "recipients-INITIAL_FORMS": "0",
        "recipients-0-processor": "",
        "recipients-0-company": "",
        "recipients-0-told": "on",
        "exports-TOTAL_FORMS": "0",
        "exports-INITIAL_FORMS": "0",
    }
    response = client.post(url("change", request), data)
    assert response.status_code == 200
    assert not RecipientNotice.objects.exists()


# --- who may ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role",
    [Role.RECRUITER, Role.PAYROLL, Role.ACCOUNT_MANAGER, Role.OPERATIONS, Role.ADMINISTRATOR],
)
def test_only_the_dpo_handles_requests(client, role):
    request = receive()
    login(client, role)
    for address in (CHANGELIST, ADD, url("change", request)):
        assert client.get(address).status_code == 403, address
    for step in ("verify", "extend", "close", "find_person"):
        assert client.get(url(step, request)).status_code == 403, step
        assert client.post(url(step, request), {"method": "mitid"}).status_code == 403, step
    assert SubjectRequest.objects.get(pk=request.pk).verified_at is None
