"""Writes of the breach register (GDPR Art. 33/34): record, change, recount, report. Each writes
and audits in one transaction; the rules of Art. 33/34 are checked here (``breach_problems``),
and the admin form shows the same checks as form errors before anything is saved."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from . import processing_facts as facts
from .audit import Action, audit
from .holdings import category_choices, count_holdings, subject_choices
from .models import Breach
from .models.breaches import notification_deadline
from .taxonomy import Category, Subject

Decision = Breach.Decision
REPORT_TEMPLATE = "privacy/breach_report.html"
# Free text may describe people; the audit trail records that it changed, not what it says.
FREE_TEXT = {
    "title",
    "description",
    "discovery",
    "estimate_note",
    "consequences",
    "measures_taken",
    "measures_proposed",
    "cross_border_details",
    "authority_reason",
    "late_reason",
    "subjects_reason",
    "subjects_notification_method",
}
COUNTED_FROM = {"data_categories", "subject_types"}
# How far ahead of the server's clock "aware" may be (a clock a little fast on a laptop).
FUTURE_TOLERANCE = timedelta(minutes=5)


# --- the rules ----------------------------------------------------------------------------------
def breach_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with a breach record, by field ("__all__" for the whole record); empty when
    it may be saved. ``values`` are the model's field values."""
    problems: dict[str, str] = {}
    aware = values.get("aware_at")
    start, end = values.get("occurred_from"), values.get("occurred_until")
    if aware and aware > timezone.now() + FUTURE_TOLERANCE:
        problems["aware_at"] = _("SEROP cannot become aware of a breach in the future.")
    if start and end and end < start:
        problems["occurred_until"] = _("The breach cannot end before it started.")
    if aware and start and start > aware:
        problems["occurred_from"] = _("The breach cannot start after SEROP became aware of it.")
    unknown = set(values.get("data_categories") or []) - set(Category.values)
    if unknown:
        problems["data_categories"] = _("Unknown category of data: %(keys)s") % {
            "keys": ", ".join(sorted(unknown))
        }
    unknown = set(values.get("subject_types") or []) - set(Subject.values)
    if unknown:
        problems["subject_types"] = _("Unknown category of people: %(keys)s") % {
            "keys": ", ".join(sorted(unknown))
        }
    if (
        values.get("people_estimate") is not None or values.get("records_estimate") is not None
    ) and not (values.get("estimate_note") or "").strip():
        problems["estimate_note"] = _("Say what the estimate is based on.")
    problems |= _authority_problems(values)
    problems |= _subjects_problems(values)
    if values.get("status") == Breach.Status.CLOSED and not problems:
        problems |= _closing_problems(values)
    return problems


def _authority_problems(values: Mapping[str, Any]) -> dict[str, str]:
    problems: dict[str, str] = {}
    decision, notified = values.get("authority_decision"), values.get("authority_notified_at")
    aware = values.get("aware_at")
    if decision == Decision.NOT_NOTIFY and not (values.get("authority_reason") or "").strip():
        problems["authority_reason"] = _(
            "Give the reason for not notifying Datatilsynet (GDPR Art. 33(5))."
        )
    if notified and decision != Decision.NOTIFY:
        problems["authority_notified_at"] = _(
            "A notification date needs the decision to notify Datatilsynet."
        )
    elif notified and aware and notified < aware:
        problems["authority_notified_at"] = _(
            "Datatilsynet cannot be notified before SEROP became aware of the breach."
        )
    elif (
        notified
        and aware
        and notified > notification_deadline(aware)
        and not (values.get("late_reason") or "").strip()
    ):
        problems["late_reason"] = _(
            "Notified after 72 hours: give the reasons for the delay (GDPR Art. 33(1))."
        )
    if values.get("authority_reference") and not notified:
        problems["authority_notified_at"] = _("Give the date Datatilsynet was notified.")
    return problems


def _subjects_problems(values: Mapping[str, Any]) -> dict[str, str]:
    problems: dict[str, str] = {}
    decision, notified = values.get("subjects_decision"), values.get("subjects_notified_at")
    if decision == Decision.NOT_NOTIFY and not (values.get("subjects_reason") or "").strip():
        problems["subjects_reason"] = _(
            "Give the reason for not telling the people affected (GDPR Art. 34(3))."
        )
    if notified and decision != Decision.NOTIFY:
        problems["subjects_notified_at"] = _(
            "A notification date needs the decision to tell the people affected."
        )
    elif notified and not (values.get("subjects_notification_method") or "").strip():
        problems["subjects_notification_method"] = _("Say how the people were told.")
    return problems


