"""Reminders of subject-request deadlines (GDPR Art. 12(3): one month, or the extension).

The beat job (SEROP_PERIODIC_TASKS "remind-request-handlers", daily at 08:00) emails each
handler about their open requests whose deadline is 7 days or 1 day away, or past; a request
without a handler goes to everyone in the "dpo" group. The email names the request by its
reference and kind only, never the requester: it travels through the mail system.
"""

from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import SubjectRequest
from .roles import Role
from .subject_requests import requests_due_for_reminder


def _headings() -> dict[str, str]:
    return {
        "overdue": _("Past the deadline:"),
        "1_day": _("Due tomorrow:"),
        "7_days": _("Due in 7 days:"),
    }


def _recipients(request: SubjectRequest, dpo_emails: list[str]) -> tuple[str, ...]:
    if request.handler is not None and request.handler.is_active and request.handler.email:
        return (request.handler.email,)
    return tuple(dpo_emails)


def _body(reminders: dict[str, list[SubjectRequest]]) -> str:
    lines = [_("These subject requests need an answer soon:"), ""]
    for when, heading in _headings().items():
        if not reminders.get(when):
            continue
        lines.append(heading)
        for request in reminders[when]:
            lines.append(
                _("- %(reference)s, %(kind)s, answer due %(deadline)s")
                % {
                    "reference": request.reference,
                    "kind": request.get_kind_display(),
                    "deadline": date_format(request.deadline, "SHORT_DATE_FORMAT"),
                }
            )
        lines.append("")
    lines.append(_("Open them in the admin under Data protection > Subject requests."))
    return "\n".join(lines)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def remind_request_handlers() -> int:
    """Send today's reminders, one email per recipient; returns the number of emails.

    Read-only apart from the emails: a retry after an SMTP failure sends again to everyone
    (a duplicate reminder is harmless; a missing one is not)."""
    today = timezone.localdate()
    due = requests_due_for_reminder(today)
    dpo_emails = sorted(
        get_user_model()
        .objects.filter(groups__name=Role.DPO, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    by_recipient: dict[str, dict[str, list[SubjectRequest]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for when, requests in due.items():
        for request in requests:
            for address in _recipients(request, dpo_emails):
                by_recipient[address][when].append(request)
    with translation.override(settings.LANGUAGE_CODE):
        for address, reminders in sorted(by_recipient.items()):
            count = sum(len(r) for r in reminders.values())
            subject = ngettext(
                "Subject requests: %(count)d deadline to watch",
                "Subject requests: %(count)d deadlines to watch",
                count,
            ) % {"count": count}
            EmailMessage(subject, _body(reminders), to=[address]).send()
    return len(by_recipient)
