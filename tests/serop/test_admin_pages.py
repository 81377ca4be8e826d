"""Every model is in the admin, and every admin page answers; list pages run a number of
queries that does not grow with the rows shown."""

import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from privacy.registry import registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(User.objects.get(username="administrator"))
    return client


def admin_url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def test_every_model_holding_personal_data_is_in_the_admin():
    inline_models = {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }
    shown = set(admin.site._registry) | inline_models
    missing = [m._meta.label for m in registry.personal_models() if m not in shown]
    assert missing == []


def test_every_admin_page_answers(superuser_client):
    failures = []
    for model, model_admin in admin.site._registry.items():
        pages = [admin_url(model, "changelist")]
        if model_admin.has_add_permission(_request(superuser_client)):
            pages.append(admin_url(model, "add"))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            pages.append(admin_url(model, "change", obj.pk))
        for url in pages:
            status = superuser_client.get(url).status_code
            if status != 200:
                failures.append((url, status))
    assert failures == []


def test_list_pages_run_as_many_queries_for_fifty_rows_as_for_two(superuser_client):
    grew, measured = [], []
    for model, model_admin in admin.site._registry.items():
        if model._default_manager.count() < 3:
            continue
        counts = []
        for per_page in (2, 50):
            model_admin.list_per_page = per_page
            try:
                with CaptureQueriesContext(connection) as ctx:
                    response = superuser_client.get(admin_url(model, "changelist"))
            finally:
                model_admin.list_per_page = 100
            assert response.status_code == 200
            counts.append(len(ctx.captured_queries))
        measured.append(model._meta.label)
        if counts[0] != counts[1]:
            grew.append((model._meta.label, counts))
    assert grew == []
    assert {"candidates.Candidate", "employees.Employee", "customers.Company"} <= set(measured)


def _request(client):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = User.objects.get(username="administrator")
    return request
