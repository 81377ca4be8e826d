"""Helpers of the browser tests: captured mails, their links, a basic accessibility check."""

from __future__ import annotations

import re
import time
from typing import Any

from django.core.mail import EmailMessage
from django.db.models import Max

from consents.models import ConsentText
from tests.factories import ConsentTextFactory

LINK = re.compile(r"https?://[^\s<>\"')]+")


def wait_for_mail(
    outbox: list[EmailMessage],
    to: str,
    *,
    subject: str | None = None,
    after: int = 0,
    timeout: float = 20.0,
) -> EmailMessage:
    """The first mail to ``to`` (optionally whose subject contains ``subject``) among those
    sent after the first ``after`` of the outbox, waiting up to ``timeout`` seconds for the
    worker to send it."""
    deadline = time.monotonic() + timeout
    while True:
        for mail in list(outbox)[after:]:
            if to.lower() in (a.lower() for a in mail.to) and (
                subject is None or subject.lower() in mail.subject.lower()
            ):
                return mail
        if time.monotonic() > deadline:
            sent = [(m.to, m.subject) for m in outbox]
            raise AssertionError(f"no mail to {to} within {timeout} s; outbox: {sent}")
        time.sleep(0.1)


def first_link(mail: EmailMessage, site: str = "", *, containing: str = "") -> str:
    """The first http(s) link in the mail's text (containing ``containing``), rebased on
    ``site`` when given (links carry SEROP_PUBLIC_URL)."""
    for link in LINK.findall(str(mail.body)):
        if containing in link:
            if site:
                link = re.sub(r"^https?://[^/]+", site.rstrip("/"), link)
            return link
    raise AssertionError(f"no link{f' with {containing!r}' if containing else ''} in {mail.body}")


def accessibility_problems(page: Any, *, phone: bool = False) -> list[str]:
    """A basic check of the page as shown: the document has a language, exactly one h1,
    every form control a label (a <label for>, a wrapping <label>, aria-label or
    aria-labelledby), and, on a phone, nothing wider than the screen."""
    found: dict[str, Any] = page.evaluate(
        """() => {
          const unlabelled = [];
          for (const el of document.querySelectorAll('input, select, textarea')) {
            if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)) continue;
            const labelled = (el.labels && el.labels.length > 0)
              || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
            if (!labelled) unlabelled.push(el.name || el.id || el.outerHTML.slice(0, 80));
          }
          return {
            lang: document.documentElement.lang,
            h1: document.querySelectorAll('h1').length,
            unlabelled,
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            // What to fix: the innermost elements whose content is wider than they are and
            // not scrolled inside them (a wide table in an overflow-x: auto box is fine).
            wide: [...document.body.querySelectorAll('*')]
              .filter(el => el.scrollWidth > el.clientWidth + 1
                && getComputedStyle(el).overflowX === 'visible'
                && ![...el.children].some(c => c.scrollWidth > c.clientWidth + 1
                  && getComputedStyle(c).overflowX === 'visible'))
              .slice(0, 5)
              .map(el => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} in `
                + `${(el.closest('[id]') || {}).id}: `
                + (el.textContent || '').trim().slice(0, 80)),
          };
        }"""
    )
    problems = []
    if not found["lang"]:
        problems.append("<html> has no lang attribute")
    if found["h1"] != 1:
        problems.append(f"{found['h1']} h1 elements (expected 1)")
    if found["unlabelled"]:
        problems.append(f"controls without a label: {found['unlabelled']}")
    if phone and found["scrollWidth"] > found["innerWidth"]:
        problems.append(
            f"horizontal scroll on the phone: {found['scrollWidth']} > {found['innerWidth']}"
            f" (too wide: {found['wide']})"
        )
    return problems


def assert_accessible(page: Any, *, phone: bool = False, lang: str = "da") -> None:
    problems = accessibility_problems(page, phone=phone)
    assert not problems, f"{page.url}: {problems}"
    assert page.evaluate("document.documentElement.lang") == lang


class AccessibilityLog:
    """Collects the accessibility problems of every page a long flow visits, so that one
    page's problem does not hide the rest of the flow; ``assert_none()`` at the end."""

    def __init__(self, *, phone: bool = False, lang: str = "da") -> None:
        self.phone = phone
        self.lang = lang
        self.problems: list[str] = []

    def check(self, page: Any) -> None:
        problems = accessibility_problems(page, phone=self.phone)
        language = page.evaluate("document.documentElement.lang")
        if language != self.lang:
            problems.append(f"lang={language!r}, expected {self.lang!r}")
        self.problems += [f"{page.url}: {problem}" for problem in problems]

    def assert_none(self) -> None:
        assert not self.problems, "\n".join(self.problems)


def click_and_wait(page: Any, selector: str) -> None:
    """Click something that submits a form or follows a link, and wait for the new page."""
    with page.expect_navigation():
        page.locator(selector).click()


def switch_to_english(page: Any) -> None:
    """Use the page's language switch: a link to the English version (``hreflang="en"``) or
    Django's ``set_language`` form. Fails when the page has neither."""
    link = page.locator('a[hreflang="en"]')
    if link.count():
        with page.expect_navigation():
            link.first.click()
        return
    form = page.locator('form[action*="i18n/setlang"]')
    if not form.count():
        raise AssertionError(f"{page.url}: no language switch (a[hreflang=en] or set_language)")
    language = form.first.locator('[name="language"]')
    if language.evaluate("el => el.tagName") == "SELECT":
        language.select_option("en")
        with page.expect_navigation():
            form.first.locator('[type="submit"]').click()
    else:  # one button per language: <button name="language" value="en">
        with page.expect_navigation():
            form.first.locator('[name="language"][value="en"]').click()


SAME_ORIGIN_REFERRER = """
document.addEventListener("DOMContentLoaded", () => {
  const meta = document.createElement("meta");
  meta.name = "referrer";
  meta.content = "same-origin";
  document.head.appendChild(meta);
});
"""


def relax_referrer_policy(context: Any) -> None:
    """WORKAROUND (see docs/browser-tests.md, "Known page bugs"): pages reached through a
    personal link send ``Referrer-Policy: no-referrer`` (header and <meta>). A browser then
    sends ``Origin: null`` with the page's form POST, which Django's CSRF check refuses (403):
    the confirm / unsubscribe / sign-in / personal-page buttons fail in every real browser.
    Until the pages use ``same-origin`` (which keeps the link from leaking to other sites just
    as well), the flow tests add ``<meta name="referrer" content="same-origin">`` to every
    page once it is parsed (a referrer <meta> inserted later sets the document's policy,
    over the header and the earlier <meta>), and ``test_*_with_the_pages_own_referrer_policy``
    test the pages as served. Nothing is intercepted: requests, file uploads included, go out
    as the browser builds them."""
    context.add_init_script(SAME_ORIGIN_REFERRER)


def publish_consent_text(purpose: str, text_da: str, text_en: str) -> ConsentText:
    """Publish a consent text newer than any the migrations did (a transactional test may or
    may not still see those): the version the pages show."""
    latest = ConsentText.objects.filter(purpose=purpose).aggregate(v=Max("version"))["v"]
    return ConsentTextFactory.create(
        purpose=purpose, version=(latest or 0) + 1, text_da=text_da, text_en=text_en
    )
