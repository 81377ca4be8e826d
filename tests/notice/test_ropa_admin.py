"""Downloading the records of processing from the admin: the DPO only, and audited."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from privacy.models import AuditEntry
from privacy.roles import Role

from .conftest import staff

pytestmark = pytest.mark.django_db
PAGE = reverse("admin:privacy_ropa")


def download(fmt: str, language: str = "da") -> str:
    return reverse("admin:privacy_ropa_download", args=[fmt, language])


def test_the_dpo_sees_a_download_for_each_format_and_language(client, dpo):
    response = client.get(PAGE)
    assert response.status_code == 200
    for fmt in ("pdf", "csv", "xlsx"):
        for language in ("da", "en"):
            assert download(fmt, language) in response.content.decode()


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("pdf", "application/pdf"),
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_the_dpo_downloads_each_format_and_the_download_is_audited(client, dpo, fmt, content_type):
    response = client.get(download(fmt, "en"))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].endswith(f'-en.{fmt}"')
    assert "no-store" in response["Cache-Control"]  # admin views are never cached
    if fmt == "csv":
        row = next(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert row["Controller"].startswith("SEROP ApS")
    elif fmt == "xlsx":
        assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "Activities"
    else:
        assert response.content.startswith(b"%PDF-")
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor_id == dpo.pk and entry.actor_username == dpo.username
    assert entry.detail == f"records of processing ({fmt}, en)"
    assert entry.ip_address == "127.0.0.1"


@pytest.mark.parametrize(
    "role",
    [Role.RECRUITER, Role.PAYROLL, Role.ACCOUNT_MANAGER, Role.OPERATIONS, Role.ADMINISTRATOR],
)
def test_every_other_role_is_refused_and_nothing_is_exported(client, role):
    client.force_login(staff(role))
    assert client.get(PAGE).status_code == 403
    assert client.get(download("csv")).status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()


def test_someone_not_logged_in_is_sent_to_the_login_page(client):
    response = client.get(download("pdf"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert not AuditEntry.objects.filter(action="export").exists()


def test_an_unknown_format_or_language_is_a_404_not_a_500(client, dpo):
    assert client.get(download("docx")).status_code == 404
    assert client.get(download("pdf", "de")).status_code == 404
