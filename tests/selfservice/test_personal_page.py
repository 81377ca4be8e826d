import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone, translation

from candidates.activity import ActivityKind
from candidates.models import ActivityEvent, Candidate, CandidateDocument, Education
from consents.models import ConsentRecord
from consents.purposes import ConsentPurpose as P
from employees.models import Employee, PayrollRecord
from privacy.models import AuditEntry, SubjectRequest
from tests.factories import (
    CandidateDocumentFactory,
    CandidateFactory,
    EmployeeFactory,
    PayrollRecordFactory,
)

from .conftest import PERSONAL, pdf, png, sign_in, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def candidate():
    person = CandidateFactory(
        first_name="Lone",
        street="Bredgade 1",
        postcode="4200",
        city="Slagelse",
        birth_date=timezone.localdate().replace(year=1990),
    )
    CandidateDocumentFactory(candidate=person)
    CandidateDocumentFactory(
        candidate=person,
        kind="photo",
        file=png("me.png"),
        original_name="me.png",
        content_type="image/png",
    )
    Education.objects.create(candidate=person, institution="RUC", title="Cand.merc.")
    current = texts()
    for purpose in (P.CV_BANK, P.CANDIDATE_ADDRESS, P.CANDIDATE_PHOTO, P.CANDIDATE_EDUCATION):
        ConsentRecord.objects.create(
            candidate=person,
            subject_ref=person.public_id,
            text=current[purpose],
            given_at=timezone.now(),
            channel=ConsentRecord.Channel.WEB_FORM,
        )
    return person


@pytest.fixture
def signed_in(client, candidate, django_capture_on_commit_callbacks):
    sign_in(client, candidate, django_capture_on_commit_callbacks)
    return client


def activity(candidate, kind):
    return ActivityEvent.objects.filter(candidate=candidate, kind=kind).count()


