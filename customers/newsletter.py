"""The newsletter (policy §8): double opt-in signup, confirmation, unsubscription, and sending
an issue to the confirmed subscribers (docs/newsletter-and-contact.md).

Links carry the subscriber's pseudonymous ``public_id`` only, signed with django.core.signing
under a salt of their own, so a confirmation link cannot be used to unsubscribe or the other way
round, and no address appears in a URL:

- the confirmation link is timestamped and lasts as long as a pending signup is kept (the
  ``newsletter_unconfirmed`` retention rule);
- the unsubscribe link never expires: an old newsletter must still let its reader leave.

Writes happen here, each with its audit entry in the same transaction; emails are queued as
Celery tasks (customers/tasks.py) once the transaction has committed.
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Literal
from uuid import UUID

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation

from consents.models import ConsentRecord, ConsentText
from consents.purposes import ConsentPurpose
from consents.texts import in_force
from privacy.audit import Action, audit, client_ip
from retention.anonymise import anonymise_subscribers, previously_unsubscribed
from retention.rules import get_rule

from .models import NewsletterIssue, NewsletterSubscriber

CONFIRM_SALT = "customers.newsletter.confirm"
UNSUBSCRIBE_SALT = "customers.newsletter.unsubscribe"
Status = NewsletterSubscriber.Status
_MAX_USER_AGENT = ConsentRecord._meta.get_field("user_agent").max_length or 400


class NewsletterUnavailable(Exception):
    """No newsletter consent text is published, so nobody can give a valid consent."""


class ConsentTextChanged(Exception):
    """The form showed another consent text than the one in force now: show the new one."""

    def __init__(self, current: ConsentText) -> None:
        super().__init__("the newsletter consent text changed")
        self.current = current


class LinkInvalid(Exception):
    """A link that was altered, has expired, or names nothing that may still use it."""


class IssueAlreadySent(Exception):
    pass


# --- consent text ----------------------------------------------------------------------------
def current_consent_text() -> ConsentText | None:
    """The newsletter consent text in force: the newest version published so far."""
    return in_force([ConsentPurpose.NEWSLETTER]).get(ConsentPurpose.NEWSLETTER)


# --- links -----------------------------------------------------------------------------------
def confirm_link_lifetime() -> timedelta:
    """A confirmation link works as long as the pending signup is kept."""
    now = timezone.now()
    return (now + get_rule("newsletter_unconfirmed").period) - now


def confirm_token(subscriber: NewsletterSubscriber) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(subscriber.public_id.hex)


def unsubscribe_token(subscriber: NewsletterSubscriber) -> str:
    """The token of the subscriber's unsubscribe link (stable: the same in every email)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(subscriber.public_id.hex)


def _absolute(name: str, token: str, language: str) -> str:
    # The page is in the person's language: the English path (/en/...) for English readers.
    with translation.override(language):
        path = reverse(f"customers_public:{name}", args=[token])
    return settings.SEROP_PUBLIC_URL.rstrip("/") + path


def confirm_url(subscriber: NewsletterSubscriber) -> str:
    return _absolute("newsletter_confirm", confirm_token(subscriber), subscriber.language)


def unsubscribe_url(subscriber: NewsletterSubscriber) -> str:
    return _absolute("newsletter_unsubscribe", unsubscribe_token(subscriber), subscriber.language)


def _confirm_ref(token: str) -> UUID:
    try:
        value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(
            token, max_age=confirm_link_lifetime()
        )
        return UUID(hex=value)
    except (signing.BadSignature, ValueError) as error:  # SignatureExpired is a BadSignature
        raise LinkInvalid(str(error)) from error


def _unsubscribe_ref(token: str) -> UUID:
    try:
        return UUID(hex=signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError) as error:
        raise LinkInvalid(str(error)) from error


def subscriber_for_confirm_token(token: str) -> NewsletterSubscriber:
    """The subscriber a confirmation link names, if it may still be confirmed or already was.
    Changes nothing. Raises LinkInvalid."""
    subscriber = NewsletterSubscriber.objects.filter(public_id=_confirm_ref(token)).first()
    if subscriber is None or subscriber.status == Status.UNSUBSCRIBED or subscriber.is_restricted:
        raise LinkInvalid("no signup to confirm")
    return subscriber


def subscriber_for_unsubscribe_token(token: str) -> NewsletterSubscriber | None:
    """The subscriber an unsubscribe link names; None when the row is gone (an unconfirmed
    signup deleted by retention). Changes nothing. Raises LinkInvalid on an altered link."""
    return NewsletterSubscriber.objects.filter(public_id=_unsubscribe_ref(token)).first()


# --- signup ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignupOutcome:
    subscriber_id: int
    action: Literal["created", "resent", "already_subscribed"]


