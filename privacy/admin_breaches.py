"""The breach register in the admin (GDPR Art. 33/34), for the DPO: the list with each breach's
72-hour clock, recording and updating a breach, recounting the people and records affected, and
the report in the shape of Datatilsynet's notification form (PDF, Danish or English).

Writes go through privacy/breaches.py; the form shows the service's rules as form errors.
Viewing a breach, every change and every report download are audited. A breach is never deleted
(Art. 33(5): the register documents every breach).
"""

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from .audit import Action, audit
from .breaches import (
    breach_problems,
    breach_recount,
    breach_report_pdf,
    breach_save,
    clock_label,
)
from .holdings import category_choices, subject_choices
from .models import Breach
from .models.breaches import NOTIFICATION_HOURS

Decision = Breach.Decision
REPORT_LANGUAGES = {"da", "en"}


class BreachForm(forms.ModelForm):
    data_categories = forms.MultipleChoiceField(
        label=_("categories of data"),
        choices=category_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    subject_types = forms.MultipleChoiceField(
        label=_("categories of people"),
        choices=subject_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The people and records holding the chosen data are counted on saving."),
    )

    class Meta:
        model = Breach
        fields = [
            "title",
            "description",
            "status",
            "handler",
            "occurred_from",
            "occurred_until",
            "aware_at",
            "discovery",
            "confidentiality",
            "integrity",
            "availability",
            "data_categories",
            "subject_types",
            "people_estimate",
            "records_estimate",
            "estimate_note",
            "consequences",
            "measures_taken",
            "measures_proposed",
            "cross_border",
            "cross_border_details",
            "authority_decision",
            "authority_reason",
            "authority_notified_at",
            "authority_reference",
            "late_reason",
            "subjects_decision",
            "subjects_reason",
            "subjects_notified_at",
            "subjects_notification_method",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values = {f.name: getattr(self.instance, f.attname) for f in Breach._meta.concrete_fields}
        values |= {name: data.get(name) for name in self.fields if name in data}
        for name, message in breach_problems(values).items():
            self.add_error(name if name in self.fields else None, message)
        return data


# --- list filters ----------------------------------------------------------------------------
class ClockFilter(admin.SimpleListFilter):
    title = _("72-hour clock")
    parameter_name = "clock"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [
            ("overdue", _("Overdue: no decision after 72 hours")),
            ("running", _("Running: no decision yet")),
            ("decided", _("Decision recorded")),
        ]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        pending = queryset.filter(authority_decision=Decision.PENDING)
        passed = timezone.now() - timedelta(hours=NOTIFICATION_HOURS)
        if self.value() == "overdue":
            return pending.filter(aware_at__lt=passed)
        if self.value() == "running":
            return pending.filter(aware_at__gte=passed)
        if self.value() == "decided":
            return queryset.exclude(authority_decision=Decision.PENDING)
        return queryset


@admin.register(Breach)
class BreachAdmin(admin.ModelAdmin):
    form = BreachForm
    list_display = [
        "reference",
        "title",
        "aware_at",
        "deadline",
        "clock",
        "authority_decision",
        "subjects_decision",
        "status",
        "handler",
    ]
    list_display_links = ["reference", "title"]
    list_filter = [
        "status",
        ClockFilter,
        "authority_decision",
        "subjects_decision",
        "confidentiality",
        "integrity",
        "availability",
        "cross_border",
        "handler",
    ]
    list_select_related = ["handler"]
    search_fields = ["reference", "title", "authority_reference"]
    search_help_text = _("A reference (BR-2026-0001), a title or Datatilsynet's reference.")
    date_hierarchy = "aware_at"
    show_full_result_count = False
    change_form_template = "admin/privacy/breach/change_form.html"
    readonly_fields = [
        "reference",
        "deadline",
        "clock",
        "people_computed",
        "records_computed",
        "counted_detail",
        "counted_at",
        "authority_decided_at",
        "closed_at",
        "created_by",
        "created_at",
        "reminded_24h_at",
        "reminded_48h_at",
        "reminded_overdue_at",
    ]
    fieldsets = [
        (_("Breach"), {"fields": ["reference", "title", "description", "status", "handler"]}),
        (
            _("Time line"),
            {
                "fields": [
                    "occurred_from",
                    "occurred_until",
                    "aware_at",
                    "discovery",
                    "deadline",
                    "clock",
                ]
            },
        ),
        (_("Nature of the breach"), {"fields": ["confidentiality", "integrity", "availability"]}),
        (
            _("Data and people affected"),
            {
                "fields": [
                    "data_categories",
                    "subject_types",
                    ("people_computed", "records_computed"),
                    "counted_detail",
                    "counted_at",
                    ("people_estimate", "records_estimate"),
                    "estimate_note",
                ]
            },
        ),
        (
            _("Consequences and measures"),
            {
                "fields": [
                    "consequences",
                    "measures_taken",
                    "measures_proposed",
                    "cross_border",
                    "cross_border_details",
                ]
            },
        ),
        (
            _("Notifying Datatilsynet (Art. 33)"),
            {
                "fields": [
                    "authority_decision",
                    "authority_reason",
                    "authority_decided_at",
                    "authority_notified_at",
                    "authority_reference",
                    "late_reason",
                ]
            },
        ),
        (
            _("Telling the people affected (Art. 34)"),
            {
                "fields": [
                    "subjects_decision",
                    "subjects_reason",
                    "subjects_notified_at",
                    "subjects_notification_method",
                ]
            },
        ),
        (
            _("Record"),
            {
                "classes": ["collapse"],
                "fields": [
                    "created_by",
                    "created_at",
                    "closed_at",
                    "reminded_24h_at",
                    "reminded_48h_at",
                    "reminded_overdue_at",
                ],
            },
        ),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # Art. 33(5): the register documents every breach, closed or not

    def get_ordering(self, request: HttpRequest) -> Any:
        return ["-status", "aware_at"]  # open first, the oldest clock first

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:  # nothing derived to show yet
            return [
                (title, {**options, "fields": [f for f in options["fields"] if self._editable(f)]})
                for title, options in self.fieldsets
                if any(self._editable(f) for f in options["fields"])
            ]
        return self.fieldsets

    def _editable(self, name: Any) -> bool:
        return isinstance(name, tuple) or name not in self.readonly_fields

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "handler":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- columns ---
    @admin.display(description=_("deadline (72 hours)"), ordering="aware_at")
    def deadline(self, obj: Breach) -> str:
        # Formatted here: the change form shows a method's datetime as it is, in UTC.
        return formats.date_format(timezone.localtime(obj.deadline), "DATETIME_FORMAT")

    @admin.display(description=_("clock"))
    def clock(self, obj: Breach) -> str:
        label = clock_label(obj)
        if obj.is_overdue() or obj.notified_late:
            return format_html(
                '<span class="breach-overdue" style="color: #ba2121; font-weight: bold;">'
                "&#9873; {}</span>",
                label,
            )
        if not obj.decided and obj.time_left() < timedelta(hours=24):
            return format_html('<span style="color: #c77700; font-weight: bold;">{}</span>', label)
        return label

    @admin.display(description=_("counted per record type"))
    def counted_detail(self, obj: Breach) -> str:
        rows = [
            f"{label}: {count}"
            for label, count in sorted((obj.counts_detail or {}).get("records", {}).items())
        ]
        return ", ".join(rows) or "-"

    # --- writes and audit ---
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        changes = {
            name: (form.initial.get(name), form.cleaned_data.get(name))
            for name in form.changed_data
        }
        breach_save(breach=obj, changes=changes, actor=request.user, request=request)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit(Action.VIEW, request=request, obj=obj)
        return response

    # --- the report and the recount ---
    def get_urls(self) -> list[Any]:
        return [
            path(
                "<path:object_id>/report/",
                self.admin_site.admin_view(self.report_view),
                name="privacy_breach_report",
            ),
            path(
                "<path:object_id>/recount/",
                self.admin_site.admin_view(require_POST(self.recount_view)),
                name="privacy_breach_recount",
            ),
            *super().get_urls(),
        ]

    def _breach(self, request: HttpRequest, object_id: str, *, change: bool) -> Breach:
        obj = self.get_object(request, object_id)
        if obj is None:
            raise Http404
        allowed = (
            self.has_change_permission(request, obj)
            if change
            else self.has_view_permission(request, obj)
        )
        if not allowed:
            raise PermissionDenied
        return obj

    def report_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        breach = self._breach(request, object_id, change=False)
        language = request.GET.get("language", "da")
        if language not in REPORT_LANGUAGES:
            language = "da"
        pdf = breach_report_pdf(
            breach=breach, language=language, actor=request.user, request=request
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        name = f"{breach.reference}-{language}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response

    def recount_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        breach = self._breach(request, object_id, change=True)
        breach_recount(breach=breach, actor=request.user, request=request)
        self.message_user(request, _("The people and records are counted again."), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:privacy_breach_change", args=[breach.pk]))
