"""The letters that answer an erasure, rectification, restriction or objection request: PDF, in
the request's language, stored privately as the request's decision letter (RequestExport of kind
DECISION) until SUBJECT_EXPORT_DAYS have passed, and audited. The letter and the audit trail are
the record of what was decided; the proposal itself is never stored."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from retention.rules import RULES

from .audit import Action, audit
from .erasure import ERASE, KEEP, RESTRICT, Decision, ErasureSummary, erasure_execute
from .models import RequestExport, SubjectRequest
from .subject_export import AUTHORITY, CONTROLLER, ExportStatus

DECISION_TEMPLATE = "privacy/decision_letter.html"
OUTCOME_TEMPLATE = "privacy/outcome_letter.html"


@dataclass(frozen=True)
class LetterRow:
    """One line of a letter's table: a kind of record of the person, and what became of it."""

    record: str
    fields: str
    decision: str
    reason: str
    until: str


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The letters have no external assets; nothing in them may make the renderer fetch a URL.
    raise ValueError("letters load no external resources")


def _pdf(template: str, request: SubjectRequest, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        template,
        {
            "request": request,
            "controller": CONTROLLER,
            "authority": AUTHORITY,
            "written_on": timezone.localdate().isoformat(),
            "received_on": timezone.localdate(request.received_at).isoformat(),
            **context,
        },
    )
    pdf: bytes = HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    return pdf


def _until(decision: Decision) -> str:
    if decision.action == ERASE:
        return ""
    if decision.until is not None:
        return decision.until.isoformat()
    if decision.held:
        return _("until the legal hold is lifted")
    if decision.rule in RULES:
        return str(RULES[decision.rule].label)
    return _("as long as the records that refer to it are kept")


def letter_rows(
    decisions: Iterable[Decision], *, labels: dict[str, Any] | None = None
) -> list[LetterRow]:
    """The decisions as the person reads them: one line per kind of record and decision, with
    how many records and which fields follow the decision (never a value; fields erased from a
    kept record are in ``field_rows``). Call with the letter's language on.
    ``labels`` names the decisions (by default as done: "Erased", "Kept, restricted")."""
    groups: dict[tuple[str, str, str, str], list[Decision]] = {}
    for d in decisions:
        key = (d.model._meta.label_lower, d.action, _until(d), str(d.reason))
        groups.setdefault(key, []).append(d)
    decision_labels = labels or {
        ERASE: _("Erased"),
        RESTRICT: _("Kept, restricted"),
        KEEP: _("Kept"),
    }
    rows = []
    for (_model, action, until, reason), members in groups.items():
        meta = members[0].model._meta
        count = len(members)
        name = meta.verbose_name if count == 1 else f"{meta.verbose_name_plural} ({count})"
        labels = dict.fromkeys(label for d in members for label in d.field_labels)
        rows.append(
            LetterRow(
                record=capfirst(str(name)),
                fields=", ".join(labels),
                decision=str(decision_labels[action]),
                reason=reason,
                until=until,
            )
        )
    return rows


def field_rows(decisions: Iterable[Decision], *, label: Any = None) -> list[LetterRow]:
    """The fields erased from records that are otherwise kept, field by field: one line per
    kind of record, field and reason, with how many records. Call with the letter's language
    on. ``label`` names the decision (by default as done: "Erased")."""
    groups: dict[tuple[str, str, str], tuple[Decision, str, Any, list[Decision]]] = {}
    for d in decisions:
        for erased in d.erase:
            key = (d.model._meta.label_lower, erased.name, str(erased.reason))
            groups.setdefault(key, (d, erased.name, erased.reason, []))[3].append(d)
    rows = []
    for first, name, reason, members in groups.values():
        meta = first.model._meta
        count = len(members)
        record = meta.verbose_name if count == 1 else f"{meta.verbose_name_plural} ({count})"
        rows.append(
            LetterRow(
                record=capfirst(str(record)),
                fields=first.label_of(name),
                decision=str(label or _("Erased")),
                reason=str(reason),
                until="",
            )
        )
    return rows


def erased_rows(decisions: Iterable[Decision]) -> list[LetterRow]:
    """What an executed erasure erased: the records erased whole, then the fields erased from
    records that are kept restricted."""
    decisions = list(decisions)
    return [*letter_rows([d for d in decisions if d.action == ERASE]), *field_rows(decisions)]


def _recipients(request: SubjectRequest) -> list[str]:
    notices = request.recipients.select_related("processor", "company").order_by("pk")
    return [str(n.processor.name if n.processor else n.company) for n in notices]


def decision_letter_pdf(request: SubjectRequest, summary: ErasureSummary) -> bytes:
    """The answer to an erasure request: what was erased (whole records, then field by field
    the fields erased from records that are kept), what is kept or restricted, why (the law or
    the hold) and until when, and the right to complain."""
    with translation.override(request.language):
        return _pdf(
            DECISION_TEMPLATE,
            request,
            {
                "erased": erased_rows([*summary.of(ERASE), *summary.field_erasures]),
                "kept": letter_rows([*summary.of(RESTRICT), *summary.of(KEEP)]),
                "restricted": bool(summary.of(RESTRICT)),
                "fields_erased": bool(summary.field_erasures),
                "recipients": _recipients(request),
            },
        )


def outcome_letter_pdf(request: SubjectRequest) -> bytes:
    """The answer to a rectification, restriction or objection request, from its recorded
    outcome."""
    if not request.outcome.strip():
        raise ValidationError(_("Record the outcome before writing the letter."))
    with translation.override(request.language):
        return _pdf(
            OUTCOME_TEMPLATE,
            request,
            {
                "kind": request.get_kind_display(),
                "outcome": request.outcome,
                "recipients": _recipients(request),
            },
        )


def letter_save(request: SubjectRequest, pdf: bytes, *, name: str, actor: Any) -> RequestExport:
    """Store a letter privately as the request's decision letter; audited. Unlike an access
    zip it has no expiry: it is the proof of what SEROP answered, kept with the request until
    the request's own retention rule (``subject_request``) deletes both."""
    export = RequestExport(
        request=request,
        kind=RequestExport.Kind.DECISION,
        status=ExportStatus.DONE,
        progress=100,
        expires_at=None,
        created_by=actor,
    )
    export.file.save(f"{request.reference}-{name}.pdf", ContentFile(pdf), save=False)
    stored = export.file.name or ""
    try:
        with transaction.atomic():
            export.save()
            audit(
                Action.EXPORT,
                actor=actor,
                obj=export,
                detail=f"{name} letter written for {request.reference}",
            )
    except BaseException:
        default_storage.delete(stored)
        raise
    return export


def erasure_answer(
    request: SubjectRequest, *, confirmed: Iterable[Decision], actor: Any
) -> tuple[ErasureSummary, RequestExport]:
    """Execute the confirmed erasure decisions and write the decision letter, in one
    transaction: a letter that cannot be written undoes the erasure (deleted files go only
    after the commit)."""
    with transaction.atomic():
        summary = erasure_execute(request, confirmed=confirmed, actor=actor)
        pdf = decision_letter_pdf(request, summary)
        return summary, letter_save(request, pdf, name="decision", actor=actor)


def outcome_letter_create(request: SubjectRequest, *, actor: Any) -> RequestExport:
    return letter_save(request, outcome_letter_pdf(request), name="outcome", actor=actor)


def letter_record_download(export: RequestExport, *, actor: Any) -> None:
    audit(
        Action.VIEW,
        actor=actor,
        obj=export,
        detail=f"decision letter of {export.request.reference} downloaded in the admin",
    )