def _closing_problems(values: Mapping[str, Any]) -> dict[str, str]:
    problems: dict[str, str] = {}
    if values.get("authority_decision") == Decision.PENDING:
        problems["authority_decision"] = _("Decide on notifying Datatilsynet before closing.")
    elif values.get("authority_decision") == Decision.NOTIFY and not values.get(
        "authority_notified_at"
    ):
        problems["authority_notified_at"] = _("Record when Datatilsynet was notified.")
    if values.get("subjects_decision") == Decision.PENDING:
        problems["subjects_decision"] = _("Decide on telling the people affected before closing.")
    elif values.get("subjects_decision") == Decision.NOTIFY and not values.get(
        "subjects_notified_at"
    ):
        problems["subjects_notified_at"] = _("Record when the people affected were told.")
    return problems


def _values(breach: Breach) -> dict[str, Any]:
    return {f.name: getattr(breach, f.attname) for f in Breach._meta.concrete_fields}


# --- writes ------------------------------------------------------------------------------------
# Serialises numbering: PostgreSQL drops FOR UPDATE from an aggregate query, and the first
# breach of a year has no row to lock, so a transaction-scoped advisory lock is taken instead
# (released at commit or rollback). SQLite (`make run`) serialises writers anyway.
REFERENCE_LOCK = 0x5E20B7


def _next_reference(aware_at: datetime) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFERENCE_LOCK])
    prefix = f"BR-{timezone.localtime(aware_at).year}-"
    last = Breach.objects.filter(reference__startswith=prefix).aggregate(last=Max("reference"))[
        "last"
    ]
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def _count(breach: Breach) -> None:
    """Count the people and records holding the chosen data; nothing chosen, nothing counted."""
    if not breach.data_categories or not breach.subject_types:
        breach.people_computed = breach.records_computed = None
        breach.counts_detail = {}
    else:
        counted = count_holdings(categories=breach.data_categories, subjects=breach.subject_types)
        breach.people_computed, breach.records_computed = counted.people, counted.records
        breach.counts_detail = counted.detail
    breach.counted_at = timezone.now()


def _audited_changes(changes: Mapping[str, tuple[Any, Any]]) -> dict[str, tuple[Any, Any]]:
    return {name: values for name, values in changes.items() if name not in FREE_TEXT}


@transaction.atomic
def breach_save(
    *,
    breach: Breach,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    actor: Any = None,
    request: HttpRequest | None = None,
) -> Breach:
    """Record a new breach (``breach.pk`` is None) or save the given changes of one, with the
    derived fields: reference, decision time, closing time, the counts."""
    creating = breach.pk is None
    changes = dict(changes or {})
    problems = breach_problems(_values(breach))
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    decided = breach.authority_decision != Decision.PENDING
    if creating:
        breach.reference = _next_reference(breach.aware_at)
        breach.created_by = actor if getattr(actor, "is_authenticated", False) else None
        breach.created_at = now
    # The time of the decision in force: a changed decision (notify -> do not notify) is a new
    # decision, recorded when it was made, not when the first one was.
    if decided and (breach.authority_decided_at is None or "authority_decision" in changes):
        breach.authority_decided_at = now
    elif not decided:
        breach.authority_decided_at = None
    if breach.status == Breach.Status.CLOSED and breach.closed_at is None:
        breach.closed_at = now
    elif breach.status == Breach.Status.OPEN:
        breach.closed_at = None
    if creating or COUNTED_FROM & set(changes):
        _count(breach)
    breach.save()
    audit(
        Action.CREATE if creating else Action.CHANGE,
        actor=actor,
        request=request,
        obj=breach,
        fields=list(changes),
        changes=None if creating else _audited_changes(changes),
        detail=f"breach {breach.reference}" + ("" if creating else f": {breach.status}"),
    )
    return breach


