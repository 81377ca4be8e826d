"""The rest of the role matrix (tests/privacy/test_role_matrix.py has list, change, export and
reveal): import, "send CV to customer" and the Art. 18 restriction actions, by role; and every
admin list page, opened by each role that may open it, runs as many queries for many rows as
for one."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from django_otp.plugins.otp_totp.models import TOTPDevice

from candidates.models import Candidate
from privacy.models import PersonRecord
from privacy.roles import Role
from tests.privacy.test_role_matrix import MAY_VIEW, login_as, page

pytestmark = pytest.mark.django_db

MAY_IMPORT = {
    Role.RECRUITER: {"candidates.candidate"},
    Role.PAYROLL: {"employees.employee"},
    Role.ACCOUNT_MANAGER: {
        "customers.company",
        "customers.contactperson",
        "customers.newslettersubscriber",
        "customers.webshoporder",
    },
    Role.DPO: set(),
    Role.OPERATIONS: set(),
    Role.ADMINISTRATOR: set(),
}
MAY_DISCLOSE = {Role.RECRUITER}
MAY_RESTRICT = {Role.DPO}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_imports_exactly_where_it_may_add_and_change(client, role):
    login_as(client, role)
    importable = [m for m in admin.site._registry if page(m, "import") is not None]
    assert {m._meta.label_lower for m in importable} == set().union(*MAY_IMPORT.values())
    wrong = []
    for model in importable:
        allowed = model._meta.label_lower in MAY_IMPORT[role]
        status = client.get(page(model, "import")).status_code
        if (status == 200) != allowed:
            wrong.append((model._meta.label_lower, status))
    assert wrong == []


@pytest.mark.parametrize("role", list(Role))
def test_only_recruiters_send_a_cv_to_a_customer(client, role):
    from tests.factories import CandidateFactory

    candidate = CandidateFactory()
    login_as(client, role)
    response = client.get(page(Candidate, "disclose", candidate.pk))
    assert (response.status_code == 200) == (role in MAY_DISCLOSE), response.status_code


@pytest.mark.parametrize("role", list(Role))
def test_only_the_dpo_is_offered_the_restriction_actions_on_every_person_list(client, role):
    login_as(client, role)
    wrong = []
    for model in admin.site._registry:
        if not issubclass(model, PersonRecord) or model._meta.label_lower not in MAY_VIEW[role]:
            continue
        response = client.get(page(model, "changelist"))
        action_form = response.context["action_form"]  # None: no action at all
        choices = action_form.fields["action"].choices if action_form is not None else []
        offered = {name for name, _label in choices}
        expected = role in MAY_RESTRICT
        restriction = {"restrict_processing", "lift_restriction"} & offered
        if restriction != ({"restrict_processing", "lift_restriction"} if expected else set()):
            wrong.append((model._meta.label_lower, sorted(offered)))
    assert wrong == []


def _rows_on_every_list():
    """seed_demo leaves some admin lists (schedules, devices, lockouts) empty: two rows each."""
    call_command("seed_demo", stdout=io.StringIO())
    users = list(User.objects.order_by("pk")[:2])
    for n, user in enumerate(users):
        TOTPDevice.objects.create(user=user, name=f"phone {n}", confirmed=True)
        interval = IntervalSchedule.objects.create(every=n + 1, period=IntervalSchedule.HOURS)
        CrontabSchedule.objects.create(minute=str(n), hour="3")
        ClockedSchedule.objects.create(clocked_time=timezone.now() + dt.timedelta(days=n + 1))
        SolarSchedule.objects.create(
            event="sunrise", latitude=Decimal("55.4"), longitude=Decimal(f"11.{n}")
        )
        PeriodicTask.objects.create(name=f"task {n}", task="x", interval=interval)
    # AccessAttempt, AccessLog and AccessFailureLog
    for model in [m for m in admin.site._registry if m._meta.app_label == "axes"]:
        for n in range(2):
            extra = {"failures_since_start": 1} if hasattr(model, "failures_since_start") else {}
            model.objects.create(
                user_agent="pytest", ip_address=f"192.0.2.{n + 1}", username="x", **extra
            )


def test_every_admin_list_is_opened_by_some_role():
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert registered <= set().union(*MAY_VIEW.values())


@pytest.mark.parametrize("role", list(Role))
def test_every_list_page_runs_as_many_queries_for_many_rows_as_for_one(client, role):
    _rows_on_every_list()
    login_as(client, role)
    grew, too_short = [], []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        if label not in MAY_VIEW[role]:
            continue
        counts, shown = [], 0
        for per_page in (1, 50):
            model_admin.list_per_page = per_page
            try:
                with CaptureQueriesContext(connection) as ctx:
                    response = client.get(page(model, "changelist"))
            finally:
                model_admin.list_per_page = 100
            assert response.status_code == 200, label
            counts.append(len(ctx.captured_queries))
            shown = len(response.context["cl"].result_list)
        if shown < 2:
            too_short.append((label, shown))
        elif counts[0] != counts[1]:
            grew.append((label, counts))
    assert too_short == []
    assert grew == []
