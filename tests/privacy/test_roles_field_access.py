"""A field a role may not see (its registry sensitivity, privacy/access.py) is absent from the
admin's forms, inline rows, list columns, search and filters, not just hidden on the page."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.models import Group, Permission, User
from django.test import RequestFactory
from django.urls import reverse

from customers.models import BetalingsserviceMandate
from privacy.admin_mixins import PersonalDataAdmin
from privacy.roles import Role
from tests.factories import CandidateFactory, CompanyFactory

pytestmark = pytest.mark.django_db
BANK = {"reg_no", "account_no"}
CRIMINAL = {"criminal_record_status", "criminal_record_seen_on", "criminal_record_relevance"}


def user_in(role):
    user = User.objects.create_user(username=f"u-{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def mandate():
    return BetalingsserviceMandate.objects.create(
        company=CompanyFactory(),
        cvr="12345674",
        reg_no="9876",
        account_no="0011223344",
        pbs_customer_number="PBS0001",
        registered_on=dt.date(2024, 3, 1),
    )


@pytest.mark.parametrize(("role", "sees"), [(Role.ACCOUNT_MANAGER, False), (Role.DPO, True)])
def test_mandate_bank_numbers_follow_the_confidential_permission(client, mandate, role, sees):
    client.force_login(user_in(role))
    page = client.get(reverse("admin:customers_betalingsservicemandate_change", args=[mandate.pk]))
    assert page.status_code == 200
    # Form fields or, for a view-only role, read-only ones: every field the page shows.
    fields = set(flatten_fieldsets(page.context["adminform"].fieldsets))
    assert (fields >= BANK) == sees and (not BANK & fields) == (not sees)
    assert ("0011223344" in page.content.decode()) == sees

    company = client.get(reverse("admin:customers_company_change", args=[mandate.company.pk]))
    inline = next(
        i for i in company.context["inline_admin_formsets"] if i.formset.model is type(mandate)
    )
    assert (set(flatten_fieldsets(inline.fieldsets)) >= BANK) == sees
    assert ("0011223344" in company.content.decode()) == sees


def test_a_recruiter_sees_criminal_record_fields_and_a_plain_viewer_does_not(client):
    candidate = CandidateFactory()
    url = reverse("admin:candidates_candidate_change", args=[candidate.pk])
    client.force_login(user_in(Role.RECRUITER))
    assert set(client.get(url).context["adminform"].form.fields) >= CRIMINAL

    viewer = User.objects.create_user(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_candidate"))
    client.force_login(viewer)
    page = client.get(url)
    assert page.status_code == 200
    assert not CRIMINAL & set(page.context["adminform"].form.fields)


class MandateWithBankColumns(PersonalDataAdmin):
    """As if someone listed, searched and filtered the bank numbers by hand."""

    list_display = ["company", "reg_no", "account_no", "status"]
    search_fields = ["reg_no", "=account_no", "company__name", "cvr"]
    list_filter = ["account_no", ("reg_no", admin.EmptyFieldListFilter), "status"]


@pytest.mark.parametrize(("role", "sees"), [(Role.ACCOUNT_MANAGER, False), (Role.DPO, True)])
def test_hidden_fields_leave_the_list_columns_search_and_filters(role, sees):
    request = RequestFactory().get("/")
    request.user = user_in(role)
    model_admin = MandateWithBankColumns(BetalingsserviceMandate, admin.site)
    columns = model_admin.get_list_display(request)
    searched = model_admin.get_search_fields(request)
    filters = [f[0] if isinstance(f, tuple) else f for f in model_admin.get_list_filter(request)]
    form = model_admin.get_form(request)
    if sees:
        assert set(columns) >= BANK and len(searched) == 4 and len(filters) == 3
        assert set(form.base_fields) >= BANK
    else:
        assert (columns, searched, filters) == (
            ["company", "status"],
            ["company__name", "cvr"],
            ["status"],
        )
        assert not BANK & set(form.base_fields)


def test_a_search_through_a_relation_is_dropped_when_the_related_field_is_hidden():
    request = RequestFactory().get("/")
    request.user = user_in(Role.ACCOUNT_MANAGER)

    class CompanyByMandate(PersonalDataAdmin):
        search_fields = ["name", "mandates__account_no"]

    model_admin = CompanyByMandate(CompanyFactory._meta.model, admin.site)
    assert model_admin.get_search_fields(request) == ["name"]
