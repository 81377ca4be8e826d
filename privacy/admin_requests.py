"""The DPO's desk for data-subject requests (GDPR Art. 12-22): the list by deadline, receiving
a request, verifying the requester's identity, extending and closing, finding the person's
records across every app, and ticking off the recipients to tell (Art. 19).

Every step goes through a service (privacy/subject_requests.py, privacy/person_search.py); a
rule the service refuses comes back as a form error in the user's language, never a 500. Only
users with the privacy app's permissions on subject requests (the DPO) get in; others get 403.
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.widgets import AdminDateWidget, AdminSplitDateTime
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .admin_erasure import ErasureAdminMixin
from .admin_exports import ExportAdminMixin
from .audit import Action, audit
from .models import RecipientNotice, RequestExport, RequestMatch, SubjectRequest
from .person_search import Match, find_person, request_match_confirm, request_matches_add
from .subject_requests import (
    MAX_EXTENSION_MONTHS,
    subject_request_close,
    subject_request_extend,
    subject_request_receive,
    subject_request_verify,
)

Status = SubjectRequest.Status
DEADLINE = "_deadline"  # annotation: the extended deadline, or the first one


# How each search key is named on the page ("found by").
KEY_LABELS = {
    "email": _("email"),
    "phone": _("phone"),
    "name": _("name and birth date"),
    "cpr": _("CPR number"),
}


def deadline_expression() -> Coalesce:
    return Coalesce("extended_to", "due_on")


# --- forms -----------------------------------------------------------------------------------
RECEIVE_FIELDS = [
    "kind",
    "channel",
    "received_at",
    "requester_name",
    "requester_email",
    "requester_phone",
    "requester_details",
    "language",
    "handler",
]


class ReceiveForm(forms.ModelForm):
    """What the DPO records when a request arrives; reference and due date come from the
    service."""

    class Meta:
        model = SubjectRequest
        fields = RECEIVE_FIELDS


class VerifyForm(forms.Form):
    method = forms.ChoiceField(
        label=_("identity verified by"), choices=SubjectRequest.Verification.choices
    )


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("extend by"),
        coerce=int,
        choices=[(1, _("one month")), (MAX_EXTENSION_MONTHS, _("two months"))],
    )
    reason = forms.CharField(
        label=_("reason for the extension"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,  # the service refuses an empty reason, in its own words
        help_text=_("Why the request is complex or numerous (GDPR Art. 12(3))."),
    )
    notified_at = forms.SplitDateTimeField(
        label=_("person told of the extension"),
        widget=AdminSplitDateTime,
        help_text=_("When the person was told, with the reasons; before the first deadline."),
    )


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        choices=[(s.value, s.label) for s in (Status.ANSWERED, Status.REFUSED, Status.WITHDRAWN)],
    )
    outcome = forms.CharField(label=_("outcome"), widget=forms.Textarea(attrs={"rows": 4}))


class FindPersonForm(forms.Form):
    email = forms.EmailField(label=_("email"), required=False)
    phone = forms.CharField(label=_("phone"), max_length=32, required=False)
    name = forms.CharField(
        label=_("name"),
        max_length=200,
        required=False,
        help_text=_("Searched together with the birth date only."),
    )
    birth_date = forms.DateField(label=_("birth date"), required=False, widget=AdminDateWidget)
    cpr = forms.CharField(
        label=_("CPR number"),
        max_length=11,
        required=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("name")) != bool(data.get("birth_date")) and not (
            data.get("email") or data.get("phone") or data.get("cpr")
        ):
            raise ValidationError(_("Give the birth date together with the name."))
        if not any(data.get(k) for k in ("email", "phone", "name", "cpr")):
            raise ValidationError(_("Give at least one thing to search by."))
        return data

    def search_keys(self) -> dict[str, Any]:
        """The keys to search: a name or birth date without the other is left out."""
        data = self.cleaned_data
        keys = {k: data[k] for k in ("email", "phone", "cpr") if data.get(k)}
        if data.get("name") and data.get("birth_date"):
            keys |= {"name": data["name"], "birth_date": data["birth_date"]}
        return keys


class RecipientNoticeForm(forms.ModelForm):
    told = forms.BooleanField(label=_("told"), required=False)

    class Meta:
        model = RecipientNotice
        fields = ["processor", "company"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["told"].initial = self.instance.notified_at is not None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("processor") and not data.get("company") and not self.errors:
            raise ValidationError(_("Choose a processor or a customer."))
        return data


# --- writes the admin needs that have no service yet ------------------------------------------
# They belong in privacy/subject_requests.py with the others (the lead's call: not in this
# change's files). Each writes and audits in one transaction.
# The addresses the answer goes to: a change after verification means the identity verified is
# no longer the one the export link would be mailed to, so it must be verified again.
CONTACT_FIELDS = ("requester_email", "requester_phone")


@transaction.atomic
def subject_request_update(*, request: SubjectRequest, fields: list[str], actor: Any) -> bool:
    """The requester's details and the handler, as corrected after receipt. Returns True if a
    changed email address or phone number of an open, verified request undid its verification."""
    if not fields:
        return False
    fields = list(fields)
    reset = request.is_open and request.is_verified and bool(set(fields) & set(CONTACT_FIELDS))
    if reset:
        request.verification_method, request.verified_by, request.verified_at = "", None, None
        request.status = Status.RECEIVED
        fields += ["verification_method", "verified_by", "verified_at", "status"]
    request.save(update_fields=fields)
    audit(
        Action.CHANGE,
        actor=actor,
        obj=request,
        fields=fields,
        detail="contact details changed: identity to be verified again" if reset else "",
    )
    return reset


@transaction.atomic
def recipient_notices_save(*, formset: Any, actor: Any) -> None:
    """Save the recipients of the inline; ticking "told" records when and by whom."""
    formset.save(commit=False)  # sets new_objects, changed_objects, deleted_objects
    told = {
        id(f.instance): f.cleaned_data.get("told", False) for f in formset.forms if f.has_changed()
    }
    for notice in formset.deleted_objects:
        audit(Action.DELETE, actor=actor, model=RecipientNotice, detail=str(notice.pk))
        notice.delete()
    changed = [*formset.new_objects, *(obj for obj, _fields in formset.changed_objects)]
    for notice in changed:
        if told.get(id(notice)) and notice.notified_at is None:
            notice.notified_at, notice.notified_by = timezone.now(), actor
        elif not told.get(id(notice)):
            notice.notified_at, notice.notified_by = None, None
        created = notice.pk is None
        notice.save()
        audit(
            Action.CREATE if created else Action.CHANGE,
            actor=actor,
            obj=notice,
            detail=f"request {notice.request.reference}: "
            + ("told" if notice.notified_at else "not told yet"),
        )


# --- list filters ------------------------------------------------------------------------------
class OpenFilter(admin.SimpleListFilter):
    title = _("open or closed")
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [("open", _("Open")), ("closed", _("Closed"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "open":
            return queryset.filter(closed_at__isnull=True)
        if self.value() == "closed":
            return queryset.filter(closed_at__isnull=False)
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        overdue = models.Q(closed_at__isnull=True, **{f"{DEADLINE}__lt": timezone.localdate()})
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


# --- inlines -------------------------------------------------------------------------------------
class RequestMatchInline(admin.TabularInline):
    """The records found; added and confirmed on the "find the person" page."""

    model = RequestMatch
    extra = 0
    fields = ["record_type", "label", "confirmed"]
    readonly_fields = ["record_type", "label", "confirmed"]
    verbose_name_plural = _("matching records (added on the “Find the person” page)")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("content_type")

    @admin.display(description=_("record type"))
    def record_type(self, obj: RequestMatch) -> str:
        model = obj.content_type.model_class()
        return str(model._meta.verbose_name) if model else obj.content_type.model

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecipientNoticeInline(admin.TabularInline):
    model = RecipientNotice
    form = RecipientNoticeForm
    extra = 0
    fields = ["processor", "company", "told", "notified_at", "notified_by"]
    readonly_fields = ["notified_at", "notified_by"]
    autocomplete_fields = ["processor", "company"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("processor", "company", "notified_by")


class RequestExportInline(admin.TabularInline):
    """The answers made (zip exports, decision letters): read-only, without the file, which is
    downloaded, with an audit entry, from the export and decision pages."""

    model = RequestExport
    extra = 0
    fields = readonly_fields = (
        "kind",
        "status",
        "created_at",
        "created_by",
        "expires_at",
        "downloads",
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("created_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- the admin -----------------------------------------------------------------------------------
@admin.register(SubjectRequest)
class SubjectRequestAdmin(ExportAdminMixin, ErasureAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "kind",
        "requester_name",
        "status",
        "received_at",
        "deadline",
        "overdue_flag",
        "verified",
        "handler",
    ]
    list_display_links = ["reference"]
    list_filter = ["status", "kind", OpenFilter, OverdueFilter, "handler"]
    list_select_related = ["handler"]
    search_fields = ["reference", "requester_name", "requester_email"]
    search_help_text = _("A reference (SR-2026-0001), or the requester's name or email.")
    show_full_result_count = False
    inlines = [RequestMatchInline, RecipientNoticeInline, RequestExportInline]
    change_form_template = "admin/privacy/subjectrequest/change_form.html"
    fieldsets = [
        (
            _("Request"),
            {"fields": ["reference", "kind", "channel", "received_at", "language", "handler"]},
        ),
        (
            _("Requester"),
            {
                "fields": [
                    "requester_name",
                    "requester_email",
                    "requester_phone",
                    "requester_details",
                ]
            },
        ),
        (
            _("Identity"),
            {"fields": ["verification_method", "verified_by", "verified_at"]},
        ),
        (
            _("Deadline"),
            {"fields": ["due_on", "extended_to", "extension_reason", "extension_notified_at"]},
        ),
        (_("Outcome"), {"fields": ["status", "outcome", "closed_at"]}),
    ]
    # After receipt, only the requester's details, the language and the handler are edited
    # here; everything else changes through the services behind the object tools.
    readonly_fields = [
        "reference",
        "kind",
        "channel",
        "received_at",
        "verification_method",
        "verified_by",
        "verified_at",
        "due_on",
        "extended_to",
        "extension_reason",
        "extension_notified_at",
        "status",
        "outcome",
        "closed_at",
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The record of a request is the proof that it was answered (GDPR Art. 5(2)): it is
        # closed here, never deleted.
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).annotate(**{DEADLINE: deadline_expression()})

    def get_ordering(self, request: HttpRequest) -> Any:
        # Open requests first, the nearest deadline first; then the closed, latest first.
        return [
            models.F("closed_at").desc(nulls_first=True),
            deadline_expression().asc(),
            "reference",
        ]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = ReceiveForm
            kwargs["fields"] = RECEIVE_FIELDS
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [(None, {"fields": RECEIVE_FIELDS})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else []

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return self.inlines if obj is not None else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "handler":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- columns ---
    @admin.display(description=_("answer due"), ordering=DEADLINE)
    def deadline(self, obj: SubjectRequest) -> date:
        return obj.deadline

    @admin.display(description=_("overdue"))
    def overdue_flag(self, obj: SubjectRequest) -> str:
        if not obj.is_overdue():
            return ""
        return format_html(
            '<span style="color: #ba2121; font-weight: bold;" title="{}">&#9873; {}</span>',
            _("Past the deadline"),
            _("Overdue"),
        )

    @admin.display(description=_("identity verified"), boolean=True)
    def verified(self, obj: SubjectRequest) -> bool:
        return obj.is_verified

    # --- writes through the services ---
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            if subject_request_update(request=obj, fields=form.changed_data, actor=request.user):
                self.message_user(
                    request,
                    _("The contact details changed: verify the requester's identity again."),
                    messages.WARNING,
                )
            return
        created = subject_request_receive(
            actor=request.user,
            **{name: form.cleaned_data[name] for name in RECEIVE_FIELDS},
        )
        # The admin goes on with ``obj`` (log entry, redirect): make it the saved request.
        for field in SubjectRequest._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding, obj._state.db = False, created._state.db

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None) -> Any:
        # On to the received request (its next steps are there), as auth's UserAdmin does.
        if "_addanother" not in request.POST and IS_POPUP_VAR not in request.POST:
            post = request.POST.copy()
            post["_continue"] = "1"
            request.POST = post  # type: ignore[assignment]
        return super().response_add(request, obj, post_url_continue)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is RecipientNotice:
            recipient_notices_save(formset=formset, actor=request.user)
        else:
            super().save_formset(request, form, formset, change)

    # --- extra pages: verify, extend, close, find the person ---
    def get_urls(self) -> list[Any]:
        def view(function: Any, suffix: str) -> Any:
            return path(
                f"<path:object_id>/{suffix}/",
                self.admin_site.admin_view(function),
                name=f"privacy_subjectrequest_{suffix.replace('-', '_')}",
            )

        return [
            view(self.verify_view, "verify"),
            view(self.extend_view, "extend"),
            view(self.close_view, "close"),
            view(self.find_person_view, "find-person"),
            *super().get_urls(),
        ]

    def _request_or_403(self, request: HttpRequest, object_id: str) -> SubjectRequest:
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _change_url(self, obj: SubjectRequest) -> str:
        return reverse("admin:privacy_subjectrequest_change", args=[obj.pk])

    def _step(
        self,
        request: HttpRequest,
        object_id: str,
        *,
        form_class: type[forms.Form],
        title: Any,
        run: Any,
        done: Any,
        initial: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """One form, one service call; the service's refusal becomes the form's error."""
        obj = self._request_or_403(request, object_id)
        if not obj.is_open:
            self.message_user(request, _("This request is closed."), messages.ERROR)
            return HttpResponseRedirect(self._change_url(obj))
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                run(obj, form.cleaned_data)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                self.message_user(request, done, messages.SUCCESS)
                return HttpResponseRedirect(self._change_url(obj))
        return TemplateResponse(
            request,
            "admin/privacy/subjectrequest/step.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": obj,
                "title": title,
                "form": form,
                "media": self.media + form.media,
            },
        )

    def verify_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._step(
            request,
            object_id,
            form_class=VerifyForm,
            title=_("Verify the requester's identity"),
            run=lambda obj, data: subject_request_verify(
                request=obj, method=data["method"], actor=request.user
            ),
            done=_("The requester's identity is recorded as verified."),
        )

    def extend_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._step(
            request,
            object_id,
            form_class=ExtendForm,
            title=_("Extend the deadline"),
            run=lambda obj, data: subject_request_extend(request=obj, actor=request.user, **data),
            done=_("The deadline is extended."),
            initial={"notified_at": timezone.localtime()},
        )

    def close_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._step(
            request,
            object_id,
            form_class=CloseForm,
            title=_("Close the request"),
            run=lambda obj, data: subject_request_close(request=obj, actor=request.user, **data),
            done=_("The request is closed."),
        )

    def find_person_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Search every app; tick records to attach them; confirm which belong to the person.

        Everything on the page is one POST form: the search keys (a CPR number among them) never
        go into an address, where access logs would keep them. Adding and confirming post the
        keys again and the search is run again, so only records it found can be attached."""
        obj = self._request_or_403(request, object_id)
        initial = {
            "email": obj.requester_email,
            "phone": obj.requester_phone,
            "name": obj.requester_name,
        }
        posted = request.method == "POST"
        form = FindPersonForm(request.POST if posted else None, initial=initial)
        action = request.POST.get("action", "search")
        if posted and "confirm" in request.POST:
            self._confirm_match(request, obj, request.POST["confirm"])
        results: list[Match] = []
        searched = posted and form.is_valid()
        if searched:
            keys = form.search_keys()
            # The request being handled is not one of the person's records to find.
            results = [
                m for m in find_person(**keys) if not (m.model is SubjectRequest and m.pk == obj.pk)
            ]
            if action == "add":
                self._add_matches(request, obj, results)
            elif "confirm" not in request.POST:
                audit(
                    Action.VIEW,
                    request=request,
                    obj=obj,
                    count=len(results),
                    detail="person search by " + ", ".join(k for k in keys if k != "birth_date"),
                )
                if bool(form.cleaned_data.get("name")) != bool(form.cleaned_data.get("birth_date")):
                    self.message_user(
                        request,
                        _("The name was not searched: give it together with the birth date."),
                        messages.WARNING,
                    )
        matches = list(obj.matches.select_related("content_type").order_by("pk"))
        attached = {(m.content_type.app_label, m.content_type.model, m.object_id) for m in matches}
        rows = [
            {
                "match": match,
                "attached": (match.app_label, match.model._meta.model_name, str(match.pk))
                in attached,
                "url": self._record_url(match.model, match.pk),
                "found_by": ", ".join(str(KEY_LABELS[key]) for key in match.matched_on),
            }
            for match in results
        ]
        return TemplateResponse(
            request,
            "admin/privacy/subjectrequest/find_person.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": obj,
                "title": _("Find the person"),
                "form": form,
                "searched": searched,
                "rows": rows,
                "matches": [
                    {"match": m, "url": self._record_url(m.content_type.model_class(), m.object_id)}
                    for m in matches
                ],
                "media": self.media + form.media,
            },
        )

    def _confirm_match(self, request: HttpRequest, obj: SubjectRequest, value: str) -> None:
        """``value`` is "<match id>:1" (belongs to the person) or "<match id>:0"."""
        match_id, _sep, flag = value.partition(":")
        found = (
            obj.matches.select_related("content_type", "request").filter(pk=match_id).first()
            if match_id.isdigit()
            else None
        )
        if found is None:
            raise Http404
        confirmed = flag == "1"
        request_match_confirm(match=found, confirmed=confirmed, actor=request.user)
        message = (
            _("%(record)s: marked as belonging to the person.")
            if confirmed
            else _("%(record)s: marked as not belonging to the person.")
        )
        self.message_user(request, message % {"record": found.label}, messages.SUCCESS)

    def _add_matches(self, request: HttpRequest, obj: SubjectRequest, results: list[Match]) -> None:
        chosen = set(request.POST.getlist("record"))
        picked = [m for m in results if m.key in chosen]
        if not picked:
            self.message_user(request, _("Tick the records to add."), messages.WARNING)
            return
        created = request_matches_add(request=obj, matches=picked, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d record added to the request.",
                "%(count)d records added to the request.",
                len(created),
            )
            % {"count": len(created)},
            messages.SUCCESS,
        )

    def _record_url(self, model: Any, pk: Any) -> str | None:
        if model is None or model not in self.admin_site._registry:
            return None
        try:
            return reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk]
            )
        except NoReverseMatch:
            return None
