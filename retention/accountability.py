"""The retention rules of the accountability records (GDPR Art. 5(2)): data-protection requests,
the breach register, legal holds, deletion notices, the retention engine's own records and the
archive of privacy notices. Each function is a rule's targets, or its custom job, for
``retention.engine.JOBS``; periods are settings (``RETENTION_PERIODS``) like every other rule.

Irreversible. Invariants:
- Only closed or finished records expire: an open request, an open breach, a hold in force,
  the current privacy notice and a run still running are never selected, whatever their age.
- Requests, breaches, holds, notices and notice versions go through ``purge_people`` like any
  other target: in batches, with their cascade (a request's matches, recipients and answers),
  legal holds respected and uploaded files (the answers' zips and letters) removed from storage
  only after the commit (retention/files.py). A request is a person's own record and leaves a
  tombstone; the others name only staff and leave none.
- Runs and tombstones are the proof of every other deletion, so they are not purged by the
  purge (which would write a tombstone for each): ``retention_records`` deletes them directly,
  a month at a time, each month in one transaction, and counts them in its run.
"""

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from privacy.models import Breach, PrivacyNoticeVersion, SubjectRequest

from .batches import add_counts
from .models import DeletionNotice, LegalHold, RetentionRun, Tombstone
from .purge import PurgeResult
from .rules import get_rule

if TYPE_CHECKING:
    from .engine import Target

# retention/engine.py imports this module for its JOBS: its helpers are imported where they are
# used, so that either module may be imported first.


def subject_requests() -> "list[Target]":
    """A closed request, with its matches, recipients told and answers (their files too),
    3 years after it was closed: the general limitation period (forældelsesloven § 3), during
    which SEROP may have to show how it handled the person's request."""
    from .engine import Target, until

    rule = get_rule("subject_request")
    return [
        Target(
            SubjectRequest,
            lambda as_of: SubjectRequest._base_manager.filter(
                closed_at__isnull=False, closed_at__lt=until(rule, as_of)
            ),
        )
    ]


def breaches() -> "list[Target]":
    """A closed breach, 5 years after it was closed: the register documents it for Datatilsynet
    (Art. 33(5)); an open breach is never deleted."""
    from .engine import Target, until

    rule = get_rule("breach_record")
    return [
        Target(
            Breach,
            lambda as_of: Breach._base_manager.filter(
                status=Breach.Status.CLOSED,
                closed_at__isnull=False,
                closed_at__lt=until(rule, as_of),
            ),
        )
    ]


def legal_holds() -> "list[Target]":
    """A hold lifted, or ended on its date, 3 years before: long enough to show why data was
    kept beyond its rule. A hold still in force is never selected."""
    from .engine import Target, clock_cutoff, until

    rule = get_rule("legal_hold")

    def expired(as_of: date) -> models.QuerySet:
        return LegalHold._base_manager.filter(
            Q(lifted_at__lt=until(rule, as_of))
            | Q(lifted_at__isnull=True, ends_on__lte=clock_cutoff(rule, as_of))
        )

    return [Target(LegalHold, expired)]


def deletion_notices() -> "list[Target]":
    """A notice 3 years after the deletion date it announced, for a candidate whose profile is
    still there (the notices of a deleted profile went with it)."""
    from .engine import Target, clock_cutoff

    rule = get_rule("deletion_notice")
    return [
        Target(
            DeletionNotice,
            lambda as_of: DeletionNotice._base_manager.filter(
                expires_on__lte=clock_cutoff(rule, as_of)
            ),
            owners=("candidate",),
        )
    ]


def privacy_notice_versions() -> "list[Target]":
    """An archived privacy notice 5 years after the next version replaced it; the current one
    stays."""
    from .engine import Target, until

    rule = get_rule("privacy_notice_version")
    return [
        Target(
            PrivacyNoticeVersion,
            lambda as_of: PrivacyNoticeVersion._base_manager.filter(
                is_current=False, archived_at__isnull=False, archived_at__lt=until(rule, as_of)
            ),
        )
    ]


def _expired_records(run: RetentionRun, as_of: date) -> tuple[models.QuerySet, models.QuerySet]:
    from .engine import until

    before = until(get_rule("retention_record"), as_of)
    runs = RetentionRun.objects.filter(finished_at__isnull=False, finished_at__lt=before).exclude(
        pk=run.pk
    )
    return runs, Tombstone.objects.filter(deleted_at__lt=before)


def retention_records(run: RetentionRun, as_of: date, dry_run: bool) -> None:
    """Runs finished, and tombstones written, 5 years ago. A run's batches go with it; the
    tombstones of a deleted run lose their link to it (they have their own date)."""
    from .engine import start_of

    runs, stones = _expired_records(run, as_of)
    labels = (RetentionRun._meta.label_lower, Tombstone._meta.label_lower)
    run.expected = runs.count() + stones.count()
    if dry_run:
        run.counts = {
            k: n for k, n in zip(labels, (runs.count(), stones.count()), strict=True) if n
        }
        return
    RetentionRun.objects.filter(pk=run.pk).update(expected=run.expected)
    for queryset, label in ((stones, labels[1]), (runs, labels[0])):
        field = "deleted_at" if queryset.model is Tombstone else "finished_at"
        oldest = queryset.order_by(field).values_list(field, flat=True).first()
        while oldest is not None:
            step = start_of(timezone.localdate(oldest) + relativedelta(months=1))
            with transaction.atomic():
                chunk = queryset.filter(**{f"{field}__lt": step})
                ids = list(chunk.values_list("pk", flat=True))
                queryset.model._base_manager.filter(pk__in=ids).delete()
                add_counts(run, PurgeResult(people=len(ids), counts=Counter({label: len(ids)})))
            oldest = queryset.order_by(field).values_list(field, flat=True).first()
