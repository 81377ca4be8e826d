"""Notice before deletion (policy §13): ``RETENTION_NOTICE_DAYS`` days before a CV-bank profile
expires, the candidate is emailed, in their language, a signed link to keep the profile.

Keeping it counts as activity (it restarts the ``cv_bank_inactivity`` clock) and is stored as a
renewed CV-bank consent with the text version the person agreed to. Only that click changes
anything: a notice that bounces, is never opened, or whose link is merely fetched (GET) by a
mail scanner leaves the clock alone, so the profile is deleted on time.

The link carries ``DeletionNotice.token_id`` only, signed with django.core.signing: no personal
data in the URL. It is valid until the day after the expiry date it announced.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candidates.activity import ActivityKind
from candidates.models import Candidate
from candidates.services import candidate_record_activity
from consents.models import ConsentRecord, ConsentText
from consents.purposes import ConsentPurpose
from consents.texts import in_force
from privacy.audit import Action, audit, client_ip

from .models import DeletionNotice
from .rules import get_rule

RULE = "cv_bank_inactivity"
KEEP_SALT = "retention.notices.keep-profile"
# Month ends clip (31 January + 1 month = 28 February), so "clock date + period <= horizon"
# cannot be inverted exactly in SQL: the query widens by this many days, Python decides.
_CLIP_MARGIN = timedelta(days=4)
_MAX_USER_AGENT = ConsentRecord._meta.get_field("user_agent").max_length or 400


class KeepLinkInvalid(Exception):
    """The link was tampered with, is unknown (the profile may be gone) or is past its date."""


class KeepLinkUsed(Exception):
    """The profile was already kept with this link."""

    def __init__(self, notice: DeletionNotice, expires_on: date) -> None:
        super().__init__("already kept")
        self.notice = notice
        self.expires_on = expires_on


@dataclass(frozen=True)
class DueNotice:
    candidate: Candidate
    expires_on: date


# --- small pure helpers ----------------------------------------------------------------------
def _start_of(day: date) -> datetime:
    """Local midnight at the start of ``day``, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def cv_bank_expires_on(candidate: Candidate) -> date:
    """The day the candidate's CV-bank profile expires (the rule's first day it may not be kept)."""
    return get_rule(RULE).expires_on(timezone.localdate(candidate.last_activity_at))


def keep_months() -> int:
    """The rule's period in whole months, for "keep my profile for 12 more months"."""
    period = get_rule(RULE).period
    return period.years * 12 + period.months or max(1, round(period.days / 30))


def link_valid_until(notice: DeletionNotice) -> datetime:
    """The link works until the start of the day after the announced expiry date."""
    return _start_of(notice.expires_on + timedelta(days=1))


def make_keep_token(notice: DeletionNotice) -> str:
    return signing.TimestampSigner(salt=KEEP_SALT).sign(notice.token_id.hex)


def keep_url(notice: DeletionNotice) -> str:
    # The system's public address (e.g. https://data.serop.dk). No guess when it is missing: a
    # notice with a link to the wrong host is worse than one that waits, unsent, for the setting.
    base = getattr(settings, "SEROP_PUBLIC_URL", "")
    if not base:
        raise ImproperlyConfigured("SEROP_PUBLIC_URL is needed for the links in emails")
    return base.rstrip("/") + reverse("retention:keep_profile", args=[make_keep_token(notice)])


def _token_id(token: str) -> uuid.UUID:
    try:
        # The expiry is the notice's own date (link_valid_until), checked against the row the
        # token names; the signature proves the id was issued by us and not altered.
        return uuid.UUID(hex=signing.TimestampSigner(salt=KEEP_SALT).unsign(token))
    except (signing.BadSignature, ValueError) as error:
        raise KeepLinkInvalid from error


def _checked(notice: DeletionNotice | None) -> DeletionNotice:
    if notice is None:
        raise KeepLinkInvalid
    if notice.used_at is not None:
        raise KeepLinkUsed(notice, cv_bank_expires_on(notice.candidate))
    if timezone.now() >= link_valid_until(notice):
        raise KeepLinkInvalid
    return notice


# --- selectors -------------------------------------------------------------------------------
def notices_due(*, as_of: date) -> list[DueNotice]:
    """Active candidates whose CV-bank profile expires after ``as_of`` and at most
    RETENTION_NOTICE_DAYS days later, and who have no notice for that expiry date yet.

    Restricted profiles (GDPR Art. 18) are left out: restriction stops all processing but
    storage, mailing included."""
    rule = get_rule(RULE)
    horizon = as_of + timedelta(days=settings.RETENTION_NOTICE_DAYS)
    candidates = Candidate.objects.filter(
        status=Candidate.Status.ACTIVE,
        is_restricted=False,
        last_activity_at__lt=_start_of(horizon - rule.period + _CLIP_MARGIN + timedelta(days=1)),
    )
    if not rule.counts_from_fiscal_year_end:
        # Anything older has expired already: (as_of - period) + period <= as_of.
        candidates = candidates.filter(last_activity_at__gte=_start_of(as_of - rule.period))
    # Only what the notice needs: the profile's encrypted fields stay encrypted.
    candidates = candidates.only("pk", "last_activity_at", "language").order_by("pk")
    due = []
    for candidate in candidates.iterator(chunk_size=2000):
        expires_on = cv_bank_expires_on(candidate)
        if as_of < expires_on <= horizon:
            due.append(DueNotice(candidate, expires_on))
    sent = set(
        DeletionNotice.objects.filter(
            candidate_id__in=[d.candidate.pk for d in due], expires_on__gt=as_of
        ).values_list("candidate_id", "expires_on")
    )
    return [d for d in due if (d.candidate.pk, d.expires_on) not in sent]


