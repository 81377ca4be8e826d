"""What every admin page that shows personal data has in common: fields a role may not see are
absent (from forms, lists, search and filters), restricted records are hidden from all but the
DPO, and views, changes and deletions are audited. Admin classes stay declarative; they inherit
``PersonalDataAdmin`` / ``PersonalDataInline`` and this module reads the registry."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.forms import BaseModelFormSet, ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from . import access
from .audit import Action, audit
from .models import PersonRecord
from .services import person_lift_restriction, person_restrict


class RestrictionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("e.g. the person contests the accuracy of the data (GDPR Art. 18(1)(a))."),
    )


def _without_hidden(names: Sequence[Any], hidden: set[str]) -> list[Any]:
    kept = []
    for name in names:
        if isinstance(name, list | tuple):  # a row of fields on one line
            row = [n for n in name if n not in hidden]
            if row:
                kept.append(tuple(row))
        elif name not in hidden:
            kept.append(name)
    return kept


class FieldAccessMixin:
    """Drops the fields the user may not see from every place the admin would show them."""

    model: type[models.Model]
    # Admin-only names (display methods) that show a registry field: {"cpr_masked": "cpr"}.
    # They are hidden wherever their source field is.
    derived_fields: dict[str, str] = {}

    def _hidden(self, request: HttpRequest) -> set[str]:
        cache = getattr(request, "_serop_hidden_fields", None)
        if cache is None:
            cache = {}
            request._serop_hidden_fields = cache  # type: ignore[attr-defined]
        key = (self.model, type(self))
        if key not in cache:
            hidden = access.hidden_fields(request.user, self.model)
            hidden |= {name for name, source in self.derived_fields.items() if source in hidden}
            cache[key] = hidden
        return cache[key]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return _without_hidden(super().get_fields(request, obj), self._hidden(request))  # type: ignore[misc]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        hidden = self._hidden(request)
        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):  # type: ignore[misc]
            fields = _without_hidden(options.get("fields", ()), hidden)
            if fields:
                fieldsets.append((title, {**options, "fields": fields}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = super().get_readonly_fields(request, obj)  # type: ignore[misc]
        return _without_hidden(readonly, self._hidden(request))

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        exclude = list(super().get_exclude(request, obj) or [])  # type: ignore[misc]
        return [*exclude, *sorted(self._hidden(request))]


class PersonalDataAdmin(FieldAccessMixin, admin.ModelAdmin):
    show_full_result_count = False

    def get_list_display(self, request: HttpRequest) -> Any:
        return _without_hidden(super().get_list_display(request), self._hidden(request))

    def get_list_display_links(self, request: HttpRequest, list_display: Any) -> Any:
        links = super().get_list_display_links(request, list_display)
        if links:
            links = [name for name in links if name in list_display] or list(list_display[:1])
        return links

    def get_search_fields(self, request: HttpRequest) -> Any:
        return [
            path
            for path in super().get_search_fields(request)
            if access.field_path_visible(request.user, self.model, path)
        ]

    def get_list_filter(self, request: HttpRequest) -> Any:
        kept = []
        for item in super().get_list_filter(request):
            name = item[0] if isinstance(item, list | tuple) else item
            if isinstance(name, str) and not access.field_path_visible(
                request.user, self.model, name
            ):
                continue
            kept.append(item)
        return kept

    def get_queryset(self, request: HttpRequest) -> Any:
        return access.visible_queryset(request.user, super().get_queryset(request))

    # --- restriction (GDPR Art. 18): the DPO's actions on person records ------------------
    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not issubclass(self.model, PersonRecord) or not access.may_see_restricted(request.user):
            for name in ("restrict_processing", "lift_restriction"):
                actions.pop(name, None)
        return actions

    @admin.action(description=_("Restrict processing (GDPR Art. 18)"))
    def restrict_processing(self, request: HttpRequest, queryset: Any) -> Any:
        form = RestrictionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for person in queryset:
                person_restrict(person=person, reason=form.cleaned_data["reason"], request=request)
            self.message_user(
                request,
                _("%(count)d records restricted.") % {"count": len(queryset)},
                messages.SUCCESS,
            )
            return None
        return TemplateResponse(
            request,
            "admin/privacy/restrict.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "form": form,
                "queryset": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    @admin.action(description=_("Lift the restriction of processing"))
    def lift_restriction(self, request: HttpRequest, queryset: Any) -> None:
        for person in queryset.filter(is_restricted=True):
            person_lift_restriction(person=person, request=request)
        self.message_user(request, _("Restriction lifted."), messages.SUCCESS)

    actions = ["restrict_processing", "lift_restriction"]

    # --- audit ---------------------------------------------------------------------------
    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit(Action.VIEW, request=request, obj=obj)
        return response

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        changes = {
            name: (form.initial.get(name), form.cleaned_data.get(name))
            for name in form.changed_data
        }
        super().save_model(request, obj, form, change)
        audit(
            Action.CHANGE if change else Action.CREATE,
            request=request,
            obj=obj,
            fields=form.changed_data,
            changes=changes if change else None,
        )

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseModelFormSet, change: bool
    ) -> None:
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit(Action.CREATE, request=request, obj=obj)
        # Each changed row with its old and new values, as on the main form (masked by audit).
        row_form = {id(f.instance): f for f in formset.initial_forms}
        for obj, changed in formset.changed_objects:
            f = row_form.get(id(obj))
            audit(
                Action.CHANGE,
                request=request,
                obj=obj,
                fields=changed,
                changes={n: (f.initial.get(n), f.cleaned_data.get(n)) for n in changed}
                if f is not None
                else None,
            )
        for obj in formset.deleted_objects:
            audit(
                Action.DELETE,
                request=request,
                model=type(obj),
                subject_ref=_subject(obj),
                detail=str(obj.pk),
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        subject, pk = _subject(obj), obj.pk
        super().delete_model(request, obj)
        audit(Action.DELETE, request=request, model=type(obj), subject_ref=subject, detail=str(pk))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        gone = [(obj.pk, _subject(obj)) for obj in queryset]
        super().delete_queryset(request, queryset)
        for pk, subject in gone:
            audit(
                Action.DELETE,
                request=request,
                model=queryset.model,
                subject_ref=subject,
                detail=str(pk),
            )


def _subject(obj: Any) -> Any:
    from .audit import subject_ref_of

    return subject_ref_of(obj)


class PersonalDataInline(FieldAccessMixin):
    """Mix into TabularInline / StackedInline classes that show personal data."""

    def get_queryset(self, request: HttpRequest) -> Any:
        return access.visible_queryset(request.user, super().get_queryset(request))  # type: ignore[misc]
