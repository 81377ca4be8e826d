"""The DPO's dashboard: the admin's front page for the DPO and the administrator.

Read-only. Every section is a bounded number of queries whatever the amount of data (lists are
cut at ``LIST_LIMIT`` with a total beside them), so the page costs the same with ten rows or ten
thousand; tests/dashboard proves it. It shows counts, references and dates, no person's data.
"""

import base64
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from consents.models import ConsentRecord
from consents.purposes import ConsentPurpose
from retention import engine
from retention.models import LegalHold, RetentionRun
from retention.purge import Holds
from retention.rules import RULES

from .breaches import clock_label
from .holdings import category_choices, subject_choices
from .models import AuditEntry, Breach, HoldingSnapshot, SubjectRequest
from .roles import Role

DASHBOARD_ROLES = (Role.DPO, Role.ADMINISTRATOR)
LIST_LIMIT = 25
EXPIRY_DAYS = 30
HOLD_DAYS = 30
CHART_DAYS = 365


def may_see_dashboard(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.groups.filter(name__in=DASHBOARD_ROLES).exists())


# --- subject requests ---------------------------------------------------------------------------
def open_requests(today: date) -> dict[str, Any]:
    queryset = (
        SubjectRequest.objects.filter(closed_at__isnull=True)
        .annotate(answer_due=Coalesce("extended_to", "due_on"))
        .select_related("handler")
        .order_by("answer_due", "reference")
    )
    rows = [
        {
            "request": request,
            "due": request.answer_due,
            "days_left": (request.answer_due - today).days,
            "overdue": request.answer_due < today,
        }
        for request in queryset[:LIST_LIMIT]
    ]
    totals = SubjectRequest.objects.filter(closed_at__isnull=True).aggregate(
        total=Count("pk"),
        overdue=Count(
            "pk",
            filter=Q(extended_to__lt=today) | Q(extended_to__isnull=True, due_on__lt=today),
        ),
    )
    return {"rows": rows, **totals}


# --- retention ----------------------------------------------------------------------------------
def last_runs() -> list[RetentionRun]:
    """The latest real (not dry) run of each rule, newest first."""
    latest = (
        RetentionRun.objects.filter(rule=OuterRef("rule"), dry_run=False)
        .order_by("-started_at", "-pk")
        .values("pk")[:1]
    )
    return list(
        RetentionRun.objects.filter(dry_run=False, pk=Subquery(latest)).order_by("-started_at")
    )


def expiring(today: date, days: int = EXPIRY_DAYS) -> list[dict[str, Any]]:
    """Per rule: rows expired now (waiting for the next run) and rows that expire within
    ``days``, counted with the engine's own selections and today's legal holds.

    Not ``engine.run_rule(dry_run=True)``, the admin's preview: that records a run each time,
    and this page is looked at often. This uses the engine's public pieces (``runnable_rules``,
    ``job_for``, each target's ``expired``, ``until``) and changes nothing."""
    horizon = today + timedelta(days=days)
    holds = Holds.in_force()
    rows = []
    for key in engine.runnable_rules():
        job = engine.job_for(key)
        if job.custom is not None:
            if key != "audit_trail":
                continue  # a custom rule this page does not know how to count
            rule = RULES[key]
            now = AuditEntry.objects.filter(at__lt=engine.until(rule, today)).count()
            later = AuditEntry.objects.filter(at__lt=engine.until(rule, horizon)).count()
        else:
            targets = job.targets()
            now = sum(target.expired(today, holds).count() for target in targets)
            later = sum(target.expired(horizon, holds).count() for target in targets)
        rows.append(
            {
                "key": key,
                "label": RULES[key].label if key in RULES else key,
                "due_now": now,
                "within": max(later - now, 0),
            }
        )
    return rows


def holds_ending(today: date, days: int = HOLD_DAYS) -> dict[str, Any]:
    queryset = (
        LegalHold.objects.active(today)
        .filter(ends_on__isnull=False, ends_on__lte=today + timedelta(days=days))
        .select_related("owner", "content_type")
        .order_by("ends_on", "pk")
    )
    rows = [
        {"hold": hold, "days_left": (hold.ends_on - today).days} for hold in queryset[:LIST_LIMIT]
    ]
    return {"rows": rows, "total": queryset.count()}


