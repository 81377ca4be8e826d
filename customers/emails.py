"""The emails of the newsletter and the contact form, built here and sent by customers/tasks.py.

Every email to a subscriber (the newsletter itself and the "already subscribed" answer) carries
a visible unsubscribe link and the RFC 2369 / RFC 8058 headers that let a mail program offer
one-click unsubscription:

    List-Unsubscribe: <https://.../nyhedsbrev/afmeld/<token>/>, <mailto:...?subject=unsubscribe>
    List-Unsubscribe-Post: List-Unsubscribe=One-Click
"""

from collections.abc import Mapping
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import ContactEnquiry, NewsletterIssue, NewsletterSubscriber
from .newsletter import confirm_link_lifetime, confirm_url, unsubscribe_url

TEMPLATES = "public/customers/email"
# Auto-Submitted (RFC 3834): out-of-office replies are not sent back to automatic emails.
AUTOMATIC = {"Auto-Submitted": "auto-generated"}


def list_unsubscribe_headers(subscriber: NewsletterSubscriber) -> dict[str, str]:
    mailto = f"mailto:{settings.SEROP_NEWSLETTER_UNSUBSCRIBE_MAILTO}?subject={quote('unsubscribe')}"
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscriber)}>, <{mailto}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _message(
    subject: str,
    template: str,
    context: Mapping[str, object],
    *,
    to: str,
    headers: dict[str, str],
    connection: BaseEmailBackend | None = None,
) -> EmailMultiAlternatives:
    text = render_to_string(f"{TEMPLATES}/{template}.txt", dict(context))
    html = render_to_string(f"{TEMPLATES}/{template}.html", dict(context))
    message = EmailMultiAlternatives(subject, text, to=[to], headers=headers, connection=connection)
    message.attach_alternative(html, "text/html")
    return message


def confirmation_message(subscriber: NewsletterSubscriber) -> EmailMultiAlternatives:
    """The first step of the double opt-in: a link to a page with a confirm button."""
    with translation.override(subscriber.language):
        context = {
            "confirm_url": confirm_url(subscriber),
            "days": confirm_link_lifetime().days,
        }
        return _message(
            _("Confirm your subscription to SEROP's newsletter"),
            "newsletter_confirm",
            context,
            to=subscriber.email,
            headers=AUTOMATIC,
        )


def already_subscribed_message(subscriber: NewsletterSubscriber) -> EmailMultiAlternatives:
    """The answer to a signup of an address that is subscribed already: only its owner learns
    it, and gets the unsubscribe link."""
    with translation.override(subscriber.language):
        context = {"unsubscribe_url": unsubscribe_url(subscriber)}
        return _message(
            _("You already receive SEROP's newsletter"),
            "newsletter_already_subscribed",
            context,
            to=subscriber.email,
            headers={**AUTOMATIC, **list_unsubscribe_headers(subscriber)},
        )


def newsletter_message(
    issue: NewsletterIssue,
    subscriber: NewsletterSubscriber,
    connection: BaseEmailBackend | None = None,
) -> EmailMultiAlternatives:
    """One newsletter to one subscriber, in their language, with the unsubscribe link in the
    text and in the headers."""
    language = subscriber.language
    with translation.override(language):
        context = {
            "subject": issue.subject(language),
            "body": issue.body(language),
            "unsubscribe_url": unsubscribe_url(subscriber),
        }
        return _message(
            issue.subject(language),
            "newsletter_issue",
            context,
            to=subscriber.email,
            headers=list_unsubscribe_headers(subscriber),
            connection=connection,
        )


def enquiry_notification(enquiry: ContactEnquiry) -> EmailMultiAlternatives:
    """Tells SEROP's staff that an enquiry arrived, with a link to it in the admin. It names
    the topics only: no name, address, phone or message (docs/newsletter-and-contact.md)."""
    with translation.override(settings.LANGUAGE_CODE):
        labels = dict(ContactEnquiry.Topic.choices)
        topics = [str(labels.get(topic, topic)) for topic in enquiry.topics]
        context = {
            "topics": topics,
            "received_at": date_format(timezone.localtime(enquiry.received_at), "DATETIME_FORMAT"),
            "admin_url": settings.SEROP_PUBLIC_URL.rstrip("/")
            + reverse("admin:customers_contactenquiry_change", args=[enquiry.pk]),
        }
        return _message(
            _("New enquiry from the website: %(topics)s") % {"topics": ", ".join(topics)},
            "enquiry_notification",
            context,
            to=settings.SEROP_CONTACT_NOTIFY_EMAIL,
            headers=AUTOMATIC,
        )
