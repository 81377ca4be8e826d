"""Every role on every admin page and action: what each may do is written out here, by hand,
from docs/roles.md, and compared with what the running admin allows."""

import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from privacy.roles import Role

CANDIDATES = {
    "candidates.candidate",
    "candidates.jobpreference",
    "candidates.candidatedocument",
    "candidates.education",
    "candidates.experience",
    "candidates.languageskill",
    "candidates.courseortest",
    "candidates.candidatereference",
    "candidates.nextofkin",
    "candidates.staffnote",
    "candidates.activityevent",
    "candidates.jobposting",
    "candidates.postingchannel",
    "candidates.application",
    "candidates.disclosure",
    "candidates.jobtype",
    "candidates.area",
}
EMPLOYEES = {
    "employees.employee",
    "employees.assignment",
    "employees.payrollrecord",
    "employees.absencerecord",
}
CUSTOMERS = {
    "customers.company",
    "customers.contactperson",
    "customers.betalingsservicemandate",
    "customers.subscription",
    "customers.webshoporder",
    "customers.customerreference",
    "customers.partner",
    "customers.newslettersubscriber",
    "customers.newsletterissue",
    "customers.contactenquiry",
}
CONSENTS = {"consents.consenttext", "consents.consentrecord"}
RETENTION = {
    "retention.legalhold",
    "retention.deletionnotice",
    "retention.tombstone",
    "retention.retentionrun",
}
BEAT = {
    "django_celery_beat.periodictask",
    "django_celery_beat.crontabschedule",
    "django_celery_beat.intervalschedule",
    "django_celery_beat.solarschedule",
    "django_celery_beat.clockedschedule",
}

# The models whose list and change pages each role may open.
MAY_VIEW = {
    Role.RECRUITER: CANDIDATES | {"customers.company", "customers.contactperson"} | CONSENTS,
    Role.PAYROLL: EMPLOYEES | {"customers.company"},
    Role.ACCOUNT_MANAGER: CUSTOMERS
    | CONSENTS
    | {"candidates.jobposting", "candidates.postingchannel", "candidates.disclosure"},
    Role.DPO: CANDIDATES
    | EMPLOYEES
    | CUSTOMERS
    | CONSENTS
    | BEAT
    | RETENTION
    | {"privacy.processor", "privacy.auditentry", "privacy.subjectrequest", "privacy.breach"}
    | {"privacy.privacynoticeversion"},
    Role.OPERATIONS: BEAT | {"privacy.processor", "retention.retentionrun"},
    Role.ADMINISTRATOR: BEAT
    | {
        "privacy.processor",
        "auth.user",
        "auth.group",
        "otp_totp.totpdevice",
        "axes.accessattempt",
        "axes.accesslog",
        "axes.accessfailurelog",
    },
}
MAY_REVEAL_CPR = {Role.PAYROLL, Role.DPO}


def login_as(client, role):
    user = User.objects.create_user(username=f"matrix-{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)


def page(model, name, *args):
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)
    except NoReverseMatch:
        return None


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_each_role_opens_exactly_its_pages(client, role):
    call_command("seed_demo", stdout=io.StringIO())
    login_as(client, role)
    wrong = []
    for model in admin.site._registry:
        label = model._meta.label_lower
        allowed = label in MAY_VIEW[role]
        urls = [page(model, "changelist")]
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append(page(model, "change", obj.pk))
        for url in urls:
            status = client.get(url).status_code
            if (status == 200) != allowed or status not in (200, 403, 302):
                wrong.append((label, url, status, "allowed" if allowed else "refused"))
    assert wrong == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_only_payroll_and_the_dpo_reveal_a_cpr_number(client, role):
    from tests.factories import EmployeeFactory

    employee = EmployeeFactory()
    login_as(client, role)
    status = client.get(reverse("admin:employees_employee_reveal_cpr", args=[employee.pk]))
    assert (status.status_code == 200) == (role in MAY_REVEAL_CPR)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_each_role_exports_exactly_what_it_may_view(client, role):
    login_as(client, role)
    exportable = [m for m in admin.site._registry if page(m, "export") is not None]
    assert {m._meta.label_lower for m in exportable} >= {
        "candidates.candidate",
        "employees.employee",
        "customers.company",
        "customers.contactperson",
        "customers.newslettersubscriber",
        "customers.webshoporder",
    }
    wrong = []
    for model in exportable:
        allowed = model._meta.label_lower in MAY_VIEW[role]
        status = client.get(page(model, "export")).status_code
        if (status == 200) != allowed:
            wrong.append((model._meta.label_lower, status))
    assert wrong == []
