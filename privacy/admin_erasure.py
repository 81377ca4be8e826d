"""The DPO's pages for answering erasure, rectification, restriction and objection requests,
as a mixin for the subject-request admin:

- ``<id>/erasure/``: the proposal, a record per line with its decision, fields, reason and date,
  and a line per field erased now from a record that is otherwise restricted; the DPO ticks
  what to execute; one POST executes it (privacy/erasure.py) and writes the
  decision letter (privacy/letters.py).
- ``<id>/letter/``: records the outcome of a rectification, restriction or objection request
  and writes the outcome letter.
- ``<id>/recipients/``: the processors and customers to tell (GDPR Art. 19), ticked off.
- ``<id>/letters/<export id>/``: downloads a letter.

Only users who may change subject requests (the DPO) get in; others get 403. A rule a service
refuses comes back as a message or a form error in the user's language, never a 500.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .erasure import (
    ACTION_LABELS,
    ERASE,
    Decision,
    erasure_proposal,
    recipients_mark_told,
)
from .letters import (
    erasure_answer,
    field_rows,
    letter_record_download,
    letter_rows,
    outcome_letter_create,
)
from .models import PersonRecord, RequestExport, SubjectRequest
from .registry import registry
from .request_outcomes import objection_record, rectification_record, restriction_apply
from .subject_data import confirmed_records

PERMISSION = "privacy.change_subjectrequest"
Kind = SubjectRequest.Kind
OUTCOME_KINDS = (Kind.RECTIFICATION, Kind.RESTRICTION, Kind.OBJECTION)


def _record_key(record: models.Model) -> str:
    return f"{record._meta.label_lower}:{record.pk}"


def _record_label(record: models.Model) -> str:
    return f"{str(record._meta.verbose_name).capitalize()}: {record}"


# --- forms of the outcome page ------------------------------------------------------------------
class RectificationForm(forms.Form):
    fields_changed = forms.MultipleChoiceField(
        label=_("fields corrected"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Correct the values through the record's own page first (it validates and audits "
            "them); here, tick which fields were corrected."
        ),
    )
    note = forms.CharField(
        label=_("note to the person"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in the letter. Do not repeat confidential values here."),
    )

    def __init__(self, *args: Any, records: list[models.Model], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.records = {_record_key(r): r for r in records}
        self.fields["fields_changed"].choices = [  # type: ignore[attr-defined]
            (
                f"{_record_key(r)}:{info.name}",
                f"{_record_label(r)}: {info.label}",
            )
            for r in records
            for info in registry.fields(model=type(r))
        ]

    def changes(self) -> dict[models.Model, list[str]]:
        result: dict[models.Model, list[str]] = {}
        for value in self.cleaned_data["fields_changed"]:
            key, _sep, name = value.rpartition(":")
            result.setdefault(self.records[key], []).append(name)
        return result


class RestrictionForm(forms.Form):
    records = forms.MultipleChoiceField(
        label=_("records to restrict"), widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=_("ground for the restriction"),
        max_length=250,
        help_text=_("e.g. the person contests the accuracy of the data (GDPR Art. 18(1)(a))."),
    )

    def __init__(self, *args: Any, records: list[models.Model], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [r for r in records if isinstance(r, PersonRecord)]
        self.people = {_record_key(r): r for r in people}
        self.fields["records"].choices = [(k, _record_label(r)) for k, r in self.people.items()]  # type: ignore[attr-defined]

    def chosen(self) -> list[models.Model]:
        return [self.people[key] for key in self.cleaned_data["records"]]


class ObjectionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        widget=forms.RadioSelect,
        choices=[
            ("upheld", _("Upheld: the processing stops")),
            ("refused", _("Not upheld: compelling legitimate grounds, or legal claims")),
        ],
    )
    explanation = forms.CharField(
        label=_("explanation to the person"), widget=forms.Textarea(attrs={"rows": 4})
    )


# --- the mixin ----------------------------------------------------------------------------------
class ErasureAdminMixin:
    """Mix into the SubjectRequest ModelAdmin, before ``admin.ModelAdmin``."""

    admin_site: Any
    opts: Any
    get_object: Any
    message_user: Any
    media: Any

    def get_urls(self) -> list[Any]:
        def view(function: Any, route: str, name: str) -> Any:
            return path(
                f"<path:object_id>/{route}",
                self.admin_site.admin_view(function),
                name=f"{self.opts.app_label}_{self.opts.model_name}_{name}",
            )

        return [
            view(self.erasure_view, "erasure/", "erasure"),
            view(self.outcome_letter_view, "letter/", "letter"),
            view(self.recipients_view, "recipients/", "recipients"),
            view(self.letter_download_view, "letters/<int:export_id>/", "letter_download"),
            *super().get_urls(),  # type: ignore[misc]
        ]

    # --- helpers ---
    def _dpo_request(self, request: HttpRequest, object_id: str) -> SubjectRequest:
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        assert isinstance(obj, SubjectRequest)
        return obj

    def _url(self, name: str, obj: SubjectRequest) -> str:
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{name}",
            args=[obj.pk],
        )

    def _errors(self, request: HttpRequest, error: ValidationError) -> None:
        for message in error.messages:
            self.message_user(request, message, messages.ERROR)

    def _page(
        self, request: HttpRequest, obj: SubjectRequest, template: str, title: Any, **context: Any
    ) -> TemplateResponse:
        letters = obj.exports.filter(kind=RequestExport.Kind.DECISION).order_by("-created_at")
        return TemplateResponse(
            request,
            f"admin/privacy/erasure/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": obj,
                "title": title,
                "letters": [
                    {"export": e, "url": self._letter_url(obj, e)}
                    for e in letters.select_related("created_by")
                ],
                "change_url": self._url("change", obj),
                "recipients_url": self._url("recipients", obj),
                **context,
            },
        )

    def _letter_url(self, obj: SubjectRequest, export: RequestExport) -> str:
        name = f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}"
        return reverse(f"{name}_letter_download", args=[obj.pk, export.pk])

    # --- erasure ---
    @staticmethod
    def _groups(proposal: list[Decision]) -> list[dict[str, Any]]:
        """Each confirmed record with a line of its own, then its rows, grouped by kind, then
        the fields erased now from its restricted rows, field by field."""
        groups: list[dict[str, Any]] = []
        for decision in proposal:
            if decision.is_root:
                line = letter_rows([decision], labels=ACTION_LABELS)[0]
                groups.append({"decision": decision, "line": line, "rows": []})
            elif groups:
                groups[-1]["rows"].append(decision)
        for group in groups:
            group["fields"] = field_rows(
                [group["decision"], *group["rows"]], label=ACTION_LABELS[ERASE]
            )
            group["rows"] = letter_rows(group["rows"], labels=ACTION_LABELS)
        return groups

    def erasure_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._dpo_request(request, object_id)
        if obj.kind != Kind.ERASURE:
            self.message_user(request, _("This is not an erasure request."), messages.ERROR)
            return HttpResponseRedirect(self._url("change", obj))
        here = self._url("erasure", obj)
        if request.method == "POST":
            ticked = set(request.POST.getlist("decision"))
            confirmed = [d for d in erasure_proposal(obj) if d.key in ticked]
            try:
                summary, _letter = erasure_answer(obj, confirmed=confirmed, actor=request.user)
            except ValidationError as error:
                self._errors(request, error)
                return HttpResponseRedirect(here)
            counts = summary.counts
            done = _(
                "Done: %(erased)d records erased, %(restricted)d restricted, %(kept)d kept. "
                "The decision letter is ready below; tell the recipients next."
            ) % {
                "erased": counts.get("erase", 0),
                "restricted": counts.get("restrict", 0),
                "kept": counts.get("keep", 0),
            }
            emptied = sum(len(d.erase_fields) for d in summary.field_erasures)
            if emptied:  # erased inside records that are restricted, not counted above
                done += " " + ngettext(
                    "In the restricted records %(count)d field that no law keeps was emptied.",
                    "In the restricted records %(count)d fields that no law keeps were emptied.",
                    emptied,
                ) % {"count": emptied}
            self.message_user(request, done, messages.SUCCESS)
            if summary.skipped:
                self.message_user(
                    request,
                    _("%(count)d ticked decisions had changed and were not executed.")
                    % {"count": len(summary.skipped)},
                    messages.WARNING,
                )
            return HttpResponseRedirect(here)
        proposal = erasure_proposal(obj)
        return self._page(
            request,
            obj,
            "erasure.html",
            _("Erasure: decisions"),
            groups=self._groups(proposal),
        )

    # --- rectification, restriction, objection ---
    def outcome_letter_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._dpo_request(request, object_id)
        if obj.kind not in OUTCOME_KINDS:
            self.message_user(
                request,
                _("Letters for this kind of request are written elsewhere."),
                messages.ERROR,
            )
            return HttpResponseRedirect(self._url("change", obj))
        here = self._url("letter", obj)
        posted = request.POST if request.method == "POST" else None
        if not obj.is_open:  # the outcome is recorded: (re)write the letter
            if posted is not None:
                try:
                    outcome_letter_create(obj, actor=request.user)
                except ValidationError as error:
                    self._errors(request, error)
                else:
                    self.message_user(request, _("The letter is ready below."), messages.SUCCESS)
                return HttpResponseRedirect(here)
            return self._page(request, obj, "outcome.html", _("Answer and letter"), form=None)
        form = self._outcome_form(obj, posted)
        if posted is not None and form.is_valid():
            try:
                self._record_outcome(request, obj, form)
                outcome_letter_create(obj, actor=request.user)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                self.message_user(
                    request,
                    _("The outcome is recorded, the request is answered and the letter is ready."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(here)
        return self._page(
            request, obj, "outcome.html", _("Answer and letter"), form=form, media=form.media
        )

    def _outcome_form(self, obj: SubjectRequest, data: Any) -> forms.Form:
        if obj.kind == Kind.OBJECTION:
            return ObjectionForm(data)
        records = confirmed_records(obj)
        if obj.kind == Kind.RESTRICTION:
            return RestrictionForm(data, records=records)
        return RectificationForm(data, records=records)

    def _record_outcome(self, request: HttpRequest, obj: SubjectRequest, form: forms.Form) -> None:
        actor = request.user
        if isinstance(form, ObjectionForm):
            objection_record(
                request=obj,
                upheld=form.cleaned_data["decision"] == "upheld",
                explanation=form.cleaned_data["explanation"],
                actor=actor,
            )
        elif isinstance(form, RestrictionForm):
            restriction_apply(
                request=obj, records=form.chosen(), reason=form.cleaned_data["reason"], actor=actor
            )
        elif isinstance(form, RectificationForm):
            rectification_record(
                request=obj, changes=form.changes(), note=form.cleaned_data["note"], actor=actor
            )

    # --- Art. 19 ---
    def recipients_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._dpo_request(request, object_id)
        if request.method == "POST":
            ids = [v for v in request.POST.getlist("told") if v.isdigit()]
            changed = recipients_mark_told(request=obj, told=map(int, ids), actor=request.user)
            self.message_user(
                request,
                _("%(count)d recipients updated.") % {"count": changed},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(self._url("recipients", obj))
        notices = obj.recipients.select_related("processor", "company", "notified_by").order_by(
            "pk"
        )
        return self._page(
            request, obj, "recipients.html", _("Recipients to tell (Art. 19)"), notices=notices
        )

    # --- letters ---
    @staticmethod
    def _pdf_response(export: RequestExport) -> FileResponse:
        response = FileResponse(
            export.file.open("rb"),
            as_attachment=True,
            filename=f"{export.request.reference}-{export.pk}.pdf",
            content_type="application/pdf",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "no-store"
        return response

    def letter_download_view(
        self, request: HttpRequest, object_id: str, export_id: int
    ) -> HttpResponseBase:
        obj = self._dpo_request(request, object_id)
        export = obj.exports.filter(pk=export_id, kind=RequestExport.Kind.DECISION).first()
        if export is None or not export.file:
            raise Http404
        try:
            response = self._pdf_response(export)
        except FileNotFoundError as exc:
            raise Http404 from exc
        letter_record_download(export, actor=request.user)
        return response
