"""Access and portability exports (GDPR Art. 15 and 20): completeness against the registry, the
refusals, the audit trail, the person's link and the DPO's download, expiry, and no confidential
value in the audit trail or the logs."""

import datetime as dt
import io
import json
import logging
import os
import re
import subprocess
import sys
import uuid
import zipfile
from decimal import Decimal
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from pypdf import PdfReader

from candidates import models as cm
from consents.models import ConsentText
from customers.models import Company, ContactPerson
from employees.models import Employee
from privacy.export_tasks import delete_expired_exports, generate_access_export
from privacy.fields import BlindIndexField, EncryptedDateField, EncryptedDecimalField
from privacy.models import AuditEntry, Processor, RequestExport, RequestMatch
from privacy.registry import registry
from privacy.roles import Role
from privacy.subject_data import CLOCKS, collect, paths_to
from privacy.subject_export import (
    DATA_FILE,
    ExportStatus,
    export_generate,
    export_link,
    export_send_link,
)
from privacy.subject_requests import subject_request_receive, subject_request_verify
from privacy.taxonomy import Source, Subject
from tests.factories import (
    CandidateDocumentFactory,
    CandidateFactory,
    CompanyFactory,
    ConsentRecordFactory,
    ContactPersonFactory,
    EmployeeFactory,
    JobPostingFactory,
    PayrollRecordFactory,
)

pytestmark = pytest.mark.django_db

CPR = "241286-7391"


