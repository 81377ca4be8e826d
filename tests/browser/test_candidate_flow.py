"""The CV bank in a real browser, on a phone: sign up with a CV, confirm the address through the
captured mail, sign in to the personal data page through the magic link, correct a field,
withdraw a consent, download the export, delete the profile."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from candidates.models import Candidate, CandidateDocument
from consents.models import ConsentRecord, ConsentText
from consents.purposes import ConsentPurpose

from .helpers import (
    AccessibilityLog,
    assert_accessible,
    click_and_wait,
    first_link,
    publish_consent_text,
    switch_to_english,
    wait_for_mail,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

P = ConsentPurpose


@pytest.fixture
def texts() -> dict[str, ConsentText]:
    return {
        P.CV_BANK: publish_consent_text(
            P.CV_BANK,
            "Ja, I må gemme min profil og mit CV i Vikar- & CV-banken.",
            "Yes, keep my profile and CV in the Vikar- & CV-bank.",
        ),
        P.CANDIDATE_ADDRESS: publish_consent_text(
            P.CANDIDATE_ADDRESS, "Ja, I må gemme min adresse.", "Yes, store my address."
        ),
    }


def danish(msgid: str) -> str:
    with translation.override("da"):
        translated = str(translation.gettext(msgid))
    assert translated != msgid, f"{msgid!r} has no Danish translation"
    return translated


def sign_up(page: Any, shots: Any, a11y: AccessibilityLog, site: str, email: str, cv: Path) -> None:
    """Fill in and send the signup form: the required fields, a CV, the CV-bank consent, and
    the address behind its own consent."""
    page.goto(site + reverse("candidates_public:signup"))
    a11y.check(page)
    shots("signup-form")
    page.locator("#id_first_name").fill("Mette")
    page.locator("#id_last_name").fill("Sørensen")
    page.locator("#id_email").fill(email)
    page.locator("#id_phone").fill("20 30 40 50")
    page.locator('input[name="employment_forms"][value="temp"]').check()
    page.locator("#id_cv").set_input_files(str(cv))
    page.locator("#id_consent_cv_bank").check()
    page.locator(f"#id_consent_{P.CANDIDATE_ADDRESS}").check()
    page.locator("#id_street").fill("Nørregade 1")
    page.locator("#id_postcode").fill("4200")
    page.locator("#id_city").fill("Slagelse")
    shots("signup-filled")
    click_and_wait(page, "#signup-submit")
    assert page.locator("#form-errors").count() == 0, page.locator("main").inner_text()
    a11y.check(page)
    shots("signup-done")


def confirm(
    page: Any, shots: Any, a11y: AccessibilityLog, site: str, outbox: list, email: str
) -> Candidate:
    page.goto(first_link(wait_for_mail(outbox, email), site))
    a11y.check(page)
    shots("confirm-page")
    assert Candidate.objects.get(email=email).status == Candidate.Status.PENDING
    click_and_wait(page, "#confirm-submit")
    a11y.check(page)
    shots("confirmed")
    return Candidate.objects.get(email=email)


def test_a_candidate_signs_up_manages_and_deletes_their_data_on_a_phone(
    phone_page, shots, site, mailoutbox, texts, tiny_pdf, tmp_path
):
    page = phone_page
    a11y = AccessibilityLog(phone=True)
    email = "mette.sorensen@example.com"
    sign_up(page, shots, a11y, site, email, tiny_pdf)
    assert page.locator("html").get_attribute("lang") == "da"

    candidate = Candidate.objects.get(email=email)
    assert candidate.status == Candidate.Status.PENDING
    assert (candidate.first_name, candidate.street, candidate.postcode) == (
        "Mette", "Nørregade 1", "4200",
    )  # fmt: skip
    records = {r.text.purpose: r for r in ConsentRecord.objects.filter(candidate=candidate)}
    assert records[P.CV_BANK].text == texts[P.CV_BANK]  # the exact version shown
    assert records[P.CANDIDATE_ADDRESS].text == texts[P.CANDIDATE_ADDRESS]
    cv = CandidateDocument.objects.get(candidate=candidate, kind="cv")
    assert cv.size == tiny_pdf.stat().st_size

    candidate = confirm(page, shots, a11y, site, mailoutbox, email)
    assert candidate.status == Candidate.Status.ACTIVE
    assert candidate.email_confirmed_at is not None

    # The magic link: asked for on the page, opened from the mail.
    page.goto(site + reverse("candidates_public:magic_link"))
    a11y.check(page)
    label = page.locator('label[for="id_email"]').inner_text()
    assert danish("Email") in label  # the page speaks Danish
    shots("magic-link-form")
    sent_before = len(mailoutbox)
    page.locator("#id_email").fill(email)
    click_and_wait(page, "#magic-link-submit")
    a11y.check(page)
    shots("magic-link-sent")
    page.goto(first_link(wait_for_mail(mailoutbox, email, after=sent_before), site))
    a11y.check(page)
    shots("sign-in-page")
    click_and_wait(page, "#login-submit")
    assert page.url.endswith(reverse("candidates_public:personal"))
    a11y.check(page)
    assert "Nørregade 1" in page.locator("#data").inner_text()
    shots("personal-data-page")

    # Correct a field.
    page.locator("#id_last_name").fill("Sørensen-Holm")
    click_and_wait(page, "#profile-submit")
    a11y.check(page)
    shots("corrected")
    candidate.refresh_from_db()
    assert candidate.last_name == "Sørensen-Holm"

    # Withdraw the address consent: one click, and the address is gone.
    click_and_wait(page, f"#withdraw-{P.CANDIDATE_ADDRESS}")
    a11y.check(page)
    shots("consent-withdrawn")
    address = ConsentRecord.objects.get(pk=records[P.CANDIDATE_ADDRESS].pk)
    assert address.withdrawn_at is not None
    assert ConsentRecord.objects.get(pk=records[P.CV_BANK].pk).withdrawn_at is None
    candidate.refresh_from_db()
    assert (candidate.street, candidate.postcode, candidate.city) == ("", "", "")
    assert "Nørregade 1" not in page.locator("#data").inner_text()

    # Download the export: a zip with the PDF report and the data as JSON.
    with page.expect_download() as download_info:
        page.locator("#export-submit").click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    shots("export-downloaded")
    with zipfile.ZipFile(saved) as archive:
        names = archive.namelist()
        pdfs = [n for n in names if n.endswith(".pdf")]
        jsons = [n for n in names if n.endswith(".json")]
        assert pdfs and jsons, names
        assert any(archive.read(n).startswith(b"%PDF") for n in pdfs)
        data = json.dumps(json.loads(archive.read(jsons[0])), ensure_ascii=False)
    assert "Sørensen-Holm" in data and email in data
    assert "Nørregade 1" not in data

    # Delete the profile.
    click_and_wait(page, "#delete-link")
    a11y.check(page)
    shots("delete-page")
    click_and_wait(page, "#delete-submit")
    a11y.check(page)
    shots("deleted")
    assert page.locator("#deletion-reference").is_visible()
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    assert not CandidateDocument.objects.filter(pk=cv.pk).exists()
    # The consent records stay as proof, unlinked from the deleted profile.
    assert ConsentRecord.objects.get(pk=records[P.CV_BANK].pk).candidate_id is None
    a11y.assert_none()  # every page of the flow: lang, one h1, labels, no sideways scroll


def test_the_signup_page_switches_to_english(page, shots, site, texts):
    page.goto(site + reverse("candidates_public:signup"))
    assert_accessible(page, lang="da")
    assert danish("First name") in page.locator('label[for="id_first_name"]').inner_text()
    shots("signup-danish")
    switch_to_english(page)
    assert_accessible(page, lang="en")
    with translation.override("en"):
        assert page.url.endswith(reverse("candidates_public:signup"))
    assert "First name" in page.locator('label[for="id_first_name"]').inner_text()
    assert page.get_by_text(texts[P.CV_BANK].text_en).count() == 1
    shots("signup-english")


def test_the_candidate_confirm_button_works_with_the_pages_own_referrer_policy(
    strict_page, shots, site, mailoutbox, texts, tiny_pdf
):
    """No workaround (see helpers.relax_referrer_policy): the pages exactly as served."""
    page = strict_page
    email = "strict.candidate@example.com"
    page.goto(site + reverse("candidates_public:signup"))
    page.locator("#id_first_name").fill("Streng")
    page.locator("#id_last_name").fill("Test")
    page.locator("#id_email").fill(email)
    page.locator("#id_phone").fill("20304050")
    page.locator('input[name="employment_forms"][value="temp"]').check()
    page.locator("#id_cv").set_input_files(str(tiny_pdf))
    page.locator("#id_consent_cv_bank").check()
    click_and_wait(page, "#signup-submit")
    page.goto(first_link(wait_for_mail(mailoutbox, email), site))
    with page.expect_navigation() as navigation:
        page.locator("#confirm-submit").click()
    shots("after-confirm")
    assert navigation.value.status == 200, (
        f"HTTP {navigation.value.status}: the page's Referrer-Policy: no-referrer makes the "
        "browser send Origin: null, which the CSRF check refuses"
    )
    assert Candidate.objects.get(email=email).status == Candidate.Status.ACTIVE
