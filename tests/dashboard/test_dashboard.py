import base64
import datetime as dt
import re
import uuid

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consents.models import ConsentText
from consents.purposes import ConsentPurpose
from privacy.breach_tasks import holdings_snapshot_take, snapshot_holdings
from privacy.breaches import breach_record
from privacy.models import HoldingSnapshot
from privacy.roles import Role
from privacy.subject_requests import subject_request_receive
from retention.models import LegalHold, RetentionRun
from tests.factories import CandidateFactory, ConsentRecordFactory, EmployeeFactory

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()
INDEX = reverse("admin:index")
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=TZ)


def local(*args):
    return dt.datetime(*args, tzinfo=TZ)


def login(client, role):
    user = User.objects.create_user(f"u-{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def templates(response):
    return [t.name for t in response.templates]


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


# --- who sees it ----------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.DPO, Role.ADMINISTRATOR])
def test_the_dpo_and_the_administrator_get_the_dashboard_as_front_page(client, role, now):
    login(client, role)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert "admin/dpo_dashboard.html" in templates(response)
    assert 'id="dashboard-breaches"' in response.content.decode()
    assert response.context["app_list"] is not None  # the app list stays below


@pytest.mark.parametrize("role", [Role.RECRUITER, Role.PAYROLL, Role.OPERATIONS])
def test_other_roles_get_the_plain_front_page(client, role, now):
    login(client, role)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert "admin/dpo_dashboard.html" not in templates(response)
    assert "dashboard-breaches" not in response.content.decode()


def test_a_superuser_gets_the_dashboard(client, now):
    client.force_login(User.objects.create_superuser("root", "root@serop.dk", "x" * 16))
    assert "admin/dpo_dashboard.html" in templates(client.get(INDEX))


# --- what it shows ---------------------------------------------------------------------------
def section(html, name):
    start = html.index(f'id="dashboard-{name}"')
    end = html.find('<div class="module"', start + 1)
    return html[start : end if end != -1 else len(html)]


def test_it_shows_requests_by_due_date_with_the_overdue_marked(client, now):
    login(client, Role.DPO)
    late = subject_request_receive(
        kind="access", channel="email", requester_name="A", received_at=local(2026, 5, 1, 9)
    )
    soon = subject_request_receive(
        kind="erasure", channel="email", requester_name="B", received_at=local(2026, 5, 20, 9)
    )
    html = section(client.get(INDEX).content.decode(), "requests")
    assert html.index(late.reference) < html.index(soon.reference)
    late_row = html[html.index(late.reference) : html.index(soon.reference)]
    assert "Overskredet" in late_row
    assert "Overskredet" not in html[html.index(soon.reference) :]
    assert "Åbne anmodninger fra registrerede: 2, heraf overskredet: 1" in html


def test_it_shows_the_last_run_of_each_rule_with_its_counts(client, now):
    login(client, Role.DPO)
    RetentionRun.objects.create(
        rule="cv_bank_inactivity",
        as_of=dt.date(2026, 1, 15),
        status="done",
        started_at=local(2026, 1, 15, 2),
        processed=3,
        counts={"candidates.candidate": 3},
    )
    RetentionRun.objects.create(
        rule="cv_bank_inactivity",
        as_of=dt.date(2026, 6, 14),
        status="done",
        started_at=local(2026, 6, 14, 2),
        processed=7,
        counts={"candidates.candidate": 7},
    )
    RetentionRun.objects.create(
        rule="cv_bank_inactivity",
        as_of=dt.date(2026, 6, 15),
        dry_run=True,
        started_at=local(2026, 6, 15, 9),
        processed=0,
        counts={"candidates.candidate": 99},
    )
    html = section(client.get(INDEX).content.decode(), "runs")
    assert "candidates.candidate: 7" in html
    assert "candidates.candidate: 3" not in html and ": 99" not in html


def test_it_shows_what_expires_in_the_next_30_days_per_rule(client, now):
    login(client, Role.DPO)
    CandidateFactory(last_activity_at=local(2025, 5, 1, 12))  # expired already
    CandidateFactory(last_activity_at=local(2025, 7, 1, 12))  # expires 1 July 2026
    CandidateFactory(last_activity_at=local(2026, 1, 1, 12))  # not within 30 days
    held = CandidateFactory(last_activity_at=local(2025, 7, 2, 12))  # held: stays
    LegalHold.objects.create(
        subject_ref=held.public_id, reason="Complaint", owner=User.objects.get()
    )
    response = client.get(INDEX)
    row = next(r for r in response.context["expiring"] if r["key"] == "cv_bank_inactivity")
    assert (row["due_now"], row["within"]) == (1, 1)
    assert not RetentionRun.objects.exists()  # counting records no run


def test_it_shows_legal_holds_ending_within_30_days(client, now):
    dpo = login(client, Role.DPO)
    LegalHold.objects.create(
        subject_ref=uuid.uuid4(),
        reason="Dispute about pay",
        owner=dpo,
        ends_on=dt.date(2026, 6, 25),
    )
    LegalHold.objects.create(
        subject_ref=uuid.uuid4(), reason="Lawsuit", owner=dpo, ends_on=dt.date(2026, 9, 1)
    )
    LegalHold.objects.create(
        subject_ref=uuid.uuid4(),
        reason="Lifted one",
        owner=dpo,
        ends_on=dt.date(2026, 6, 20),
        lifted_at=local(2026, 6, 1, 9),
    )
    html = section(client.get(INDEX).content.decode(), "holds")
    assert "Dispute about pay" in html
    assert "Lawsuit" not in html and "Lifted one" not in html


def test_it_shows_open_breaches_with_their_clocks(client, now):
    login(client, Role.DPO)
    overdue = breach_record(title="t", description="d", aware_at=local(2026, 6, 11, 9))
    running = breach_record(title="t", description="d", aware_at=local(2026, 6, 15, 8))
    html = section(client.get(INDEX).content.decode(), "breaches")
    assert overdue.reference in html and running.reference in html
    assert "Overskredet med" in html
    assert "70 t 00 min tilbage" in html


def test_it_counts_consents_per_purpose(client, now):
    login(client, Role.DPO)
    ConsentRecordFactory.create_batch(2)
    ConsentRecordFactory(withdrawn_at=NOW)
    newsletter, _created = ConsentText.objects.get_or_create(
        purpose=ConsentPurpose.NEWSLETTER,
        version=1,
        defaults={"text_da": "Ja", "text_en": "Yes", "published_at": NOW},
    )
    ConsentRecordFactory(text=newsletter)
    rows = {r["purpose"]: r for r in client.get(INDEX).context["consents"]}
    assert (
        rows[ConsentPurpose.CV_BANK.label]["active"],
        rows[ConsentPurpose.CV_BANK.label]["withdrawn"],
    ) == (2, 1)
    assert rows[ConsentPurpose.NEWSLETTER.label]["active"] == 1
    assert rows[ConsentPurpose.CANDIDATE_PHOTO.label]["active"] == 0


# --- the snapshot and the chart --------------------------------------------------------------
def test_the_daily_snapshot_counts_people_per_kind_and_replaces_the_days_count(now):
    EmployeeFactory.create_batch(3)
    CandidateFactory.create_batch(2)
    assert snapshot_holdings() > 0
    total = HoldingSnapshot.objects.get(
        taken_on=dt.date(2026, 6, 15), subject="employee", category=""
    )
    cpr = HoldingSnapshot.objects.get(subject="employee", category="national_id")
    assert (total.people, cpr.people, cpr.records) == (3, 3, 3)
    assert HoldingSnapshot.objects.get(subject="candidate", category="").people == 2
    EmployeeFactory()
    rows = holdings_snapshot_take()
    assert HoldingSnapshot.objects.count() == rows  # replaced, not added
    assert HoldingSnapshot.objects.get(subject="employee", category="").people == 4


def test_the_chart_is_drawn_on_the_server_from_the_snapshots(client, now):
    login(client, Role.DPO)
    EmployeeFactory.create_batch(2)
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        holdings_snapshot_take()
    EmployeeFactory()
    holdings_snapshot_take()
    html = section(client.get(INDEX).content.decode(), "holdings")
    sources = re.findall(r'<img class="chart" src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert len(sources) == 2
    svg = base64.b64decode(sources[0]).decode()
    assert "<svg" in svg and "Medarbejder (vikar eller konsulent)" in svg
    assert not re.search(r'(src|href)="https?://', svg)  # nothing fetched from outside
    assert "<script src" not in html.split('id="dashboard-holdings"')[1]
    latest = html[html.index("Registreret pr.") :]
    assert re.search(
        r"Medarbejder \(vikar eller konsulent\)</td><td>alle</td><td class=\"num\">3<", latest
    )


def test_without_snapshots_the_page_says_so(client, now):
    login(client, Role.DPO)
    assert "Ingen optællinger endnu" in client.get(INDEX).content.decode()


# --- cost --------------------------------------------------------------------------------------
def make_data(n, owner, start=0):
    for i in range(start, start + n):
        subject_request_receive(
            kind="access",
            channel="email",
            requester_name=f"P{i}",
            received_at=local(2026, 5, 1, 9) + dt.timedelta(days=i % 40),
            handler=owner,
        )
        RetentionRun.objects.create(
            rule="cv_bank_inactivity",
            as_of=dt.date(2026, 6, 1),
            status="done",
            started_at=local(2026, 6, 1, 2) + dt.timedelta(minutes=i),
            processed=i,
            counts={"candidates.candidate": i},
        )
        LegalHold.objects.create(
            subject_ref=uuid.uuid4(),
            reason=f"Hold {i}",
            owner=owner,
            ends_on=dt.date(2026, 6, 20) + dt.timedelta(days=i % 10),
        )
        ConsentRecordFactory(candidate=CandidateFactory(last_activity_at=local(2025, 7, 1, 12)))
        breach_record(
            title=f"B{i}",
            description="d",
            aware_at=local(2026, 6, 13, 9) + dt.timedelta(hours=i),
            handler=owner,
        )
        HoldingSnapshot.objects.create(
            taken_on=dt.date(2026, 6, 15) - dt.timedelta(days=i),
            subject="candidate",
            category="",
            people=i,
            records=i,
        )


def test_the_dashboard_costs_the_same_queries_for_1_or_50_rows_of_each_kind(client, now):
    dpo = login(client, Role.DPO)
    make_data(1, dpo)
    client.get(INDEX)  # warm the caches (content types, permissions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(INDEX).status_code == 200
    make_data(49, dpo, start=1)
    with CaptureQueriesContext(connection) as large:
        response = client.get(INDEX)
    assert response.context["requests"]["total"] == 50
    assert len(response.context["breaches"]["rows"]) == 25  # the list is cut, the total given
    assert len(large) == len(small), "\n".join(q["sql"][:150] for q in large.captured_queries)


def test_the_administrator_sees_no_hold_reasons(client, now):
    admin_user = login(client, Role.ADMINISTRATOR)
    hold = LegalHold.objects.create(
        subject_ref=uuid.uuid4(),
        reason="Complaint from Mette Jensen",
        owner=admin_user,
        ends_on=dt.date(2026, 6, 25),
    )
    html = section(client.get(INDEX).content.decode(), "holds")
    assert "Mette Jensen" not in html and f"#{hold.pk}" in html