def breach_record(
    *, actor: Any = None, request: HttpRequest | None = None, **values: Any
) -> Breach:
    """Record a breach from field values (the admin's add form uses ``breach_save``)."""
    breach = Breach(**values)
    return breach_save(
        breach=breach, changes=dict.fromkeys(values, (None, None)), actor=actor, request=request
    )


@transaction.atomic
def breach_recount(*, breach: Breach, actor: Any, request: HttpRequest | None = None) -> Breach:
    """Count again, from today's data (the count is made when the categories are chosen)."""
    before = (breach.people_computed, breach.records_computed)
    _count(breach)
    breach.save(
        update_fields=["people_computed", "records_computed", "counts_detail", "counted_at"]
    )
    audit(
        Action.CHANGE,
        actor=actor,
        request=request,
        obj=breach,
        fields=["people_computed", "records_computed"],
        changes={
            "people_computed": (before[0], breach.people_computed),
            "records_computed": (before[1], breach.records_computed),
        },
        detail=f"breach {breach.reference}: recounted",
    )
    return breach


# --- the clock in words ------------------------------------------------------------------
def clock_label(breach: Breach, now: datetime | None = None) -> str:
    """The clock in words: hours left, overdue by, or what was decided."""
    if breach.decided:
        if breach.authority_decision == Decision.NOT_NOTIFY:
            return str(_("Decided: not notified"))
        if breach.authority_notified_at is None:
            return str(_("Decided: to be notified"))
        if breach.notified_late:
            return str(_("Notified late"))
        return str(_("Notified in time"))
    left = breach.time_left(now)
    hours, minutes = divmod(int(abs(left).total_seconds()) // 60, 60)
    values = {"hours": hours, "minutes": minutes}
    if left.total_seconds() < 0:
        return str(_("Overdue by %(hours)d h %(minutes)02d min") % values)
    return str(_("%(hours)d h %(minutes)02d min left") % values)


# --- the report --------------------------------------------------------------------------------
def _labels(keys: list[str], choices: list[tuple[str, Any]]) -> list[str]:
    names = dict(choices)
    return [str(names.get(key, key)) for key in keys]


def report_context(breach: Breach) -> dict[str, Any]:
    """What the notification form shows, in the active language."""

    def when(value: datetime | None) -> str:
        if value is None:
            return ""
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")

    # The controller and the authority as settings.SEROP_COMPANY states them, the same source
    # as the records of processing and the privacy notice (not a second hand-kept copy).
    controller, authority = facts.company(), facts.authority()
    handler = breach.handler
    return {
        "breach": breach,
        "controller": controller,
        "authority": authority,
        "contact_name": (
            (handler.get_full_name() or handler.get_username())
            if handler
            else controller["contact_person"]
        ),
        "contact_email": (handler.email if handler else "") or controller["email"],
        "occurred_from": when(breach.occurred_from),
        "occurred_until": when(breach.occurred_until),
        "aware_at": when(breach.aware_at),
        "deadline": when(breach.deadline),
        "authority_notified_at": when(breach.authority_notified_at),
        "authority_decided_at": when(breach.authority_decided_at),
        "subjects_notified_at": when(breach.subjects_notified_at),
        "counted_at": when(breach.counted_at),
        "categories": _labels(breach.data_categories, category_choices()),
        "subjects": _labels(breach.subject_types, subject_choices()),
        "generated_at": when(timezone.now()),
    }


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError("the breach report loads no external resources")


def breach_report_pdf(
    *, breach: Breach, language: str, actor: Any, request: HttpRequest | None = None
) -> bytes:
    """The report in the shape of Datatilsynet's notification form, as a PDF; audited."""
    from weasyprint import HTML

    from .subject_export import _fast_font_subsetting

    with translation.override(language):
        html = render_to_string(REPORT_TEMPLATE, report_context(breach))
    # Without HarfBuzz subsetting (a development machine) the whole font is embedded, as in
    # the access report: subsetting with fontTools is slow.
    pdf: bytes = HTML(string=html, url_fetcher=_no_fetch).write_pdf(
        full_fonts=not _fast_font_subsetting()
    )
    audit(
        Action.EXPORT,
        actor=actor,
        request=request,
        obj=breach,
        detail=f"breach {breach.reference}: report (PDF, {language})",
    )
    return pdf