def notice_for_token(*, token: str) -> DeletionNotice:
    """The notice a keep link names, if the link may still be used. Changes nothing.

    Raises KeepLinkInvalid, or KeepLinkUsed when the profile was already kept with it."""
    token_id = _token_id(token)
    notice = DeletionNotice.objects.select_related("candidate").filter(token_id=token_id).first()
    return _checked(notice)


# --- services --------------------------------------------------------------------------------
@transaction.atomic
def notices_create_due(*, as_of: date) -> list[DeletionNotice]:
    """Create one DeletionNotice per due profile and expiry date; returns the new ones. Safe to
    run twice, and concurrently: the (candidate, expires_on) constraint decides."""
    created = []
    for due in notices_due(as_of=as_of):
        notice, is_new = DeletionNotice.objects.get_or_create(
            candidate=due.candidate,
            expires_on=due.expires_on,
            defaults={"language": due.candidate.language},
        )
        if is_new:
            created.append(notice)
    return created


def notice_send(*, notice_id: int) -> bool:
    """Email the notice in the candidate's language and record ``sent_at``. Returns False, and
    sends nothing, when it was sent already or is no longer due (the profile was kept, had
    activity since, or is restricted). An SMTP error propagates: the task retries."""
    notice = DeletionNotice.objects.select_related("candidate").get(pk=notice_id)
    candidate = notice.candidate
    if (
        notice.sent_at is not None
        or notice.used_at is not None
        or candidate.is_restricted
        or candidate.status != Candidate.Status.ACTIVE
        or cv_bank_expires_on(candidate) != notice.expires_on
        or notice.expires_on <= timezone.localdate()
    ):
        return False
    with translation.override(notice.language):
        context = {
            "first_name": candidate.first_name,
            "expires_on": notice.expires_on,
            "keep_url": keep_url(notice),
            "months": keep_months(),
        }
        subject = _("Your profile in SEROP's CV bank will be deleted on %(date)s") % {
            "date": date_format(notice.expires_on, "DATE_FORMAT")
        }
        text = render_to_string("retention/email/deletion_notice.txt", context)
        html = render_to_string("retention/email/deletion_notice.html", context)
    # Auto-Submitted (RFC 3834): out-of-office replies are not sent back to an automatic notice.
    message = EmailMultiAlternatives(
        subject, text, to=[candidate.email], headers={"Auto-Submitted": "auto-generated"}
    )
    message.attach_alternative(html, "text/html")
    message.send()
    notice.sent_at = timezone.now()
    notice.save(update_fields=["sent_at"])
    return True


def profile_keep(*, token: str, request: HttpRequest) -> date:
    """The candidate clicked "keep my profile": record the activity (KEPT_PROFILE, which
    restarts the retention clock) and a renewed CV-bank consent with the newest published text,
    mark the notice used and audit it, in one transaction. Returns the new expiry date.

    Raises KeepLinkInvalid (nothing changed) or KeepLinkUsed."""
    token_id = _token_id(token)
    with transaction.atomic():
        notice = _checked(
            DeletionNotice.objects.select_for_update()
            .select_related("candidate")
            .filter(token_id=token_id)
            .first()
        )
        candidate = notice.candidate
        now = timezone.now()
        # A CV-bank signup cannot happen without a published text, so one exists; if not, the
        # error rolls the whole keep back rather than keeping a profile without proof.
        text = in_force([ConsentPurpose.CV_BANK], at=now).get(ConsentPurpose.CV_BANK)
        if text is None:
            raise ConsentText.DoesNotExist("No published CV-bank consent text")
        candidate_record_activity(candidate=candidate, kind=ActivityKind.KEPT_PROFILE, at=now)
        ConsentRecord.objects.create(
            candidate=candidate,
            subject_ref=candidate.public_id,
            text=text,
            given_at=now,
            channel=ConsentRecord.Channel.EMAIL_LINK,
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:_MAX_USER_AGENT],
        )
        notice.used_at = now
        notice.save(update_fields=["used_at"])
        audit(
            Action.CHANGE,
            request=request,
            obj=candidate,
            fields=["last_activity_at"],
            detail=(
                f"kept the CV-bank profile from deletion notice {notice.pk}; "
                f"consent {text.purpose} v{text.version}"
            ),
        )
    return cv_bank_expires_on(candidate)
