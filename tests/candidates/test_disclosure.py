import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.urls import reverse

from candidates.activity import ActivityKind
from candidates.models import Disclosure
from candidates.services import candidate_disclose
from candidates.tasks import send_disclosure
from privacy.models import AuditEntry
from privacy.roles import Role
from tests.factories import CandidateDocumentFactory, CandidateFactory, ContactPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiter(client):
    user = User.objects.create_user(username="rita", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.RECRUITER))
    client.force_login(user)
    return user


def test_sending_a_cv_records_the_disclosure_mails_the_documents_and_is_audited(
    client, recruiter, django_capture_on_commit_callbacks
):
    document = CandidateDocumentFactory()
    candidate = document.candidate
    contact = ContactPersonFactory()
    url = reverse("admin:candidates_candidate_disclose", args=[candidate.pk])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            url,
            {
                "company": contact.company.pk,
                "contact": contact.pk,
                "documents": [document.pk],
                "method": "email",
                "note": "Lagerjob",
            },
        )
    assert len(callbacks) == 1  # the mail is queued only once the disclosure is committed
    send_disclosure(Disclosure.objects.get().pk)  # what the worker runs
    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert (disclosure.candidate, disclosure.company, disclosure.disclosed_by) == (
        candidate,
        contact.company,
        recruiter,
    )
    assert list(disclosure.documents.all()) == [document]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [contact.email]
    assert mail.outbox[0].attachments[0][0] == "cv.pdf"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DISCLOSE)
    assert entry.subject_ref == candidate.public_id and entry.fields == ["cv"]
    assert candidate.activities.filter(kind=ActivityKind.DISCLOSED).exists()


def test_the_candidate_page_shows_the_disclosure_history(client, recruiter):
    contact = ContactPersonFactory()
    candidate = CandidateFactory()
    candidate_disclose(
        candidate=candidate,
        company=contact.company,
        contact=contact,
        method="phone",
        actor=recruiter,
    )
    page = client.get(reverse("admin:candidates_candidate_change", args=[candidate.pk]))
    assert contact.company.name in page.content.decode()
    assert reverse("admin:candidates_candidate_disclose", args=[candidate.pk]) in (
        page.content.decode()
    )


def test_a_contact_of_another_customer_is_refused_with_a_message(client, recruiter):
    candidate = CandidateFactory()
    contact, other = ContactPersonFactory(), ContactPersonFactory()
    url = reverse("admin:candidates_candidate_disclose", args=[candidate.pk])
    response = client.post(
        url, {"company": other.company.pk, "contact": contact.pk, "method": "email"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["contact"]
    assert not Disclosure.objects.exists()


def test_another_candidates_document_cannot_be_disclosed(recruiter):
    contact = ContactPersonFactory()
    with pytest.raises(ValueError, match="own documents"):
        candidate_disclose(
            candidate=CandidateFactory(),
            company=contact.company,
            documents=[CandidateDocumentFactory()],
            actor=recruiter,
        )


def test_roles_without_the_permission_cannot_disclose(client):
    user = User.objects.create_user(username="pia", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.PAYROLL))
    client.force_login(user)
    candidate = CandidateFactory()
    response = client.get(reverse("admin:candidates_candidate_disclose", args=[candidate.pk]))
    assert response.status_code == 403


def test_a_restricted_contact_is_shown_by_customer_only_in_every_history(client, recruiter):
    """Restriction (GDPR Art. 18) stops the use of a contact person's data: the disclosure
    history on the candidate's page, the disclosure record and the candidate's access report
    keep the customer and leave the restricted person's name out."""
    from customers.models import ContactPerson
    from privacy.subject_data import collect

    contact = ContactPersonFactory(first_name="Bodil", last_name="Brandt")
    candidate = CandidateFactory()
    disclosure = candidate_disclose(
        candidate=candidate, company=contact.company, contact=contact, method="phone",
        actor=recruiter,
    )  # fmt: skip
    pages = [
        reverse("admin:candidates_candidate_change", args=[candidate.pk]),
        reverse("admin:candidates_disclosure_change", args=[disclosure.pk]),
    ]
    assert all("Bodil Brandt" in client.get(page).content.decode() for page in pages)

    ContactPerson.objects.filter(pk=contact.pk).update(is_restricted=True)
    for page in pages:
        html = client.get(page).content.decode()
        assert "Bodil" not in html and "Brandt" not in html
        assert f"En kontaktperson hos {contact.company.name} (begrænset)" in html
    (shown,) = collect([candidate], language="da").disclosures
    assert shown.customer == contact.company.name and "Bodil" not in shown.contact
