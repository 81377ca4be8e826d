"""Scheduled jobs of the breach register and the DPO dashboard.

``remind_breach_deadlines`` (SEROP_PERIODIC_TASKS "remind-breach-deadlines", every 15 minutes)
emails the DPOs and the breach's handler 24 hours and 48 hours after SEROP became aware of an
open breach, and once the 72-hour deadline has passed, as long as no decision on notifying
Datatilsynet is recorded. Each reminder is sent once: the time it went is recorded on the breach
in the same transaction as the sending. A reminder whose moment passed while a later one is due
(the job did not run for a day) is skipped: only the most urgent one goes. The email names the
breach by its reference and times only: it travels through the mail system.

``snapshot_holdings`` (daily) records how many people and records SEROP holds per category of
people and of data (privacy/holdings.py), for the dashboard's chart.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .audit import Action, audit
from .holdings import holdings_by_kind
from .models import Breach, HoldingSnapshot
from .roles import Role


@dataclass(frozen=True)
class Stage:
    key: str
    hours: int  # after awareness
    field: str  # when it was sent
    until: int | None  # the next stage's hours: from then on this one is skipped


STAGES = [
    Stage("24h", 24, "reminded_24h_at", 48),
    Stage("48h", 48, "reminded_48h_at", 72),
    Stage("overdue", 72, "reminded_overdue_at", None),
]


def _due(stage: Stage, now: datetime) -> QuerySet[Breach]:
    queryset = Breach.objects.filter(
        status=Breach.Status.OPEN,
        authority_decision=Breach.Decision.PENDING,
        aware_at__lte=now - timedelta(hours=stage.hours),
        **{f"{stage.field}__isnull": True},
    )
    if stage.until is not None:
        queryset = queryset.filter(aware_at__gt=now - timedelta(hours=stage.until))
    return queryset


def _dpo_emails() -> list[str]:
    return sorted(
        get_user_model()
        .objects.filter(groups__name=Role.DPO, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _message(stage: Stage, breach: Breach) -> tuple[str, str]:
    values = {
        "reference": breach.reference,
        "aware": formats.date_format(timezone.localtime(breach.aware_at), "DATETIME_FORMAT"),
        "deadline": formats.date_format(timezone.localtime(breach.deadline), "DATETIME_FORMAT"),
    }
    if stage.key == "overdue":
        subject = _("Breach %(reference)s: the 72-hour deadline has passed") % values
        first = _(
            "The deadline for notifying Datatilsynet of breach %(reference)s passed at "
            "%(deadline)s, and no decision on notifying is recorded."
        )
    else:
        left = 72 - stage.hours
        values["left"] = str(left)
        subject = _("Breach %(reference)s: %(left)s hours left to notify Datatilsynet") % values
        first = _(
            "SEROP became aware of breach %(reference)s at %(aware)s. Datatilsynet must be "
            "notified by %(deadline)s (72 hours), unless the breach is unlikely to result in a "
            "risk to people's rights and freedoms."
        )
    body = "\n\n".join(
        [
            first % values,
            _(
                "Record the decision, with its reason, on the breach in the admin under Data "
                "protection > Personal data breaches."
            ),
        ]
    )
    return subject, body


def _send(stage: Stage, breach_id: int, now: datetime, dpo_emails: list[str]) -> bool:
    with transaction.atomic():
        breach = (
            _due(stage, now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("handler")
            .filter(pk=breach_id)
            .first()
        )
        if breach is None:  # decided, closed or reminded meanwhile, or another worker has it
            return False
        recipients = set(dpo_emails)
        if breach.handler is not None and breach.handler.is_active and breach.handler.email:
            recipients.add(breach.handler.email)
        if not recipients:
            return False
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _message(stage, breach)
        # Sent before the time is recorded, in the transaction: a failing send rolls back and the
        # retry sends it; a crash between the two sends it again (a duplicate, never none).
        EmailMessage(subject, body, to=sorted(recipients)).send()
        setattr(breach, stage.field, now)
        breach.save(update_fields=[stage.field])
        audit(
            Action.CHANGE,
            obj=breach,
            fields=[stage.field],
            count=len(recipients),
            detail=f"breach {breach.reference}: {stage.key} reminder sent",
        )
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def remind_breach_deadlines() -> int:
    """Send the reminders that are due; returns how many breaches were reminded."""
    now = timezone.now()
    dpo_emails = _dpo_emails()
    sent = 0
    for stage in STAGES:
        for breach_id in list(_due(stage, now).values_list("pk", flat=True)):
            sent += _send(stage, breach_id, now, dpo_emails)
    return sent


@transaction.atomic
def holdings_snapshot_take(*, on: date | None = None) -> int:
    """Count today's holdings and store them, replacing a snapshot taken earlier the same day.
    Returns the number of rows stored."""
    day = on or timezone.localdate()
    counted = holdings_by_kind()
    HoldingSnapshot.objects.filter(taken_on=day).delete()
    rows = HoldingSnapshot.objects.bulk_create(
        HoldingSnapshot(
            taken_on=day,
            subject=subject,
            category=category,
            people=holdings.people,
            records=holdings.records,
        )
        for (subject, category), holdings in sorted(counted.items())
    )
    return len(rows)


@shared_task
def snapshot_holdings() -> int:
    return holdings_snapshot_take()
