"""Import and export of candidates in the admin (candidates/resources.py and the shared rules in
privacy/import_export.py)."""

import csv
import io
import os
import re
from datetime import timedelta

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import Group, Permission, User
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from candidates.resources import CandidateResource
from privacy.import_export import CSV, EncryptedTempStorage, escape_formula, unescape_formula
from privacy.models import AuditEntry
from privacy.roles import Role
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("admin:candidates_candidate_export")
IMPORT = reverse("admin:candidates_candidate_import")
PROCESS = reverse("admin:candidates_candidate_process_import")
CSV_FORMAT, XLSX_FORMAT = "0", "1"
HEADER = "email,first_name,last_name,phone,postcode,city,language,status\n"


def log_in(client, role=None, *, codenames=()):
    user = User.objects.create_user(username=f"u-{role}-{len(codenames)}", is_staff=True)
    if role:
        user.groups.add(Group.objects.get(name=role))
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return user


def export(client, url, file_format):
    """Post the export form with every offered column ticked; the file's rows (headers first)."""
    page = client.get(url)
    assert page.status_code == 200
    fields = page.context["form"].fields
    data = {name: "on" for name, f in fields.items() if getattr(f, "is_selectable_field", False)}
    response = client.post(url, {"format": file_format, "resource": "0", **data})
    assert response.status_code == 200, response.content[:500]
    assert "attachment" in response["Content-Disposition"]
    if file_format == XLSX_FORMAT:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return [
            [c if c is not None else "" for c in row] for row in sheet.iter_rows(values_only=True)
        ]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def preview(client, url, content, name="import.csv", file_format=CSV_FORMAT):
    upload = SimpleUploadedFile(name, content if isinstance(content, bytes) else content.encode())
    return client.post(url, {"resource": "0", "format": file_format, "import_file": upload})


def confirm(client, url, page):
    form = page.context["confirm_form"]
    assert form is not None, page.context["result"].base_errors
    return client.post(url, {name: form.initial.get(name, "") for name in form.fields})


def entries(action):
    return list(AuditEntry.objects.filter(action=action))


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT])
def test_a_recruiter_exports_candidates_as_csv_and_xlsx(client, file_format):
    CandidateFactory(email="mette@example.dk", criminal_record_status="seen_clean")
    log_in(client, Role.RECRUITER)
    rows = export(client, EXPORT, file_format)
    assert rows[0][:3] == ["email", "first_name", "last_name"]
    assert "criminal_record_status" in rows[0]  # recruiters may see criminal-record data
    assert len(rows) == 2
    assert rows[1][0] == "mette@example.dk"
    assert rows[1][rows[0].index("criminal_record_status")] == "seen_clean"


def test_an_export_by_someone_who_may_not_see_criminal_records_has_no_such_columns(client):
    CandidateFactory(criminal_record_status="seen_entries")
    log_in(client, codenames=["view_candidate"])  # candidates, but not criminal-record data
    rows = export(client, EXPORT, CSV_FORMAT)
    assert not [h for h in rows[0] if h.startswith("criminal_record")]
    assert "seen_entries" not in str(rows)


def test_every_export_writes_one_audit_entry_with_count_and_field_names_and_no_values(client):
    CandidateFactory.create_batch(3, first_name="Sørine")
    log_in(client, Role.RECRUITER)
    export(client, EXPORT, CSV_FORMAT)
    export(client, EXPORT, XLSX_FORMAT)
    exported = entries(AuditEntry.Action.EXPORT)
    assert len(exported) == 2
    for entry in exported:
        assert entry.object_type == "candidates.candidate"
        assert entry.count == 3
        assert {"email", "first_name", "criminal_record_status"} <= set(entry.fields)
        assert entry.changes == {} and "Sørine" not in entry.detail and "@" not in entry.detail


def test_restricted_candidates_are_left_out_of_a_recruiters_export(client):
    CandidateFactory(email="open@example.dk")
    CandidateFactory(email="restricted@example.dk", is_restricted=True)
    log_in(client, Role.RECRUITER)
    rows = export(client, EXPORT, CSV_FORMAT)
    assert [r[0] for r in rows[1:]] == ["open@example.dk"]
    assert entries(AuditEntry.Action.EXPORT)[0].count == 1


def test_a_role_without_view_permission_cannot_export(client):
    log_in(client, Role.OPERATIONS)
    assert client.get(EXPORT).status_code == 403


