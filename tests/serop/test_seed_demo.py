"""``manage.py seed_demo``: the demo data set fills every model and field with coherent Danish
data; bulk mode loads exactly what it promises, with working sequences and real encryption."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.utils import timezone
from PIL import Image

from candidates.activity import counts_as_activity
from candidates.models import (
    ActivityEvent,
    Application,
    Candidate,
    CandidateDocument,
    JobPreference,
)
from consents.models import ConsentRecord, ConsentText
from consents.purposes import ConsentPurpose
from customers.models import Company, NewsletterSubscriber
from employees.models import Employee, PayrollRecord
from privacy.encryption import blind_index
from privacy.registry import registry
from privacy.roles import Role
from serop.demo import danish
from serop.validators import (
    cpr_birth_date,
    normalize_cpr,
    validate_cpr,
    validate_cvr,
    validate_phone,
    validate_postcode,
)
from tests.factories import CandidateFactory, CompanyFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

RESERVED_MAIL = re.compile(r"@([\w-]+\.)*example\.(com|net|org)$|@serop\.example$")


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


@pytest.fixture
def demo():
    return seed()


def subject_models() -> list[type[models.Model]]:
    return [
        model
        for label in settings.PRIVACY_SUBJECT_APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.managed  # privacy.SensitiveData carries permissions, it has no table
    ]


def has_value(model: type[models.Model], name: str) -> bool:
    field = model._meta.get_field(name)
    if field.many_to_many:
        return model._default_manager.filter(**{f"{name}__isnull": False}).exists()
    values = model._default_manager.values_list(getattr(field, "attname", name), flat=True)
    if isinstance(field, models.BooleanField):
        return True in values  # False is the default; filled means True somewhere
    return any(v not in (None, "", [], {}) for v in values)


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in subject_models()}


# --- demo mode -------------------------------------------------------------------------------
def test_demo_seed_fills_every_model_of_the_data_subject_apps(demo):
    assert [label for label, count in row_counts().items() if count == 0] == []


def test_demo_seed_gives_every_declared_personal_field_a_value(demo):
    declared = registry.fields()
    assert declared, "the registry declares no personal data"
    empty = [info.key for info in declared if not has_value(info.model, info.name)]
    assert empty == []


def test_demo_seed_fills_every_field_including_optional_ones(demo):
    empty = [
        f"{model._meta.label}.{field.name}"
        for model in subject_models()
        for field in [*model._meta.concrete_fields, *model._meta.local_many_to_many]
        if not has_value(model, field.name)
    ]
    assert empty == []


def test_demo_seed_creates_a_staff_login_for_every_role_in_its_group(demo):
    for role in Role:
        user = get_user_model().objects.get(username=role.value)
        assert user.is_staff
        assert user.check_password("serop-demo-2026")
        assert list(user.groups.values_list("name", flat=True)) == [role.value]
        assert user.is_superuser == (role == Role.ADMINISTRATOR)


def test_demo_logins_take_the_password_option():
    seed(password="another-demo-secret")
    assert get_user_model().objects.get(username="dpo").check_password("another-demo-secret")


def test_demo_seed_never_takes_over_a_real_account_with_a_role_name():
    real = get_user_model().objects.create_user(
        "administrator", email="it@serop.dk", password="the-real-one-1234"
    )
    out = seed()
    real.refresh_from_db()
    assert real.check_password("the-real-one-1234")
    assert not real.is_superuser and not real.groups.exists()
    assert "Left alone, not demo logins: administrator" in out
    assert get_user_model().objects.get(username="dpo").check_password("serop-demo-2026")


def test_if_empty_seeds_an_empty_database():
    seed(if_empty=True)
    assert Candidate.objects.count() == 60


def test_if_empty_is_a_no_op_when_candidates_exist(demo):
    before = row_counts()
    out = seed(if_empty=True)
    assert row_counts() == before
    assert "no demo data added" in out


def test_the_same_seed_gives_the_same_people_and_a_second_run_does_not_collide(demo):
    first = list(Candidate.objects.order_by("pk").values_list("first_name", "last_name"))
    seed()  # without --if-empty: adds a second set; unique e-mails and numbers still hold
    both = list(Candidate.objects.order_by("pk").values_list("first_name", "last_name"))
    assert both == first + first


def test_demo_documents_are_real_files_in_the_default_storage(demo):
    documents = CandidateDocument.objects.all()
    assert {d.kind for d in documents} == set(CandidateDocument.Kind.values)
    for document in documents:
        with document.file.open("rb") as handle:
            content = handle.read()
        assert len(content) == document.size
        if document.content_type == "application/pdf":
            assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
        else:
            document.file.open("rb")
            with Image.open(document.file) as image:
                assert image.format in ("JPEG", "GIF")
            document.file.close()
    application = Application.objects.exclude(application_letter="").first()
    assert application.cv.storage.exists(application.cv.name)
    assert application.application_letter.storage.exists(application.application_letter.name)


def test_demo_danish_identifiers_are_valid(demo):
    for employee in Employee.objects.all():
        validate_cpr(employee.cpr)
        assert cpr_birth_date(employee.cpr) == employee.birth_date
        assert int(employee.cpr[-1]) % 2 == (employee.gender == "male")
        assert employee.cpr_index == blind_index(normalize_cpr(employee.cpr))
        assert re.fullmatch(r"\d{4}", employee.bank_reg_no)
        assert re.fullmatch(r"\d{10}", employee.bank_account_no)
        validate_phone(employee.phone)
        validate_postcode(employee.postcode)
    for cvr in Company.objects.exclude(cvr=None).values_list("cvr", flat=True):
        validate_cvr(cvr)
    for phone in Candidate.objects.values_list("phone", flat=True):
        assert re.fullmatch(r"\d{8}", phone)
    emails = [
        *Candidate.objects.values_list("email", flat=True),
        *NewsletterSubscriber.objects.filter(email_digest="").values_list("email", flat=True),
        *get_user_model().objects.values_list("email", flat=True),
    ]
    assert [e for e in emails if not RESERVED_MAIL.search(e)] == []


def test_demo_candidates_include_profiles_past_the_12_month_clean_up(demo):
    now = timezone.now()
    last = list(Candidate.objects.values_list("last_activity_at", flat=True))
    assert all(now - timedelta(days=14 * 31) < moment <= now for moment in last)
    assert any(moment < now - timedelta(days=365) for moment in last)
    assert any(moment > now - timedelta(days=30 * 6) for moment in last)


def test_demo_last_activity_is_the_latest_event_that_counts_as_activity(demo):
    latest: dict[int, object] = {}
    for candidate_id, kind, at in ActivityEvent.objects.values_list(
        "candidate_id", "kind", "occurred_at"
    ):
        if counts_as_activity(kind) and (candidate_id not in latest or at > latest[candidate_id]):
            latest[candidate_id] = at
    for candidate in Candidate.objects.all():
        assert latest[candidate.pk] == candidate.last_activity_at
        assert candidate.created_at <= candidate.last_activity_at


def test_demo_employees_have_12_to_60_payslips_and_some_ended_long_ago(demo):
    today = timezone.now().date()
    ends = list(Employee.objects.values_list("employment_end", flat=True))
    assert None in ends
    assert any(end and end < today - timedelta(days=5 * 365) for end in ends)
    assert any(end and end > today - timedelta(days=5 * 365) for end in ends)
    for employee in Employee.objects.prefetch_related("payslips", "absences", "assignments"):
        assert 12 <= len(employee.payslips.all()) <= 60
        assert employee.absences.all() and employee.assignments.all()
    slip = PayrollRecord.objects.first()
    assert (
        slip.net_pay == slip.gross_pay - slip.am_contribution - slip.a_tax - slip.pension_employee
    )


def test_demo_voluntary_candidate_data_comes_with_a_consent_record(demo):
    given = set(
        ConsentRecord.objects.filter(candidate__isnull=False, withdrawn_at=None).values_list(
            "candidate_id", "text__purpose"
        )
    )
    for candidate in Candidate.objects.all():
        assert (candidate.pk, "cv_bank") in given
        if candidate.street:
            assert (candidate.pk, "candidate_address") in given
        if candidate.birth_date:
            assert (candidate.pk, "candidate_birth_date") in given
        if candidate.criminal_record_status:
            assert (candidate.pk, "candidate_criminal_record") in given
    for record in ConsentRecord.objects.select_related("candidate", "subscriber"):
        assert record.subject_ref == (record.candidate or record.subscriber).public_id
    confirmed = NewsletterSubscriber.objects.exclude(confirmed_at=None)
    assert not confirmed.filter(consents__isnull=True).exists()


def test_demo_consent_texts_cover_every_purpose_in_danish_and_english(demo):
    texts = {t.purpose: t for t in ConsentText.objects.filter(version=1)}
    assert set(texts) == set(ConsentPurpose.values)
    assert all(t.text_da and t.text_en and t.text_da != t.text_en for t in texts.values())


def test_seed_demo_refuses_to_run_with_the_production_settings(settings):
    settings.SETTINGS_MODULE = "serop.settings.production"
    with pytest.raises(CommandError):
        seed()
    assert not Candidate.objects.exists()


# --- bulk mode -------------------------------------------------------------------------------
def test_bulk_mode_creates_exactly_n_candidates_each_with_its_child_rows():
    out = seed(candidates=200, employees=6, customers=3, batch_size=64)
    assert Candidate.objects.count() == 200
    assert JobPreference.objects.count() == 200
    for relation in (
        "preferences",
        "educations",
        "experiences",
        "languages",
        "activities",
        "consents",
        "preferences__job_types",
        "preferences__areas",
    ):
        assert not Candidate.objects.filter(**{f"{relation}__isnull": True}).exists(), relation
    assert not CandidateDocument.objects.exists()  # only with --with-files
    assert Employee.objects.count() == 6
    assert Company.objects.count() == 3
    assert not Company.objects.filter(contacts__isnull=True).exists()
    assert not Employee.objects.filter(payslips__isnull=True).exists()
    assert "candidates.Candidate: 200" in out


def test_bulk_mode_leaves_every_sequence_ready_for_ordinary_inserts():
    seed(candidates=50, employees=3, customers=2, batch_size=16)
    bulk_max = {
        m: m.objects.order_by("-pk").values_list("pk", flat=True)[0]
        for m in (Candidate, JobPreference, Employee, Company)
    }
    candidate = CandidateFactory()
    preference = JobPreference.objects.create(candidate=candidate)
    employee = EmployeeFactory()
    company = CompanyFactory()
    for obj in (candidate, preference, employee, company):
        assert obj.pk > bulk_max[type(obj)]


def test_bulk_mode_stores_real_encryption_and_a_matching_cpr_blind_index():
    seed(candidates=20, employees=5, customers=1)
    for employee in Employee.objects.all():
        validate_cpr(employee.cpr)
        assert cpr_birth_date(employee.cpr) == employee.birth_date
        assert employee.cpr_index == blind_index(normalize_cpr(employee.cpr))
        assert Employee.objects.get(cpr_index=blind_index(normalize_cpr(employee.cpr))) == employee
        assert re.fullmatch(r"\d{4}", employee.bank_reg_no)
    slip = PayrollRecord.objects.first()
    assert isinstance(slip.gross_pay, Decimal)
    assert (
        slip.net_pay == slip.gross_pay - slip.am_contribution - slip.a_tax - slip.pension_employee
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT cpr, bank_account_no FROM employees_employee")
        for cpr, account in cursor.fetchall():
            assert cpr.startswith("gAAAAA") and account.startswith("gAAAAA")  # Fernet tokens


def test_bulk_mode_keeps_last_activity_in_step_with_the_activity_history():
    seed(candidates=100)
    for candidate in Candidate.objects.prefetch_related("activities"):
        counted = [e.occurred_at for e in candidate.activities.all() if counts_as_activity(e.kind)]
        assert max(counted) == candidate.last_activity_at


def test_bulk_mode_with_files_writes_one_cv_per_candidate():
    seed(candidates=5, with_files=True)
    documents = CandidateDocument.objects.all()
    assert documents.count() == 5
    for document in documents:
        assert document.file.storage.exists(document.file.name)


def test_bulk_mode_respects_if_empty(demo):
    seed(candidates=10, if_empty=True)
    assert Candidate.objects.count() == 60


def test_bulk_mode_refuses_negative_sizes():
    with pytest.raises(CommandError):
        seed(candidates=-1)


# --- the helpers ---------------------------------------------------------------------------
def test_cvr_from_body_gives_only_numbers_that_pass_the_modulus_11_check():
    made = [danish.cvr_from_body(body) for body in range(2_000_000, 2_000_500)]
    for cvr in filter(None, made):
        validate_cvr(cvr)
    assert made.count(None) > 0  # some bodies have no valid check digit


def test_cpr_for_encodes_the_birth_date_and_gender_in_both_centuries():
    import datetime as dt
    import random

    rng = random.Random(1)
    for birth in (
        dt.date(1958, 2, 28),
        dt.date(1999, 12, 31),
        dt.date(2000, 1, 1),
        dt.date(2008, 6, 15),
    ):
        for female in (True, False):
            cpr = danish.cpr_for(birth, rng, female=female)
            validate_cpr(cpr)
            assert cpr_birth_date(cpr) == birth
            assert int(cpr[-1]) % 2 == (not female)
