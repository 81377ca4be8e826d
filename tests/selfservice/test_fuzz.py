"""Hypothesis drives the public forms with arbitrary text, lengths, unicode and files: the
answer is never a 500, and a rejected submission stores nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from candidates.models import Candidate, CandidateDocument
from consents.models import ConsentRecord
from tests.factories import CandidateFactory

from .conftest import LINK_FORM, SIGNUP, signup_data

pytestmark = pytest.mark.django_db

FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_types",
    "areas",
    "employment_forms",
    "duration",
    "hours",
    "available_from",
    "application_text",
    "text_cv_bank",
    "consent_cv_bank",
    "street",
    "postcode",
    "birth_date",
    "consent_candidate_address",
    "language_1",
    "level_1",
    "criminal_record_status",
]
# Any unicode except surrogates and NUL, which no browser can send in a form field.
text = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=300
)
values = st.one_of(text, st.lists(text, max_size=3), st.integers().map(str))
files = st.builds(
    lambda name, content: SimpleUploadedFile(name or "f", content),
    st.text(
        st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00/\\"), max_size=80
    ),
    st.binary(max_size=2000),
)
fuzz = hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    # Every example comes from the same client: the limits are tested in test_signup.py.
    settings.RATELIMIT_ENABLE = False


def counts():
    return (
        Candidate.objects.count(),
        ConsentRecord.objects.count(),
        CandidateDocument.objects.count(),
    )


@fuzz
@given(changes=st.dictionaries(st.sampled_from(FIELDS), values, min_size=1, max_size=5))
def test_the_signup_form_never_fails_on_arbitrary_fields(client, changes):
    before = counts()
    data = signup_data(email="fuzz@example.dk")
    data.update(changes)
    response = client.post(SIGNUP, data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:  # rejected: nothing stored
        assert counts() == before
    Candidate.objects.all().delete()


@fuzz
@given(cv=files, photo=files)
def test_the_signup_form_never_fails_on_arbitrary_files(client, cv, photo):
    before = counts()
    data = signup_data(cv=cv, photo=photo, consent_candidate_photo="on")
    response = client.post(SIGNUP, data)
    assert response.status_code in (200, 302)
    after = counts()
    assert after[2] == 0  # none of these is a real PDF or a real image
    if response.status_code == 200:  # rejected: nothing stored
        assert after == before
    # Accepted only when the client could not send the files at all (the CV is optional).
    # Hypothesis runs every example in the same test transaction: consent records outlive
    # their candidate (SET_NULL, they are proof), so both go before the next example.
    Candidate.objects.all().delete()
    ConsentRecord.objects.all().delete()


@fuzz
@given(email=values, token=text)
def test_the_link_pages_never_fail(client, email, token):
    response = client.post(LINK_FORM, {"email": email})
    assert response.status_code in (200, 302)
    safe = token.replace("/", "").replace("?", "").replace("#", "") or "x"
    for path in (f"/cv-bank/mine-data/log-ind/{safe}/", f"/cv-bank/bekraeft/{safe}/"):
        assert client.get(path).status_code in (400, 404)
        assert client.post(path).status_code in (400, 404)


@fuzz
@given(
    changes=st.dictionaries(
        st.sampled_from(
            ["first_name", "last_name", "phone", "language", "street", "birth_date", "gender"]
        ),
        values,
        min_size=1,
    )
)
def test_the_correction_form_never_fails(client, changes, django_capture_on_commit_callbacks):
    candidate = Candidate.objects.filter(email="fuzzed@example.dk").first() or CandidateFactory(
        email="fuzzed@example.dk"
    )
    session = client.session
    session["serop_self_service_candidate"] = candidate.pk
    session.save()
    before = Candidate.objects.values_list("first_name", "phone", "language").get(pk=candidate.pk)
    data = {"first_name": "A", "last_name": "B", "phone": "20304050", "language": "da"}
    data.update(changes)
    response = client.post("/cv-bank/mine-data/ret/", data)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        after = Candidate.objects.values_list("first_name", "phone", "language").get(
            pk=candidate.pk
        )
        assert after == before
