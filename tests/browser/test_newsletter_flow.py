"""The newsletter in a real browser: sign up, confirm through the link in the captured mail,
receive an issue, and unsubscribe through its link (the page) or its RFC 8058 header (the
one-click POST a mail program sends)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from consents.models import ConsentRecord, ConsentText
from consents.purposes import ConsentPurpose
from customers.models import NewsletterIssue, NewsletterSubscriber
from customers.newsletter import issue_queue

from .helpers import (
    assert_accessible,
    click_and_wait,
    first_link,
    publish_consent_text,
    switch_to_english,
    wait_for_mail,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT_DA = "Ja tak, send mig SEROPs nyhedsbrev på e-mail."
TEXT_EN = "Yes, email me SEROP's newsletter."


@pytest.fixture
def newsletter_text() -> ConsentText:
    return publish_consent_text(ConsentPurpose.NEWSLETTER, TEXT_DA, TEXT_EN)


def sign_up_and_confirm(page: Any, shots: Any, outbox: list, site: str, email: str) -> None:
    """Fill in the signup form on the current page, submit, open the confirmation link of the
    captured mail and press the confirm button."""
    page.locator("#id_email").fill(email)
    page.locator("#id_consent").check()
    shots("signup-filled")
    click_and_wait(page, "#newsletter-submit")
    assert_accessible(page, phone=page.viewport_size["width"] < 500, lang=page_lang(page))
    shots("check-your-email")

    mail = wait_for_mail(outbox, email)
    link = first_link(mail, site)
    page.goto(link)
    assert_accessible(page, phone=page.viewport_size["width"] < 500, lang=page_lang(page))
    shots("confirm-page")
    # Opening the link changes nothing (mail scanners open links): the button does.
    assert NewsletterSubscriber.objects.get(email=email).status == "pending"
    click_and_wait(page, "#confirm-button")
    shots("confirmed")
    subscriber = NewsletterSubscriber.objects.get(email=email)
    assert subscriber.status == NewsletterSubscriber.Status.CONFIRMED
    assert subscriber.confirmed_at is not None


def page_lang(page: Any) -> str:
    return str(page.evaluate("document.documentElement.lang"))


def send_issue() -> Any:
    issue = NewsletterIssue.objects.create(
        subject_da="Nyt fra SEROP", body_da="Her er nyhederne.",
        subject_en="News from SEROP", body_en="Here is the news.",
    )  # fmt: skip
    issue_queue(issue_id=issue.pk)
    return issue


def test_a_visitor_subscribes_confirms_and_unsubscribes_on_a_phone_in_danish(
    phone_page, shots, site, mailoutbox, newsletter_text
):
    page = phone_page
    email = "nyhedsbrev@example.com"
    page.goto(site + reverse("customers_public:newsletter_signup"))
    assert_accessible(page, phone=True, lang="da")
    # The field's Danish label, and the Danish consent text as the box's label.
    assert page.get_by_label(re.compile(r"^E-mail:?$")).count() == 1
    assert page.get_by_text(TEXT_DA, exact=True).count() == 1
    shots("signup-form")

    sign_up_and_confirm(page, shots, mailoutbox, site, email)
    subscriber = NewsletterSubscriber.objects.get(email=email)
    consent = ConsentRecord.objects.get(subscriber=subscriber)
    assert consent.text == newsletter_text and consent.withdrawn_at is None

    sent_before = len(mailoutbox)
    send_issue()
    issue_mail = wait_for_mail(mailoutbox, email, subject="Nyt fra SEROP", after=sent_before)
    assert issue_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_link = issue_mail.extra_headers["List-Unsubscribe"].split(">")[0].lstrip("<")
    body_link = first_link(issue_mail, containing=header_link.split("/", 3)[-1])
    assert body_link == header_link  # the same link in the text and in the header

    page.goto(first_link(issue_mail, site, containing=header_link.split("/", 3)[-1]))
    assert_accessible(page, phone=True, lang="da")
    shots("unsubscribe-page")
    subscriber.refresh_from_db()
    assert subscriber.status == NewsletterSubscriber.Status.CONFIRMED  # GET changes nothing
    click_and_wait(page, "#unsubscribe-button")
    assert_accessible(page, phone=True, lang="da")
    shots("unsubscribed")
    subscriber.refresh_from_db()
    consent.refresh_from_db()
    assert subscriber.status == NewsletterSubscriber.Status.UNSUBSCRIBED
    assert consent.withdrawn_at is not None
    assert consent.withdrawal_channel == ConsentRecord.Channel.EMAIL_LINK


def test_an_english_visitor_subscribes_and_leaves_with_the_one_click_post(
    page, shots, site, mailoutbox, newsletter_text
):
    email = "reader@example.com"
    page.goto(site + reverse("customers_public:newsletter_signup"))
    assert_accessible(page, lang="da")
    switch_to_english(page)
    assert_accessible(page, lang="en")
    with translation.override("en"):
        assert page.url.endswith(reverse("customers_public:newsletter_signup"))
    assert page.get_by_label(re.compile(r"^Email:?$")).count() == 1
    assert page.get_by_text(TEXT_EN, exact=True).count() == 1
    shots("signup-form-english")

    sign_up_and_confirm(page, shots, mailoutbox, site, email)
    subscriber = NewsletterSubscriber.objects.get(email=email)
    assert subscriber.language == "en"

    sent_before = len(mailoutbox)
    send_issue()
    issue_mail = wait_for_mail(mailoutbox, email, subject="News from SEROP", after=sent_before)
    assert issue_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_link = issue_mail.extra_headers["List-Unsubscribe"].split(">")[0].lstrip("<")
    one_click = site.rstrip("/") + "/" + header_link.split("/", 3)[-1]

    # What a mail program does (RFC 8058): a POST without cookies or CSRF token.
    response = page.context.request.post(one_click, form={"List-Unsubscribe": "One-Click"})
    assert response.status == 200
    subscriber.refresh_from_db()
    assert subscriber.status == NewsletterSubscriber.Status.UNSUBSCRIBED
    consent = ConsentRecord.objects.get(subscriber=subscriber)
    assert consent.withdrawn_at is not None

    # The link in the text now says so; no newsletter goes to the address any more.
    page.goto(one_click)
    assert_accessible(page, lang="en")
    shots("unsubscribed-already")
    sent_before = len(mailoutbox)
    send_issue()
    with pytest.raises(AssertionError, match="no mail"):
        wait_for_mail(mailoutbox, email, after=sent_before, timeout=3)


def test_the_newsletter_confirm_button_works_with_the_pages_own_referrer_policy(
    strict_page, shots, site, mailoutbox, newsletter_text
):
    """No workaround: the pages as served. A page with ``Referrer-Policy: no-referrer`` makes
    the browser send ``Origin: null`` with its form, which Django's CSRF check refuses."""
    page = strict_page
    email = "strict@example.com"
    page.goto(site + reverse("customers_public:newsletter_signup"))
    page.locator("#id_email").fill(email)
    page.locator("#id_consent").check()
    click_and_wait(page, "#newsletter-submit")
    page.goto(first_link(wait_for_mail(mailoutbox, email), site))
    with page.expect_navigation() as navigation:
        page.locator("#confirm-button").click()
    shots("after-confirm")
    assert navigation.value.status == 200, (
        f"HTTP {navigation.value.status}: the page's Referrer-Policy: no-referrer makes the "
        "browser send Origin: null, which the CSRF check refuses"
    )
    subscriber = NewsletterSubscriber.objects.get(email=email)
    assert subscriber.status == NewsletterSubscriber.Status.CONFIRMED