def test_import_preview_shows_row_errors_in_danish_and_imports_nothing(client):
    log_in(client, Role.RECRUITER)
    content = (
        HEADER
        + "ok@example.dk,Anna,Berg,20304050,4200,Slagelse,da,active\n"
        + "bad-phone@example.dk,Bo,Dam,12,4200,Slagelse,da,active\n"
        + "bad-postcode@example.dk,Carl,Ebbe,20304050,42,Slagelse,da,active\n"
    )
    page = preview(client, IMPORT, content)
    assert page.status_code == 200
    result = page.context["result"]
    assert [row.number for row in result.invalid_rows] == [2, 3]
    html = page.content.decode()
    assert "Indtast et dansk telefonnummer" in html
    assert "Et dansk postnummer består af præcis 4 cifre." in html
    assert page.context.get("confirm_form") is None
    assert not Candidate.objects.exists()
    assert not entries(AuditEntry.Action.IMPORT)


def test_a_valid_csv_imports_all_rows_and_writes_one_import_audit_entry(client):
    long_ago = timezone.now() - timedelta(days=200)
    existing = CandidateFactory(
        email="Kendt@Example.dk", first_name="Old", last_activity_at=long_ago
    )
    user = log_in(client, Role.RECRUITER)
    content = (
        HEADER
        + "kendt@example.dk,Kendt,Person,+45 20 30 40 50,4200,Slagelse,da,active\n"
        + "ny1@example.dk,Ny,En,20304051,4200,Slagelse,da,active\n"
        + " ny2@example.dk ,Ny,To,20304052,2100,København Ø,en,pending\n"
    )
    page = preview(client, IMPORT, content)
    assert not entries(AuditEntry.Action.IMPORT)  # a preview is not an import
    assert Candidate.objects.count() == 1
    response = confirm(client, PROCESS, page)
    assert response.status_code == 302
    assert Candidate.objects.count() == 3
    existing.refresh_from_db()
    # Updated by email regardless of case; a staff import is not the candidate's activity.
    assert (existing.first_name, existing.phone) == ("Kendt", "20304050")
    assert existing.last_activity_at == long_ago
    new = Candidate.objects.get(email="ny2@example.dk")
    assert new.channel == Candidate.Channel.STAFF and new.language == "en"
    assert timezone.now() - new.last_activity_at < timedelta(minutes=1)
    (entry,) = entries(AuditEntry.Action.IMPORT)
    assert entry.count == 3 and entry.actor_id == user.pk
    assert entry.object_type == "candidates.candidate"
    assert set(entry.fields) == {"first_name", "last_name", "phone", "postcode", "city"} | {
        "language",
        "status",
        "email",
    }
    assert entry.detail == "new=2 updated=1"
    assert "example.dk" not in str(entry.fields) + str(entry.changes) + entry.detail


def test_the_same_email_twice_in_a_file_is_a_row_error(client):
    log_in(client, Role.RECRUITER)
    content = (
        HEADER
        + "twice@example.dk,A,B,20304050,4200,Slagelse,da,active\n"
        + "TWICE@example.dk,C,D,20304050,4200,Slagelse,da,active\n"
    )
    result = preview(client, IMPORT, content).context["result"]
    assert [row.number for row in result.invalid_rows] == [2]
    assert "email" in result.invalid_rows[0].error_dict


def test_a_column_the_user_may_not_see_is_refused_and_nothing_is_imported(client):
    # Allowed to add and change candidates, but not to see criminal-record data.
    log_in(client, codenames=["view_candidate", "add_candidate", "change_candidate"])
    content = (
        "email,first_name,last_name,phone,criminal_record_status\n"
        "x@example.dk,X,Y,20304050,seen_entries\n"
    )
    page = preview(client, IMPORT, content)
    result = page.context["result"]
    assert result.has_errors()
    assert "criminal_record_status" in str(result.base_errors[0].error)
    assert "seen_entries" not in page.content.decode()
    assert page.context.get("confirm_form") is None
    assert not Candidate.objects.exists()


def test_a_role_without_add_and_change_permission_cannot_import(client):
    log_in(client, Role.DPO)  # views candidates, changes none
    assert client.get(IMPORT).status_code == 403
    assert client.post(PROCESS, {}).status_code == 403


def test_a_restricted_candidate_is_not_changed_by_an_import():
    CandidateFactory(email="held@example.dk", first_name="Held", is_restricted=True)
    dataset = tablib.Dataset(headers=["email", "first_name", "last_name", "phone"])
    dataset.append(["held@example.dk", "Changed", "X", "20304050"])
    result = CandidateResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert Candidate.objects.get().first_name == "Held"


def test_a_confirmed_import_with_one_invalid_row_saves_nothing():
    dataset = tablib.Dataset(headers=["email", "first_name", "last_name", "phone"])
    for i in range(2500):  # more than one bulk batch is written before the bad row
        dataset.append([f"c{i}@example.dk", "A", "B", "20304050"])
    dataset.append(["bad@example.dk", "A", "B", "not a phone"])
    result = CandidateResource().import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert not Candidate.objects.exists()
    assert not entries(AuditEntry.Action.IMPORT)


