import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from privacy.breaches import breach_save
from privacy.models import AuditEntry, Breach
from privacy.roles import Role
from tests.factories import EmployeeFactory

from .conftest import local, record, staff

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:privacy_breach_changelist")
ADD = reverse("admin:privacy_breach_add")
NOW = local(2026, 4, 2, 12, 0)


def url(name, breach):
    return reverse(f"admin:privacy_breach_{name}", args=[breach.pk])


def pdf_text(response):
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    # Whitespace normalised: a table cell wraps its text over lines.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def form_data(**values):
    data = {
        "title": "Payslips emailed to the wrong customer",
        "description": "A batch of payslips went to a customer contact.",
        "status": "open",
        "aware_at_0": "2026-04-01",
        "aware_at_1": "09:30:00",
        "authority_decision": "pending",
        "subjects_decision": "pending",
    }
    data.update(values)
    return data


@pytest.fixture
def time():
    with time_machine.travel(NOW, tick=False):
        yield


# --- who gets in ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role",
    [Role.RECRUITER, Role.PAYROLL, Role.ACCOUNT_MANAGER, Role.OPERATIONS, Role.ADMINISTRATOR],
)
def test_only_the_dpo_sees_the_breach_register(client, role, time):
    breach = record(aware_at=local(2026, 4, 1, 9, 30))
    client.force_login(staff(role))
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(url("change", breach)).status_code == 403
    assert client.get(url("report", breach)).status_code == 403
    assert client.post(url("recount", breach)).status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


def test_nobody_deletes_a_breach(client, dpo, time):
    breach = record(aware_at=local(2026, 4, 1, 9, 30))
    assert client.post(url("delete", breach), {"post": "yes"}).status_code == 403
    assert Breach.objects.filter(pk=breach.pk).exists()