def test_the_page_shows_the_data_with_purpose_and_retention(signed_in, candidate):
    response = signed_in.get(PERSONAL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Bredgade 1" in page and candidate.email in page and "Cand.merc." in page
    assert "Formål:" in page and "Hvor længe vi opbevarer dem:" in page
    assert "Vikar- &amp; CV-bank" in page
    for element in ("profile-submit", "export-submit", "delete-link", "logout-submit"):
        assert f'id="{element}"' in page
    assert 'id="withdraw-candidate_address"' in page
    assert 'id="give-candidate_video"' in page  # not given: can be given here
    assert 'id="document-form-photo"' in page and 'id="document-form-video"' not in page


def test_the_english_page_speaks_english(signed_in):
    page = signed_in.get("/en/cv-bank/my-data/").content.decode()
    assert "Your personal data" in page and "Purposes:" in page


def test_a_correction_is_saved_audited_and_counts_as_activity(signed_in, candidate):
    before = candidate.last_activity_at
    data = {
        "first_name": "Lone Marie",
        "last_name": candidate.last_name,
        "phone": "+45 11 22 33 44",
        "language": "en",
        "street": "Algade 2",
        "postcode": "4100",
        "city": "Ringsted",
        "birth_date": "1990-05-01",
        "gender": "",
    }
    response = signed_in.post("/cv-bank/mine-data/ret/", data)
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert (candidate.first_name, candidate.phone, candidate.language) == (
        "Lone Marie",
        "11223344",
        "en",
    )
    assert (candidate.street, candidate.city) == ("Algade 2", "Ringsted")
    assert candidate.last_activity_at > before
    assert activity(candidate, ActivityKind.PROFILE_UPDATED) == 1
    entry = AuditEntry.objects.filter(action="change", subject_ref=candidate.public_id).latest("at")
    assert "first_name" in entry.fields and "corrected by the candidate" in entry.detail
    assert entry.actor_id is None and entry.ip_address == "127.0.0.1"


def test_a_bad_correction_is_refused_in_danish(signed_in, candidate):
    response = signed_in.post(
        "/cv-bank/mine-data/ret/",
        {"first_name": "", "last_name": "x", "phone": "12", "language": "xx", "postcode": "abc"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Formularen har fejl. Ret venligst de markerede felter nedenfor." in page
    assert "Indtast et dansk telefonnummer på 8 cifre" in page
    candidate.refresh_from_db()
    assert candidate.first_name == "Lone"
    assert activity(candidate, ActivityKind.PROFILE_UPDATED) == 0


def test_an_extra_without_consent_cannot_be_set_by_a_crafted_post(signed_in, candidate):
    signed_in.post(
        "/cv-bank/mine-data/ret/",
        {
            "first_name": "Lone",
            "last_name": candidate.last_name,
            "phone": candidate.phone,
            "language": "da",
            "street": candidate.street,
            "postcode": candidate.postcode,
            "city": candidate.city,
            "birth_date": "",
            "criminal_record_status": "seen_entries",  # no consent for this
        },
    )
    candidate.refresh_from_db()
    assert candidate.criminal_record_status == ""


def test_a_document_is_replaced(signed_in, candidate, django_capture_on_commit_callbacks):
    old = CandidateDocument.objects.get(candidate=candidate, kind="cv")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = signed_in.post(
            "/cv-bank/mine-data/dokumenter/cv/", {"cv-file": pdf("nyt-cv.pdf")}
        )
    assert default_storage.exists(old.file.name)  # not before the commit
    for callback in callbacks:
        callback()
    assert response.status_code == 302
    new = CandidateDocument.objects.get(candidate=candidate, kind="cv")
    assert new.pk != old.pk and new.original_name == "nyt-cv.pdf"
    assert not default_storage.exists(old.file.name)  # removed after the commit
    assert activity(candidate, ActivityKind.DOCUMENT_UPLOADED) == 1


def test_a_wrong_file_or_kind_is_refused(signed_in, candidate):
    response = signed_in.post("/cv-bank/mine-data/dokumenter/cv/", {"cv-file": png()})
    assert response.status_code == 200
    assert "Filen er ikke en PDF-, DOCX- eller ODT-fil." in response.content.decode()
    assert "Filen blev ikke gemt." in response.content.decode()
    assert signed_in.post("/cv-bank/mine-data/dokumenter/passport/", {}).status_code == 404
    video = signed_in.post("/cv-bank/mine-data/dokumenter/video/", {"video-file": pdf()})
    assert video.status_code == 200
    assert CandidateDocument.objects.filter(candidate=candidate).count() == 2


def test_the_export_is_the_access_zip_and_is_audited(signed_in, candidate):
    response = signed_in.post("/cv-bank/mine-data/eksport/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content)
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    request = SubjectRequest.objects.get()
    assert request.kind == "access" and request.channel == "self_service"
    assert request.verification_method == "magic_link" and request.status == "answered"
    assert f"{request.reference}.pdf" in names and "data.json" in names
    assert sum(1 for n in names if n.startswith("files/")) == 2
    data = json.loads(zipfile.ZipFile(io.BytesIO(body)).read("data.json"))
    assert data["records"]["candidates.candidate"][0]["candidates.candidate.first_name"] == "Lone"
    assert AuditEntry.objects.filter(action="export", subject_ref=candidate.public_id).exists()
    assert activity(candidate, ActivityKind.DATA_EXPORTED) == 1


def test_withdrawing_the_address_consent_blanks_the_address(signed_in, candidate):
    response = signed_in.post("/cv-bank/mine-data/samtykker/candidate_address/tilbagekald/")
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert (candidate.street, candidate.postcode, candidate.city) == ("", "", "")
    assert candidate.birth_date is not None  # another consent, untouched
    record = ConsentRecord.objects.get(candidate=candidate, text__purpose=P.CANDIDATE_ADDRESS)
    assert record.withdrawn_at is not None and record.withdrawal_channel == "self_service"
    assert activity(candidate, ActivityKind.CONSENT_CHANGED) == 1
    page = signed_in.get(PERSONAL).content.decode()
    assert 'name="street"' not in page and 'id="give-candidate_address"' in page


def test_withdrawing_the_photo_and_education_consents_deletes_that_data(
    signed_in, candidate, django_capture_on_commit_callbacks
):
    photo = CandidateDocument.objects.get(candidate=candidate, kind="photo")
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post("/cv-bank/mine-data/samtykker/candidate_photo/tilbagekald/")
        signed_in.post("/cv-bank/mine-data/samtykker/candidate_education/tilbagekald/")
    assert not CandidateDocument.objects.filter(pk=photo.pk).exists()
    assert not default_storage.exists(photo.file.name)
    assert CandidateDocument.objects.filter(candidate=candidate, kind="cv").exists()
    assert not Education.objects.filter(candidate=candidate).exists()
    entry = AuditEntry.objects.filter(detail__contains="candidate_photo withdrawn").get()
    assert entry.fields == ["candidatedocument"]


def test_giving_a_consent_back_records_the_current_text(signed_in, candidate):
    signed_in.post("/cv-bank/mine-data/samtykker/candidate_address/tilbagekald/")
    text = texts()[P.CANDIDATE_ADDRESS]
    stale = signed_in.post("/cv-bank/mine-data/samtykker/candidate_address/giv/", {"text": "0"})
    assert stale.status_code == 302
    assert ConsentRecord.objects.filter(text=text, withdrawn_at__isnull=True).count() == 0
    signed_in.post("/cv-bank/mine-data/samtykker/candidate_address/giv/", {"text": str(text.pk)})
    given = ConsentRecord.objects.get(text=text, withdrawn_at__isnull=True)
    assert given.channel == "self_service" and given.candidate == candidate


def test_unknown_consents_are_404_and_the_cv_bank_consent_leads_to_deletion(signed_in):
    assert signed_in.post("/cv-bank/mine-data/samtykker/bogus/tilbagekald/").status_code == 404
    assert signed_in.post("/cv-bank/mine-data/samtykker/newsletter/giv/").status_code == 404
    response = signed_in.post("/cv-bank/mine-data/samtykker/cv_bank/tilbagekald/")
    assert response["Location"] == "/cv-bank/mine-data/slet/"


def test_deleting_the_profile_runs_the_erasure_and_shows_the_outcome(
    signed_in, candidate, django_capture_on_commit_callbacks
):
    files = list(CandidateDocument.objects.values_list("file", flat=True))
    confirm = signed_in.get("/cv-bank/mine-data/slet/")
    assert 'id="delete-submit"' in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post("/cv-bank/mine-data/slet/")
    assert response.status_code == 302
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    request = SubjectRequest.objects.get()
    assert (request.kind, request.channel, request.verification_method) == (
        "erasure",
        "self_service",
        "magic_link",
    )
    # The processors that held the data are to be told (GDPR Art. 19): the DPO does that and
    # closes the request.
    assert request.is_open and request.recipients.exists()
    # Consent proof outlives the profile, by its pseudonymous id.
    assert ConsentRecord.objects.filter(subject_ref=candidate.public_id).count() == 4
    page = signed_in.get(response["Location"]).content.decode()
    assert "Din profil er slettet" in page and request.reference in page
    assert 'id="deleted-rows"' in page and 'id="kept-rows"' in page
    assert signed_in.get(PERSONAL).status_code == 302  # signed out


def test_payroll_of_a_former_employee_is_kept_and_said_so(signed_in, candidate):
    employee = EmployeeFactory(candidate=candidate, employment_end=timezone.localdate())
    PayrollRecordFactory(employee=employee)
    response = signed_in.post("/cv-bank/mine-data/slet/")
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    employee = Employee.objects.get(pk=employee.pk)
    assert employee.is_restricted
    assert PayrollRecord.objects.filter(employee=employee).exists()
    page = signed_in.get(response["Location"]).content.decode()
    kept = page[page.index('id="kept-rows"') :]
    assert "bogføringsloven" in kept


def test_a_former_employee_sees_the_fields_erased_from_the_kept_employee_record(
    signed_in, candidate
):
    employee = EmployeeFactory(
        candidate=candidate,
        employment_end=timezone.localdate(),
        emergency_contact_name="Bo Larsen",
        emergency_contact_phone="31323334",
    )
    PayrollRecordFactory(employee=employee)
    response = signed_in.post("/cv-bank/mine-data/slet/")
    employee = Employee.objects.get(pk=employee.pk)
    assert employee.is_restricted and employee.first_name == "Lars"
    assert (employee.emergency_contact_name, employee.emergency_contact_phone) == ("", "")
    page = signed_in.get(response["Location"]).content.decode()
    erased = page[page.index('id="deleted-rows"') : page.index('id="kept-rows"')]
    kept = page[page.index('id="kept-rows"') :]
    with translation.override("da"):
        label = str(Employee._meta.get_field("emergency_contact_phone").verbose_name)
    assert "Medarbejder" in erased and label in erased
    assert label not in kept and "Bo Larsen" not in page


def test_a_current_employment_is_left_alone_and_shown_as_kept(signed_in, candidate):
    employee = EmployeeFactory(candidate=candidate, employment_end=None)
    response = signed_in.post("/cv-bank/mine-data/slet/")
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    employee.refresh_from_db()
    assert not employee.is_restricted  # still employed: payroll must go on
    assert SubjectRequest.objects.get().is_open  # the DPO sees the rest of the request
    page = signed_in.get(response["Location"]).content.decode()
    assert "Medarbejder" in page[page.index('id="kept-rows"') :]