def normalised_address(email: str) -> str:
    return BaseUserManager.normalize_email(email.strip())


def _record_consent(
    subscriber: NewsletterSubscriber, text: ConsentText, request: HttpRequest | None
) -> None:
    ConsentRecord.objects.create(
        subscriber=subscriber,
        subject_ref=subscriber.public_id,
        text=text,
        given_at=timezone.now(),
        channel=ConsentRecord.Channel.WEB_FORM,
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:_MAX_USER_AGENT],
    )


def _queue(task_name: str, subscriber_id: int) -> None:
    # Imported here: the tasks module builds its emails from this module's links.
    from . import tasks

    transaction.on_commit(partial(getattr(tasks, task_name).delay, subscriber_id))


def _leave_old_opt_out(subscriber: NewsletterSubscriber) -> NewsletterSubscriber | None:
    """An address that unsubscribed and signs up again: the old row is anonymised now, as the
    ``newsletter_unsubscribed`` rule would do at its next run, so it stays as the proof of that
    opt-out and the new signup gets a row of its own. Returns the old row when a legal hold
    keeps it as it is; it is then reused."""
    anonymise_subscribers(NewsletterSubscriber, [subscriber.pk], rule="newsletter_unsubscribed")
    subscriber.refresh_from_db()
    return subscriber if subscriber.email_digest == "" else None


def subscriber_signup(
    *, email: str, language: str, text_id: int, request: HttpRequest | None = None
) -> SignupOutcome:
    """Sign ``email`` up (double opt-in) with the consent text the form showed (``text_id``).

    - new address: a pending subscriber and a consent record of that text version; the
      confirmation email is queued;
    - pending: the confirmation email is sent again (and the consent recorded if the text is
      newer than the one recorded);
    - confirmed: nothing changes; the address is told, by email, that it is subscribed already
      (the page says the same in every case, so it reveals nothing);
    - unsubscribed earlier: a new signup like any other, through the double opt-in.

    Raises NewsletterUnavailable or ConsentTextChanged (nothing stored)."""
    text = current_consent_text()
    if text is None:
        raise NewsletterUnavailable()
    if text.pk != text_id:
        raise ConsentTextChanged(text)
    address = normalised_address(email)
    try:
        return _signup(address, language, text, request)
    except IntegrityError:
        # The same address signed up at the same moment in another request: now it exists.
        return _signup(address, language, text, request)


def _signup(
    address: str, language: str, text: ConsentText, request: HttpRequest | None
) -> SignupOutcome:
    with transaction.atomic():
        existing = (
            NewsletterSubscriber.objects.select_for_update()
            .filter(email__lower=Lower(Value(address)))
            .first()
        )
        if existing is not None and existing.status == Status.UNSUBSCRIBED:
            existing = _leave_old_opt_out(existing)
            if existing is not None:  # held by a legal hold: the same row signs up again
                return _start_again(existing, language, text, request)
        if existing is None:
            return _create(address, language, text, request)
        if existing.status == Status.PENDING:
            return _resend(existing, language, text, request)
        _queue("send_newsletter_already_subscribed", existing.pk)
        return SignupOutcome(existing.pk, "already_subscribed")


def _create(
    address: str, language: str, text: ConsentText, request: HttpRequest | None
) -> SignupOutcome:
    again = previously_unsubscribed(address)
    subscriber = NewsletterSubscriber.objects.create(
        email=address, language=language, status=Status.PENDING, subscribed_at=timezone.now()
    )
    _record_consent(subscriber, text, request)
    audit(
        Action.CREATE,
        request=request,
        obj=subscriber,
        fields=["email", "language", "status", "subscribed_at"],
        detail="newsletter signup, awaiting confirmation"
        + ("; the address had unsubscribed before" if again else ""),
    )
    _queue("send_newsletter_confirmation", subscriber.pk)
    return SignupOutcome(subscriber.pk, "created")


def _resend(
    subscriber: NewsletterSubscriber,
    language: str,
    text: ConsentText,
    request: HttpRequest | None,
) -> SignupOutcome:
    changed = ["language"] if subscriber.language != language else []
    if changed:
        subscriber.language = language
        subscriber.save(update_fields=changed)
    if not subscriber.consents.filter(text=text, withdrawn_at__isnull=True).exists():
        _record_consent(subscriber, text, request)
    audit(
        Action.CHANGE,
        request=request,
        obj=subscriber,
        fields=changed,
        detail="newsletter signup repeated; confirmation sent again",
    )
    _queue("send_newsletter_confirmation", subscriber.pk)
    return SignupOutcome(subscriber.pk, "resent")