# --- people with a marker in every personal field ------------------------------------------
class Marked:
    """Creates rows with a distinct, findable value in every personal field the registry
    declares, and remembers what each must look like in the report and in data.json."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.n = 0
        self.rows: list[models.Model] = []

    def next(self) -> int:
        self.n += 1
        return self.n

    def value(self, model, f):
        n = self.next()
        name = f"{model._meta.model_name}-{f.name}"
        if f.choices:
            # The choice with the longest label: the one least likely to be found by chance.
            return max(f.flatchoices, key=lambda c: len(str(c[1])))[0]
        if isinstance(f, models.BooleanField):
            return True
        if isinstance(f, models.DateTimeField):
            start = timezone.make_aware(dt.datetime(1990, 1, 1, 8, 0))
            return start + dt.timedelta(days=53 * n, minutes=7 * n)
        if isinstance(f, models.DateField | EncryptedDateField):
            return dt.date(1990, 1, 1) + dt.timedelta(days=97 * n)
        if isinstance(f, models.DecimalField | EncryptedDecimalField):
            if f.decimal_places == 1:
                return Decimal(f"{100 + n}.{n % 9 + 1}")
            return Decimal(f"{10000 + n}.{10 + n % 89}")
        if isinstance(f, models.UUIDField):
            return uuid.uuid4()
        if isinstance(f, models.IntegerField):
            return 7000 + n
        if isinstance(f, models.GenericIPAddressField):
            return f"192.0.2.{n % 250 + 1}"
        if isinstance(f, models.EmailField):
            return f"mrk{n}@example.dk"
        if isinstance(f, models.JSONField):
            return [f"MRK-{name}"]
        if isinstance(f, models.CharField | models.TextField):
            longest = f.max_length or 10_000
            for text in (f"MRK-{name}", f"MRK{n:05d}", str(9000 + n), f"Q{chr(65 + n % 26)}"):
                if len(text) <= longest:
                    return text
        raise AssertionError(f"no marker for {model.__name__}.{f.name} ({type(f).__name__})")

    def related(self, owner, f):
        marker = f"MRK-{owner._meta.model_name}-{f.name}"
        target = f.related_model
        if target is Company:
            return CompanyFactory(name=marker)
        if target is ContactPerson:
            return ContactPersonFactory(first_name=marker)
        if target is cm.JobPosting:
            return JobPostingFactory(title=marker)
        if target is User:
            return User.objects.create_user(username=marker)
        if target is ConsentText:
            return ConsentText.objects.create(
                purpose="cv_bank",
                version=100 + self.next(),
                text_da=f"{marker} tekst",
                text_en=f"{marker} text",
                published_at=timezone.now(),
            )
        if target is Processor:
            return Processor.objects.create(
                key=f"mrk-{self.next()}",
                name=marker,
                service=marker,
                role="processor",
                country="DK",
            )
        if target is ContentType:
            return ContentType.objects.get_for_model(cm.Candidate)
        raise AssertionError(f"no related marker for {owner.__name__}.{f.name} -> {target}")

    def many(self, owner, f, person):
        marker = f"MRK-{owner._meta.model_name}-{f.name}"
        target = f.related_model
        if target in (cm.JobType, cm.Area):
            return [target.objects.create(name=marker)]
        if target is cm.CandidateDocument:
            return [CandidateDocumentFactory(candidate=person, original_name=f"{marker}.pdf")]
        raise AssertionError(f"no many-to-many marker for {owner.__name__}.{f.name}")

    def make(self, model, path="", person=None, **extra):
        """One row of ``model`` with a marker in each personal field; ``path`` links it to
        ``person``. Fields the database fills itself (auto_now) are overwritten afterwards."""
        values, later, many = dict(extra), {}, {}
        if path:
            values[path] = person
        for info in registry.fields(model=model):
            f = model._meta.get_field(info.name)
            if info.name in values or isinstance(f, BlindIndexField):
                continue
            if f.many_to_many:
                many[info.name] = f
            elif f.is_relation:
                values[info.name] = self.related(model, f)
            elif isinstance(f, models.FileField):
                stored = default_storage.save(
                    f"test/MRK-{model._meta.model_name}-{f.name}.pdf",
                    ContentFile(f"%PDF-1.4 {model.__name__}".encode()),
                )
                values[info.name] = stored
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                later[info.name] = self.value(model, f)
            else:
                values[info.name] = self.value(model, f)
        row = model.objects.create(**values)
        if later:
            model.objects.filter(pk=row.pk).update(**later)
        for name, f in many.items():
            getattr(row, name).set(self.many(model, f, person if path else row))
        row.refresh_from_db()
        self.rows.append(row)
        return row

    def person(self, root_model, **extra):
        """The root record and one row of every model the registry reaches from it."""
        root = self.make(root_model, **extra)
        for entry, path in paths_to(root_model):
            if path:
                self.make(entry.model, path, root)
        return root

    # What to look for --------------------------------------------------------------------
    def shown(self, row, info):
        """The texts the report must contain for this value (None: a yes/no, found by its
        label)."""
        f = row._meta.get_field(info.name)
        value = getattr(row, info.name)
        if f.many_to_many:
            return [str(o) for o in value.all()]
        if f.is_relation:
            return [str(value)]
        if isinstance(f, models.FileField):
            return [PurePosixPath(value.name).name]
        if f.choices:
            return [str(dict(f.flatchoices)[value])]
        if isinstance(value, bool):
            return None
        if isinstance(value, dt.datetime):
            return [timezone.localtime(value).strftime("%Y-%m-%d %H:%M")]
        if isinstance(value, dt.date):
            return [value.isoformat()]
        if isinstance(value, Decimal):
            return [str(value).replace(".", ",") if self.language == "da" else str(value)]
        if isinstance(value, list):
            return [str(v) for v in value]
        return [str(value)]

    def given(self, row, info):
        """The value data.json must hold, machine-readable (None for a file: checked by
        name)."""
        f = row._meta.get_field(info.name)
        value = getattr(row, info.name)
        if f.many_to_many:
            return [str(o) for o in value.all()]
        if f.is_relation:
            return str(value)
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Decimal | uuid.UUID):
            return str(value)
        return value

    def check(self, pdf_text: str, data: dict, archive: zipfile.ZipFile) -> None:
        flat = re.sub(r"\s+", "", pdf_text)
        missing_pdf, missing_json, missing_files = [], [], []
        with translation.override(self.language):
            for row in self.rows:
                records = data["records"].get(row._meta.label_lower, [])
                for info in registry.fields(model=type(row)):
                    key = f"{row._meta.label_lower}.{info.name}"
                    texts = self.shown(row, info)
                    if texts is None:
                        texts = [capfirst(str(info.label))]
                    missing_pdf += [
                        f"{key}: {t}" for t in texts if re.sub(r"\s", "", t) not in flat
                    ]
                    f = row._meta.get_field(info.name)
                    if isinstance(f, models.FileField):
                        name = PurePosixPath(getattr(row, info.name).name).name
                        if not any(n.endswith(f"/{name}") for n in archive.namelist()):
                            missing_files.append(key)
                    if info.data.source != Source.SUBJECT:
                        continue
                    if isinstance(f, models.FileField):
                        found = any(str(r.get(key, "")).endswith(name) for r in records)
                    else:
                        found = any(r.get(key) == self.given(row, info) for r in records)
                    if not found:
                        missing_json.append(key)
        assert missing_pdf == [], f"not in the PDF: {missing_pdf}"
        assert missing_json == [], f"not in data.json: {missing_json}"
        assert missing_files == [], f"not in files/: {missing_files}"


# --- helpers --------------------------------------------------------------------------------
@pytest.fixture
def dpo():
    user = User.objects.create_user(username="dpo-export", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.DPO))
    return user


def access_request(*people, actor, language="da", verified=True, email="person@example.dk"):
    request = subject_request_receive(
        kind="access",
        channel="email",
        requester_name="Mette Jensen",
        requester_email=email,
        language=language,
        actor=actor,
    )
    for person in people:
        RequestMatch.objects.create(
            request=request,
            content_type=ContentType.objects.get_for_model(person),
            object_id=str(person.pk),
            label=str(person),
            confirmed=True,
        )
    if verified:
        subject_request_verify(request=request, method="id_document", actor=actor)
    return request


def built(request, actor, capture):
    """Ask for the export as the admin would, then run the queued task in this process."""
    with capture() as callbacks:
        export = export_generate(request, actor)
    assert len(callbacks) == 1  # queued once, after the commit
    generate_access_export.apply(args=[export.pk], throw=True)
    export.refresh_from_db()
    return export


def opened(export):
    with export.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    pdf = archive.read(f"{export.request.reference}.pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return archive, text, json.loads(archive.read(DATA_FILE))


def download_audits(export):
    return AuditEntry.objects.filter(
        action=AuditEntry.Action.EXPORT,
        object_type="privacy.requestexport",
        object_id=str(export.pk),
        detail__contains="downloaded",
    )


# --- completeness -----------------------------------------------------------------------------
def test_every_value_the_registry_declares_for_a_candidate_is_in_the_pdf_and_json(
    dpo, django_capture_on_commit_callbacks
):
    marked = Marked("da")
    candidate = marked.person(cm.Candidate)
    consent = ConsentRecordFactory(candidate=candidate)  # a consent with its text, for the history
    request = access_request(candidate, actor=dpo, language="da")

    export = built(request, dpo, django_capture_on_commit_callbacks)

    assert export.status == ExportStatus.DONE and export.progress == 100
    archive, text, data = opened(export)
    assert {type(r) for r in marked.rows} >= {e.model for e, _ in paths_to(cm.Candidate)}
    marked.check(text, data, archive)
    assert "Identitet" in text  # category labels in the request's language (Danish)
    # The exact consent text agreed to, in Danish (its opening words: the PDF wraps lines).
    assert " ".join(consent.text.text_da.split()[:3]) in text
    assert "Datatilsynet" in text and "Borgergade 28, 5., 1300 København K" in text
    assert "29135789" in text  # the controller's CVR number


def test_every_value_the_registry_declares_for_an_employee_is_in_the_pdf_and_json(
    dpo, django_capture_on_commit_callbacks
):
    marked = Marked("en")
    employee = marked.person(Employee, cpr=CPR)
    request = access_request(employee, actor=dpo, language="en")

    export = built(request, dpo, django_capture_on_commit_callbacks)

    archive, text, data = opened(export)
    assert {type(r) for r in marked.rows} >= {e.model for e, _ in paths_to(Employee)}
    marked.check(text, data, archive)
    assert "Identity" in text and "National identification number (CPR)" in text
    assert CPR in text  # confidential values in full: this copy is for the person


OTHER_PEOPLE = sorted(
    {
        e.model
        for e in registry.entries()
        # Staff are not answered through this export: the audit trail and the retention runs
        # name them, and no person search finds them.
        if e.holds_personal_data and not e.person and e.subject != Subject.STAFF
    }
    - {cm.Candidate, Employee},
    key=lambda model: model._meta.label,
)


@pytest.mark.parametrize("root", OTHER_PEOPLE, ids=lambda model: model._meta.label)
def test_every_value_the_registry_declares_for_any_other_person_is_in_the_pdf_and_json(
    root, dpo, django_capture_on_commit_callbacks
):
    marked = Marked("en")
    person = marked.person(root)
    request = access_request(person, actor=dpo, language="en")

    export = built(request, dpo, django_capture_on_commit_callbacks)

    archive, text, data = opened(export)
    marked.check(text, data, archive)


def test_a_confirmed_record_that_is_not_a_person_is_exported_with_its_persons_dates(dpo):
    now = timezone.now()
    consent = ConsentRecordFactory(given_at=now - dt.timedelta(days=1), withdrawn_at=now)
    data = collect([consent], language="en")
    [record] = data.records
    assert record.root == consent and record.person == consent.candidate
    assert data.values_of(consent) == data.values > 0
    [group] = [g for g in data.groups if g.category == "consent"]
    # consent_proof counts from the withdrawal: 3 years
    assert [r.applies_on for r in group.retention] == [
        timezone.localdate(now).replace(year=now.year + 3)
    ]


def test_data_json_holds_only_what_the_person_provided():
    candidate = CandidateFactory(first_name="Mette")
    data = collect([candidate])
    given = data.provided()["candidates.candidate"][0]
    assert given["candidates.candidate.first_name"] == "Mette"
    # Recorded by the system or by SEROP, not provided by the person: not in the Art. 20 file.
    assert "candidates.candidate.last_activity_at" not in given
    assert "candidates.candidate.public_id" not in given


def test_collecting_a_person_takes_as_many_queries_for_ten_rows_as_for_one():
    candidate = CandidateFactory()

    def add_rows():
        CandidateDocumentFactory(candidate=candidate)
        cm.Education.objects.create(candidate=candidate, institution="Skole", title="Kursus")
        ConsentRecordFactory(candidate=candidate)
        cm.Disclosure.objects.create(
            candidate=candidate,
            company=CompanyFactory(),
            contact=ContactPersonFactory(),
            posting=JobPostingFactory(),
            disclosed_at=timezone.now(),
        ).documents.set(candidate.documents.all())

    add_rows()
    with CaptureQueriesContext(connection) as one:
        collect([candidate])
    for _ in range(9):
        add_rows()
    with CaptureQueriesContext(connection) as ten:
        collect([candidate])
    assert len(ten) == len(one)


def test_every_retention_rule_the_registry_uses_has_a_clock():
    assert registry.retention_rules() <= set(CLOCKS)


def test_the_retention_date_follows_the_rule_and_the_persons_own_dates():
    end = dt.date(2024, 6, 30)
    employee = EmployeeFactory(employment_end=end)
    PayrollRecordFactory(employee=employee)
    data = collect([employee], language="en")
    payroll = next(g for g in data.groups if g.category == "payroll")
    assert {(r.rule, r.applies_on) for r in payroll.retention} == {
        ("payroll", dt.date(2029, 6, 30)),
        ("employment_end", dt.date(2029, 6, 30)),  # pension_company, on the employee record
    }
    ongoing = collect([EmployeeFactory(employment_end=None)], language="en")
    identity = next(g for g in ongoing.groups if g.category == "identity")
    assert [r.applies_on for r in identity.retention] == [None]  # while employed


# --- refusals -----------------------------------------------------------------------------
def test_an_unverified_request_cannot_be_exported(dpo):
    request = access_request(CandidateFactory(), actor=dpo, verified=False)
    with pytest.raises(ValidationError):
        export_generate(request, dpo)
    assert not RequestExport.objects.exists()


def test_a_request_without_confirmed_records_cannot_be_exported(dpo):
    request = access_request(actor=dpo)
    with pytest.raises(ValidationError):
        export_generate(request, dpo)
    assert not RequestExport.objects.exists()


# --- audit ------------------------------------------------------------------------------------
def test_generating_and_downloading_are_audited_without_any_confidential_value(
    dpo, client, settings, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    settings.SEROP_PUBLIC_URL = "https://serop.example"
    employee = EmployeeFactory(cpr=CPR, bank_account_no="0099887766")
    PayrollRecordFactory(employee=employee)
    request = access_request(employee, actor=dpo, language="en")

    export = built(request, dpo, django_capture_on_commit_callbacks)
    export_send_link(export, dpo)
    client.get(urlsplit(export_link(export)).path)
    client.force_login(dpo)
    client.get(reverse("privacy:export_download_admin", args=[export.pk]))

    _archive, text, _data = opened(export)
    assert CPR in text  # the secret is really in the export...
    generation = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT, detail__contains="built")
    assert generation.object_type == "privacy.requestexport"
    assert generation.subject_ref == employee.public_id
    assert generation.count and generation.count > 20
    assert generation.actor_username == "dpo-export"
    assert download_audits(export).count() == 2
    assert AuditEntry.objects.filter(detail__contains="link emailed").count() == 1
    trail = " ".join(str(row) for row in AuditEntry.objects.values_list())
    for secret in (CPR, CPR.replace("-", ""), "0099887766"):  # ...and nowhere else
        assert secret not in trail
        assert secret not in caplog.text


# --- the person's link ----------------------------------------------------------------------
@pytest.fixture
def ready_export(dpo, settings, django_capture_on_commit_callbacks):
    settings.SEROP_PUBLIC_URL = "https://serop.example"
    candidate = CandidateFactory()
    CandidateDocumentFactory(candidate=candidate)
    request = access_request(candidate, actor=dpo, language="en")
    return built(request, dpo, django_capture_on_commit_callbacks)


def test_the_persons_link_downloads_the_zip_and_counts_and_audits_it(client, ready_export):
    link = export_link(ready_export)
    assert link.startswith("https://serop.example/data-export/")

    response = client.get(urlsplit(link).path)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert DATA_FILE in archive.namelist()
    assert any(name.startswith("files/") for name in archive.namelist())
    ready_export.refresh_from_db()
    assert ready_export.downloads == 1
    assert download_audits(ready_export).count() == 1


def test_an_expired_link_gives_a_clear_400_and_is_not_counted(client, ready_export):
    path = urlsplit(export_link(ready_export)).path
    with time_machine.travel(ready_export.expires_at + dt.timedelta(minutes=1)):
        response = client.get(path)
    assert response.status_code == 400
    assert b"This download link does not work" in response.content
    assert b'lang="en"' in response.content  # the request's language
    ready_export.refresh_from_db()
    assert ready_export.downloads == 0
    assert not download_audits(ready_export).exists()


def test_a_tampered_link_gives_400_and_is_not_counted(client, ready_export):
    path = urlsplit(export_link(ready_export)).path
    token = path.split("/")[-2]
    forged = signing_payload_swapped(token, ready_export.pk + 1)
    for bad in (token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"), forged):
        response = client.get(reverse("privacy:export_download", args=[bad]))
        assert response.status_code == 400
    ready_export.refresh_from_db()
    assert ready_export.downloads == 0
    assert not download_audits(ready_export).exists()


def signing_payload_swapped(token, other_pk):
    """The same signature over a payload naming another export."""
    from django.core import signing

    forged = signing.dumps({"e": other_pk, "x": 9999999999}, compress=True)
    return forged.split(":", 1)[0] + token[token.index(":") :]


def test_the_link_is_emailed_to_the_requester_in_their_language_without_an_attachment(
    dpo, ready_export
):
    export_send_link(ready_export, dpo)
    [message] = mail.outbox
    assert message.to == ["person@example.dk"]
    assert message.attachments == []
    assert export_link(ready_export).rsplit("/", 2)[0] in message.body
    assert (
        message.subject == f"Your personal data from SEROP ApS ({ready_export.request.reference})"
    )


def test_a_link_is_not_sent_for_an_export_that_is_not_ready(dpo):
    request = access_request(CandidateFactory(), actor=dpo)
    export = export_generate(request, dpo)  # the task has not run
    with pytest.raises(ValidationError):
        export_send_link(export, dpo)
    assert mail.outbox == []


# --- the DPO's download -------------------------------------------------------------------
def test_only_the_dpo_downloads_from_the_admin(client, dpo, ready_export):
    url = reverse("privacy:export_download_admin", args=[ready_export.pk])
    assert client.get(url).status_code == 302  # to the login

    recruiter = User.objects.create_user(username="recruiter-x", is_staff=True)
    recruiter.groups.add(Group.objects.get(name=Role.RECRUITER))
    client.force_login(recruiter)
    assert client.get(url).status_code == 403
    assert not download_audits(ready_export).exists()

    client.force_login(dpo)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).testzip() is None
    assert download_audits(ready_export).get().actor_username == "dpo-export"
    ready_export.refresh_from_db()
    assert ready_export.downloads == 0  # only the person's downloads are counted


def test_an_expired_export_is_not_downloaded_from_the_admin_either(client, dpo, ready_export):
    url = reverse("privacy:export_download_admin", args=[ready_export.pk])
    client.force_login(dpo)
    expires_at = ready_export.expires_at
    # The daily job has not run yet: the row and the file are still there.
    RequestExport.objects.filter(pk=ready_export.pk).update(expires_at=timezone.now())
    assert client.get(url).status_code == 404
    assert not download_audits(ready_export).exists()
    RequestExport.objects.filter(pk=ready_export.pk).update(expires_at=expires_at)
    assert client.get(url).status_code == 200  # before its expiry, the same export is served


# --- the task: failure, expiry ----------------------------------------------------------------
def test_a_build_that_cannot_be_stored_is_retried_and_then_marked_failed(
    dpo, settings, tmp_path, caplog, django_capture_on_commit_callbacks
):
    request = access_request(CandidateFactory(), actor=dpo)
    with django_capture_on_commit_callbacks():
        export = export_generate(request, dpo)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": blocker / "media", "base_url": None},
        },
    }

    generate_access_export.apply(args=[export.pk])

    export.refresh_from_db()
    assert caplog.text.count(f"access export {export.pk} will be retried") == 3
    assert export.status == ExportStatus.FAILED
    assert export.error.startswith("NotADirectoryError")
    assert not export.file


def test_expired_exports_are_deleted_with_their_files_and_audited(ready_export):
    name = ready_export.file.name
    assert default_storage.exists(name)
    with time_machine.travel(ready_export.expires_at - dt.timedelta(minutes=1)):
        assert delete_expired_exports.apply().get() == 0
    with time_machine.travel(ready_export.expires_at + dt.timedelta(minutes=1)):
        assert delete_expired_exports.apply().get() == 1
    assert not default_storage.exists(name)
    assert not RequestExport.objects.filter(pk=ready_export.pk).exists()
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.PURGE, object_id=str(ready_export.pk)
    ).exists()


def test_an_export_expires_after_the_configured_number_of_days(dpo, settings):
    settings.SUBJECT_EXPORT_DAYS = 3
    request = access_request(CandidateFactory(), actor=dpo)
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        export = export_generate(request, dpo)
    assert export.expires_at == dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)
    assert export.status == ExportStatus.PENDING


def test_a_worker_finds_the_export_tasks_and_beat_deletes_expired_exports_daily():
    job = settings.SEROP_PERIODIC_TASKS["delete-expired-exports"]
    assert job["task"] == "privacy.export_tasks.delete_expired_exports"
    assert job["crontab"]["hour"] != "*"
    # In a fresh process, as a worker starts: only what Celery imports by itself counts.
    script = (
        "import django; django.setup()\n"
        "from serop.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print(sorted(app.tasks))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "serop.settings.test"}
    found = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "privacy.export_tasks.generate_access_export" in found
    assert "privacy.export_tasks.delete_expired_exports" in found