# --- breaches -----------------------------------------------------------------------------------
def open_breaches(now: datetime) -> dict[str, Any]:
    queryset = (
        Breach.objects.filter(status=Breach.Status.OPEN)
        .select_related("handler")
        .order_by("aware_at", "pk")
    )
    rows = [
        {
            "breach": breach,
            "clock": clock_label(breach, now),
            "overdue": breach.is_overdue(now),
            "urgent": not breach.decided and breach.time_left(now) < timedelta(hours=24),
        }
        for breach in queryset[:LIST_LIMIT]
    ]
    return {"rows": rows, "total": queryset.count()}


# --- consents -----------------------------------------------------------------------------------
def consent_counts() -> list[dict[str, Any]]:
    """Given and still in force, and withdrawn, per purpose (every purpose, zeros included)."""
    counted: dict[str, dict[str, Any]] = {
        row["text__purpose"]: dict(row)
        for row in ConsentRecord.objects.values("text__purpose").annotate(
            active=Count("pk", filter=Q(withdrawn_at__isnull=True)),
            withdrawn=Count("pk", filter=Q(withdrawn_at__isnull=False)),
        )
    }
    return [
        {
            "purpose": purpose.label,
            "active": counted.get(purpose.value, {}).get("active", 0),
            "withdrawn": counted.get(purpose.value, {}).get("withdrawn", 0),
        }
        for purpose in ConsentPurpose
    ]


# --- holdings over time ------------------------------------------------------------------------
def _chart(title: str, days: list[date], series: dict[str, dict[date, int]]) -> str:
    """A line chart as an ``<img>``-ready data URI. pygal draws it on the server; its SVG
    carries a small config script, inert inside an image, and loads nothing from outside."""
    import pygal
    from pygal.style import CleanStyle

    chart = pygal.Line(
        js=[],
        title=title,
        width=900,
        height=320,
        show_dots=len(days) <= 2,
        dots_size=3,
        x_label_rotation=30,
        show_minor_x_labels=False,
        x_labels_major_count=8,
        legend_at_bottom=True,
        legend_at_bottom_columns=4,
        truncate_legend=40,
        style=CleanStyle(font_family="sans-serif"),
        disable_xml_declaration=False,
    )
    chart.x_labels = [formats.date_format(day, "SHORT_DATE_FORMAT") for day in days]
    for name, values in series.items():
        chart.add(name, [values.get(day) for day in days])
    svg = chart.render(is_unicode=True).encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def holdings(today: date, days: int = CHART_DAYS) -> dict[str, Any]:
    """The daily snapshots of the last ``days``: people per category of people, and per
    category of data (summed over the categories of people), charted; the latest as a table."""
    rows = list(
        HoldingSnapshot.objects.filter(taken_on__gt=today - timedelta(days=days)).values_list(
            "taken_on", "subject", "category", "people", "records"
        )
    )
    if not rows:
        return {"charts": [], "latest": [], "latest_on": None}
    subjects, categories = dict(subject_choices()), dict(category_choices())
    by_subject: dict[str, dict[date, int]] = defaultdict(dict)
    by_category: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for taken_on, subject, category, people, _records in rows:
        if category:
            by_category[str(categories.get(category, category))][taken_on] += people
        else:
            by_subject[str(subjects.get(subject, subject))][taken_on] = people
    dates = sorted({row[0] for row in rows})
    latest_on = dates[-1]
    latest = [
        {
            "subject": str(subjects.get(subject, subject)),
            "category": str(categories.get(category, category)) if category else "",
            "people": people,
            "records": records,
        }
        for taken_on, subject, category, people, records in sorted(rows, key=lambda r: r[1:3])
        if taken_on == latest_on
    ]
    charts = [
        {
            "title": _("People held per category of people"),
            "src": _chart(_("People held per category of people"), dates, dict(by_subject)),
        },
        {
            "title": _("People held per category of data"),
            "src": _chart(_("People held per category of data"), dates, dict(by_category)),
        },
    ]
    return {"charts": charts, "latest": latest, "latest_on": latest_on}


def dashboard_context(*, now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    return {
        "dpo_dashboard": True,
        "today": today,
        "requests": open_requests(today),
        "runs": last_runs(),
        "expiring": expiring(today),
        "expiry_days": EXPIRY_DAYS,
        "breaches": open_breaches(now),
        "holds": holds_ending(today),
        "hold_days": HOLD_DAYS,
        "consents": consent_counts(),
        "holdings": holdings(today),
        "list_limit": LIST_LIMIT,
    }