def _start_again(
    subscriber: NewsletterSubscriber,
    language: str,
    text: ConsentText,
    request: HttpRequest | None,
) -> SignupOutcome:
    subscriber.status = Status.PENDING
    subscriber.subscribed_at = timezone.now()
    subscriber.confirmed_at = None
    subscriber.language = language
    subscriber.save(update_fields=["status", "subscribed_at", "confirmed_at", "language"])
    _record_consent(subscriber, text, request)
    audit(
        Action.CHANGE,
        request=request,
        obj=subscriber,
        fields=["status", "subscribed_at", "confirmed_at", "language"],
        detail="newsletter signup again after unsubscribing, awaiting confirmation",
    )
    _queue("send_newsletter_confirmation", subscriber.pk)
    return SignupOutcome(subscriber.pk, "created")


# --- confirmation and unsubscription ---------------------------------------------------------
def subscriber_confirm(*, token: str, request: HttpRequest | None = None) -> bool:
    """Confirm a pending signup (the second step of the double opt-in). Returns False when it
    was confirmed already. Raises LinkInvalid (nothing changed)."""
    ref = _confirm_ref(token)
    with transaction.atomic():
        subscriber = NewsletterSubscriber.objects.select_for_update().filter(public_id=ref).first()
        if subscriber is None or subscriber.status == Status.UNSUBSCRIBED:
            raise LinkInvalid("no signup to confirm")
        if subscriber.is_restricted:
            raise LinkInvalid("restricted")
        if subscriber.status == Status.CONFIRMED:
            return False
        subscriber.status = Status.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["status", "confirmed_at"])
        audit(
            Action.CHANGE,
            request=request,
            obj=subscriber,
            fields=["status", "confirmed_at"],
            changes={"status": (Status.PENDING.value, Status.CONFIRMED.value)},
            detail="confirmed the newsletter signup (double opt-in)",
        )
    return True


def subscriber_unsubscribe(
    *, token: str, request: HttpRequest | None = None, one_click: bool = False
) -> bool:
    """Unsubscribe the person an unsubscribe link names, at once: status and date, every
    newsletter consent withdrawn (through the email link), audited, in one transaction.
    Returns False when there was nothing to do (unsubscribed already, or the row is gone).
    Raises LinkInvalid on an altered link (nothing changed)."""
    ref = _unsubscribe_ref(token)
    with transaction.atomic():
        subscriber = NewsletterSubscriber.objects.select_for_update().filter(public_id=ref).first()
        if subscriber is None or subscriber.status == Status.UNSUBSCRIBED:
            return False
        now = timezone.now()
        before = subscriber.status
        subscriber.status = Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = now
        subscriber.save(update_fields=["status", "unsubscribed_at"])
        withdrawn = ConsentRecord.objects.filter(
            subscriber=subscriber,
            text__purpose=ConsentPurpose.NEWSLETTER,
            withdrawn_at__isnull=True,
        ).update(withdrawn_at=now, withdrawal_channel=ConsentRecord.Channel.EMAIL_LINK)
        audit(
            Action.CHANGE,
            request=request,
            obj=subscriber,
            fields=["status", "unsubscribed_at"],
            changes={"status": (before, Status.UNSUBSCRIBED.value)},
            count=withdrawn,
            detail="unsubscribed from the newsletter "
            + ("(one-click, RFC 8058)" if one_click else "(unsubscribe page)")
            + f"; {withdrawn} consent(s) withdrawn",
        )
    return True


# --- sending an issue ------------------------------------------------------------------------
def recipients() -> QuerySet[NewsletterSubscriber]:
    """Who receives a newsletter: confirmed subscribers only, never a restricted record."""
    return NewsletterSubscriber.objects.filter(status=Status.CONFIRMED, is_restricted=False)


def issue_queue(*, issue_id: int, request: HttpRequest | None = None) -> None:
    """Mark the issue sent and queue its sending (customers.tasks.send_newsletter_issue) once
    committed. An issue goes out once. Raises IssueAlreadySent."""
    from . import tasks

    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().get(pk=issue_id)
        if issue.sent_at is not None:
            raise IssueAlreadySent()
        issue.sent_at = timezone.now()
        issue.save(update_fields=["sent_at"])
        audit(
            Action.CHANGE,
            request=request,
            obj=issue,
            fields=["sent_at"],
            detail="newsletter issue queued for sending to the confirmed subscribers",
        )
        transaction.on_commit(partial(tasks.send_newsletter_issue.delay, issue.pk))


def issue_batches(*, issue_id: int) -> list[list[int]]:
    """Split the recipients of a queued issue into batches of SEROP_NEWSLETTER_BATCH_SIZE ids
    and record how many there are."""
    size = max(int(settings.SEROP_NEWSLETTER_BATCH_SIZE), 1)
    ids = list(recipients().order_by("pk").values_list("pk", flat=True))
    NewsletterIssue.objects.filter(pk=issue_id).update(recipient_count=len(ids))
    return [ids[start : start + size] for start in range(0, len(ids), size)]