# --- list ----------------------------------------------------------------------------------------
def test_the_list_shows_each_clock_and_highlights_the_overdue(client, dpo, time):
    overdue = record(aware_at=local(2026, 3, 29, 9, 0), title="Old one")
    running = record(aware_at=local(2026, 4, 2, 9, 0), title="New one")
    response = client.get(CHANGELIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "69 t 00 min tilbage" in html
    assert 'class="breach-overdue"' in html and "Overskredet med 27 t 00 min" in html
    assert html.index(overdue.reference) < html.index(running.reference)  # oldest clock first
    only_overdue = client.get(CHANGELIST, {"clock": "overdue"}).content.decode()
    assert overdue.reference in only_overdue and running.reference not in only_overdue


def test_the_list_costs_the_same_queries_for_one_breach_or_twenty(client, dpo, time):
    handler = staff(Role.DPO, "handler")
    record(aware_at=local(2026, 4, 1, 9, 0), handler=handler)
    client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as one:
        client.get(CHANGELIST)
    for n in range(19):
        record(aware_at=local(2026, 4, 1, 9, n), handler=staff(Role.DPO, f"h{n}"))
    with CaptureQueriesContext(connection) as twenty:
        assert client.get(CHANGELIST).content.decode().count("BR-2026-") >= 20
    assert len(twenty) == len(one)


# --- add and change -------------------------------------------------------------------------
def test_the_dpo_records_a_breach_with_counted_people_and_it_is_audited(client, dpo, time):
    EmployeeFactory.create_batch(3)
    response = client.post(
        ADD,
        form_data(
            data_categories=["payroll", "national_id"],
            subject_types=["employee"],
            confidentiality="on",
            handler=dpo.pk,
        ),
    )
    assert response.status_code == 302
    breach = Breach.objects.get()
    assert breach.reference == "BR-2026-0001" and breach.created_by == dpo
    assert breach.data_categories == ["payroll", "national_id"]
    assert breach.people_computed == 3
    assert AuditEntry.objects.filter(
        action="create", object_type="privacy.breach", actor_id=dpo.pk
    ).exists()


def test_a_rule_broken_in_the_form_is_a_danish_form_error(client, dpo, time):
    response = client.post(ADD, form_data(authority_decision="not_notify"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Angiv begrundelsen for ikke at anmelde bruddet" in errors["authority_reason"][0]
    assert not Breach.objects.exists()


def test_an_unknown_category_is_refused(client, dpo, time):
    response = client.post(ADD, form_data(data_categories=["passwords"]))
    assert response.status_code == 200
    assert "data_categories" in response.context["adminform"].form.errors


def test_viewing_and_changing_are_audited(client, dpo, time):
    breach = record(aware_at=local(2026, 4, 1, 9, 30))
    assert client.get(url("change", breach)).status_code == 200
    assert AuditEntry.objects.filter(action="view", object_id=str(breach.pk)).count() == 1
    response = client.post(
        url("change", breach),
        form_data(
            authority_decision="notify",
            authority_notified_at_0="2026-04-02",
            authority_notified_at_1="10:00:00",
            authority_reference="2026-441-0007",
        ),
    )
    assert response.status_code == 302
    breach.refresh_from_db()
    assert breach.authority_reference == "2026-441-0007" and breach.authority_decided_at == NOW
    entry = AuditEntry.objects.get(action="change", object_id=str(breach.pk))
    assert {"authority_decision", "authority_notified_at"} <= set(entry.fields)
    assert entry.changes["authority_decision"] == ["pending", "notify"]


def test_the_dpo_recounts_from_the_change_page(client, dpo, time):
    breach = record(
        aware_at=local(2026, 4, 1, 9, 30),
        data_categories=["national_id"],
        subject_types=["employee"],
    )
    EmployeeFactory.create_batch(2)
    assert client.get(url("recount", breach)).status_code == 405
    assert client.post(url("recount", breach)).status_code == 302
    breach.refresh_from_db()
    assert breach.people_computed == 2


# --- the report --------------------------------------------------------------------------------
def test_the_report_has_the_sections_of_datatilsynets_form_and_the_figures(client, dpo, time):
    EmployeeFactory.create_batch(4)
    breach = record(
        aware_at=local(2026, 3, 28, 10, 0),
        occurred_from=local(2026, 3, 27, 22, 0),
        title="Stolen laptop",
        confidentiality=True,
        data_categories=["national_id", "payroll"],
        subject_types=["employee"],
        consequences="Risk of identity theft.",
        measures_taken="Passwords reset; laptop wiped remotely.",
        handler=dpo,
    )
    Breach.objects.filter(pk=breach.pk).update(
        authority_decision="notify",
        authority_notified_at=local(2026, 3, 31, 15, 0),
        late_reason="The extent was unclear until the backup was restored.",
        authority_reference="2026-441-0099",
    )
    response = client.get(url("report", breach))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{breach.reference}-da.pdf"'
    text = pdf_text(response)
    for heading in [
        "Anmeldelse af brud på persondatasikkerheden",
        "1. Dataansvarlig",
        "2. Tidsforløb",
        "3. Bruddets karakter",
        "4. Berørte oplysninger og personer",
        "5. Sandsynlige konsekvenser",
        "6. Trufne og foreslåede foranstaltninger",
        "7. Underretning af de registrerede",
        "8. Grænseoverskridende forhold",
    ]:
        assert heading in text, heading
    assert "SEROP ApS" in text and "29135789" in text
    assert "28. marts 2026 10:00" in text  # aware
    assert "31. marts 2026 11:00" in text  # deadline, over the DST change
    assert "Begrundelse for anmeldelse efter 72 timer" in text  # notified late
    assert "The extent was unclear" in text
    assert "Personnummer (CPR-nummer)" in text
    assert "Omtrentligt antal personer 4" in text
    assert "2026-441-0099" in text
    entry = AuditEntry.objects.get(action="export", object_id=str(breach.pk))
    assert entry.actor_id == dpo.pk and entry.detail.endswith("(PDF, da)")


def test_the_report_in_english_and_an_estimate(client, dpo, time):
    breach = record(
        aware_at=local(2026, 4, 1, 9, 30),
        data_categories=["contact"],
        subject_types=["newsletter_subscriber"],
        people_estimate=120,
        estimate_note="The export held about 120 addresses.",
    )
    text = pdf_text(client.get(url("report", breach), {"language": "en"}))
    assert "Notification of a personal data breach" in text
    assert "4. Data and people affected" in text
    assert "Approximate number of people 120 (estimate)" in text
    assert "The export held about 120 addresses." in text
    assert "Reasons for notifying after 72 hours" not in text


def test_an_unknown_report_language_falls_back_to_danish(client, dpo, time):
    breach = record(aware_at=local(2026, 4, 1, 9, 30))
    text = pdf_text(client.get(url("report", breach), {"language": "xx"}))
    assert "Anmeldelse af brud på persondatasikkerheden" in text


def test_the_change_page_links_the_reports(client, dpo, time):
    breach = record(aware_at=local(2026, 4, 1, 9, 30))
    html = client.get(url("change", breach)).content.decode()
    assert f"{url('report', breach)}?language=da" in html
    assert f"{url('report', breach)}?language=en" in html
    assert url("recount", breach) in html


def test_the_deadline_is_shown_in_local_time(client, dpo, time):
    breach = record(aware_at=local(2026, 3, 28, 10, 0))
    html = client.get(url("change", breach)).content.decode()
    assert "31. marts 2026 11:00" in html
    assert breach.deadline == dt.datetime(2026, 3, 31, 9, 0, tzinfo=dt.UTC)


def test_the_report_names_the_controller_as_the_settings_state_it(client, dpo, time, settings):
    """The controller comes from SEROP_COMPANY, the same source as the records of processing
    and the notice: a changed phone number or address shows in the next report."""
    settings.SEROP_COMPANY = {
        **settings.SEROP_COMPANY,
        "phone": "11223344",
        "street": "Nygade 7",
        "contact_person": "Hanne Holm",
        "email": "gdpr@serop.dk",
    }
    breach = record(aware_at=local(2026, 4, 1, 9, 30))  # no handler: the company's contact
    text = pdf_text(client.get(url("report", breach)))
    assert "11223344" in text and "Nygade 7, 4200 Slagelse" in text
    assert "Hanne Holm, gdpr@serop.dk" in text


def test_the_report_gives_the_date_of_the_decision_on_notifying(client, dpo, time):
    breach = record(aware_at=local(2026, 4, 1, 9, 30))
    breach.authority_decision = Breach.Decision.NOT_NOTIFY
    breach.authority_reason = "The files were encrypted."
    breach_save(breach=breach, changes={"authority_decision": ("pending", "not_notify")})
    text = pdf_text(client.get(url("report", breach), {"language": "en"}))
    section = text[text.index("9. Decision on notifying Datatilsynet") :]
    assert "Decision recorded April 2, 2026, noon" in section  # NOW, in Danish time