def test_a_semicolon_separated_file_from_danish_excel_is_read():
    text = "email;first_name;last_name;phone\nsemi@example.dk;Søren;Ærø;20304050\n"
    dataset = CSV(encoding="utf-8-sig").create_dataset(("\ufeff" + text).encode())
    result = CandidateResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Candidate.objects.get().last_name == "Ærø"


def test_formulae_are_neutralised_on_export_and_restored_on_import(client):
    CandidateFactory(email="formula@example.dk", first_name='=HYPERLINK("http://x","y")')
    log_in(client, Role.RECRUITER)
    rows = export(client, EXPORT, CSV_FORMAT)
    assert rows[1][1] == '\'=HYPERLINK("http://x","y")'
    assert escape_formula("+45 20 30 40 50") == "+45 20 30 40 50"
    assert escape_formula("-12.50") == "-12.50"
    assert escape_formula("+1+cmd|' /C calc'!A0").startswith("'")
    assert unescape_formula(rows[1][1]) == '=HYPERLINK("http://x","y")'
    assert unescape_formula("'plain") == "'plain"


def test_the_uploaded_file_waits_encrypted_and_is_removed_on_confirm(client, settings):
    log_in(client, Role.RECRUITER)
    page = preview(client, IMPORT, HEADER + "secret@example.dk,A,B,20304050,4200,X,da,active\n")
    stored = page.context["confirm_form"].initial["import_file_name"]
    path = f"{EncryptedTempStorage.folder}/{stored}"
    with default_storage.open(path, "rb") as f:
        assert b"secret@example.dk" not in f.read()
    confirm(client, PROCESS, page)
    assert not default_storage.exists(path)
    assert Candidate.objects.filter(email="secret@example.dk").exists()


def test_the_audit_trail_of_imports_and_exports_holds_no_personal_values(client):
    log_in(client, Role.RECRUITER)
    confirm(client, PROCESS, preview(client, IMPORT, HEADER + "p@example.dk,Pia,Q,20304050,,,,\n"))
    export(client, EXPORT, CSV_FORMAT)
    for entry in AuditEntry.objects.all():
        text = f"{entry.fields} {entry.changes} {entry.detail}"
        assert not re.search(r"@|Pia|20304050", text)


def test_an_export_of_some_columns_audits_those_columns_only(client):
    CandidateFactory()
    log_in(client, Role.RECRUITER)
    response = client.post(
        EXPORT,
        {"format": CSV_FORMAT, "resource": "0", "candidateresource_email": "on"}
        | {"candidateresource_phone": "on"},
    )
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == ["email", "phone"]
    assert AuditEntry.objects.get(action=AuditEntry.Action.EXPORT).fields == ["email", "phone"]


def test_an_exported_xlsx_file_imports_back_as_updates(client):
    CandidateFactory.create_batch(2, is_unemployed=True, birth_date="1990-05-17")
    log_in(client, Role.RECRUITER)
    content = client.post(
        EXPORT,
        {"format": XLSX_FORMAT, "resource": "0"}
        | {name: "on" for name in client.get(EXPORT).context["form"].fields if "resource_" in name},
    ).content
    page = preview(client, IMPORT, content, name="candidates.xlsx", file_format=XLSX_FORMAT)
    result = page.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["update"] == 2
    assert confirm(client, PROCESS, page).status_code == 302
    assert Candidate.objects.count() == 2
    assert AuditEntry.objects.get(action=AuditEntry.Action.IMPORT).count == 2


def test_an_upload_left_in_preview_is_deleted_by_a_later_upload():
    old = EncryptedTempStorage(read_mode="r", encoding="utf-8")
    old.save(b"email\nold@example.dk\n")
    thirteen_hours_ago = (timezone.now() - timedelta(hours=13)).timestamp()
    path = default_storage.path(f"{EncryptedTempStorage.folder}/{old.name}")
    os.utime(path, (thirteen_hours_ago, thirteen_hours_ago))
    new = EncryptedTempStorage(read_mode="r", encoding="utf-8")
    new.save(b"email\nnew@example.dk\n")
    assert not default_storage.exists(f"{EncryptedTempStorage.folder}/{old.name}")
    assert new.read() == "email\nnew@example.dk\n"


def test_the_candidate_list_offers_import_and_export_to_a_recruiter(client):
    log_in(client, Role.RECRUITER)
    page = client.get(reverse("admin:candidates_candidate_changelist"))
    assert IMPORT in page.content.decode() and EXPORT in page.content.decode()
    assert client.get(IMPORT).status_code == 200
