"""The retention records in the admin (the DPO's: privacy/roles.py gives the retention app to
the DPO only). Legal holds are placed, edited and lifted here; notices, tombstones and runs are
written by the retention code and only read here."""

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.audit import Action, audit, subject_ref_of

from .admin_runs import RunAdminMixin
from .models import DeletionNotice, LegalHold, RetentionRun, Tombstone


# --- legal holds -----------------------------------------------------------------------------
def _held_record(hold: LegalHold) -> models.Model | None:
    if hold.content_type is None or not hold.object_id:
        return None
    model = hold.content_type.model_class()
    if model is None:
        return None
    try:
        return model._default_manager.filter(pk=hold.object_id).first()
    except (ValueError, ValidationError):  # an id of the wrong form for that model
        return None


def _hold_subject(hold: LegalHold) -> uuid.UUID | None:
    """The person a hold concerns: named directly, or the person its record belongs to."""
    return hold.subject_ref or subject_ref_of(_held_record(hold))


# The writes of a legal hold. They are the admin's only callers today; they belong with the
# other retention services once that module exists (the lead's call: not in this change's files).
@transaction.atomic
def legal_hold_save(*, hold: LegalHold, request: HttpRequest, created: bool) -> LegalHold:
    if created:
        hold.owner = request.user  # type: ignore[assignment]
    hold.save()
    # The reason may name people: the audit entry records that a hold exists, not why.
    audit(
        Action.CREATE if created else Action.CHANGE,
        request=request,
        obj=hold,
        subject_ref=_hold_subject(hold),
        detail="legal hold placed" if created else "legal hold changed",
    )
    return hold


@transaction.atomic
def legal_hold_lift(*, hold: LegalHold, request: HttpRequest) -> None:
    hold.lifted_at = timezone.now()
    hold.save(update_fields=["lifted_at"])
    audit(
        Action.CHANGE,
        request=request,
        obj=hold,
        subject_ref=_hold_subject(hold),
        fields=["lifted_at"],
        detail="legal hold lifted",
    )


class LegalHoldForm(forms.ModelForm):
    class Meta:
        model = LegalHold
        fields = ["subject_ref", "content_type", "object_id", "reason", "ends_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None:
            self._clean_target(data)
        ends_on = data.get("ends_on")
        changed = "ends_on" in self.changed_data
        if changed and ends_on is not None and ends_on < timezone.localdate():
            self.add_error("ends_on", _("The end date cannot be in the past."))
        return data

    def _clean_target(self, data: dict[str, Any]) -> None:
        person = data.get("subject_ref")
        record_type = data.get("content_type")
        record_id = (data.get("object_id") or "").strip()
        data["object_id"] = record_id
        if person is None and record_type is None and not record_id:
            # On the field, not the form: a field in error is left out of the model's own check
            # (the legal_hold_has_a_target constraint), which would repeat this in English.
            self.add_error(
                "subject_ref",
                ValidationError(
                    _("Give either a person's pseudonymous id, or a record type and a record id."),
                    code="no_target",
                ),
            )
            return
        if person is not None and (record_type is not None or record_id):
            raise ValidationError(
                _("Give either a person or a record, not both."), code="two_targets"
            )
        if person is not None:
            return
        if record_type is None:
            self.add_error("content_type", _("Choose the type of the record."))
        elif not record_id:
            self.add_error("object_id", _("Give the id of the record."))
        elif _held_record(LegalHold(content_type=record_type, object_id=record_id)) is None:
            self.add_error("object_id", _("There is no record of this type with this id."))


class HoldStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [("active", _("In force")), ("ended", _("Ended")), ("lifted", _("Lifted"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        today = timezone.localdate()
        if self.value() == "active":
            return queryset.active(today)
        if self.value() == "ended":
            return queryset.filter(lifted_at__isnull=True, ends_on__lt=today)
        if self.value() == "lifted":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


@admin.register(LegalHold)
class LegalHoldAdmin(admin.ModelAdmin):
    """A hold blocks purges and erasure of a person or a record until lifted or ended. Holds are
    lifted, never deleted: a hold is the record of why data outlived its retention period."""

    form = LegalHoldForm
    list_display = [
        "target",
        "reason",
        "owner",
        "created_at",
        "ends_on",
        "in_force",
        "lifted_at",
    ]
    list_select_related = ["owner", "content_type"]
    list_filter = [HoldStateFilter]
    # subject_ref__exact compares the id as text, so any search term is safe.
    search_fields = ["reason", "subject_ref__exact"]
    search_help_text = _("Words of the reason, or a person's pseudonymous id.")
    date_hierarchy = "created_at"
    actions = ["lift"]
    show_full_result_count = False
    add_fieldsets = [
        (
            _("What is held"),
            {
                "description": _(
                    "Either a person (every record about them), or one record: its type and id."
                ),
                "fields": ["subject_ref", ("content_type", "object_id")],
            },
        ),
        (None, {"fields": ["reason", "ends_on"]}),
    ]
    change_fieldsets = [
        (_("What is held"), {"fields": ["subject_ref", ("content_type", "object_id")]}),
        (None, {"fields": ["reason", "ends_on", "owner", "created_at", "lifted_at"]}),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.change_fieldsets if obj is not None else self.add_fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        fixed = ["subject_ref", "content_type", "object_id", "owner", "created_at", "lifted_at"]
        return [*fixed, "reason", "ends_on"] if obj.lifted_at else fixed

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if db_field.name == "content_type":
            kwargs["queryset"] = ContentType.objects.filter(
                app_label__in=settings.PRIVACY_SUBJECT_APPS
            ).order_by("app_label", "model")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        legal_hold_save(hold=obj, request=request, created=not change)

    @admin.display(description=_("held"))
    def target(self, obj: LegalHold) -> str:
        if obj.subject_ref is not None:
            return str(_("person %(ref)s") % {"ref": obj.subject_ref})
        record_type = obj.content_type.name if obj.content_type else "?"
        return f"{record_type} #{obj.object_id}"

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, obj: LegalHold) -> bool:
        today = timezone.localdate()
        return obj.lifted_at is None and (obj.ends_on is None or obj.ends_on >= today)

    @admin.action(description=_("Lift the selected legal holds"), permissions=["change"])
    def lift(self, request: HttpRequest, queryset: Any) -> None:
        holds = list(queryset.filter(lifted_at__isnull=True).select_related("content_type"))
        for hold in holds:
            legal_hold_lift(hold=hold, request=request)
        self.message_user(
            request,
            _("%(count)d legal holds lifted.") % {"count": len(holds)},
            messages.SUCCESS,
        )


# --- written by the retention code, read here ------------------------------------------------
class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DeletionNotice)
class DeletionNoticeAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "expires_on", "language", "sent_at", "used_at"]
    list_select_related = ["candidate"]
    list_filter = [
        ("sent_at", admin.EmptyFieldListFilter),
        ("used_at", admin.EmptyFieldListFilter),
        "language",
    ]
    date_hierarchy = "expires_on"
    # The link id is left out: with the signing key it would make the link.
    exclude = ["token_id"]


@admin.register(Tombstone)
class TombstoneAdmin(ReadOnlyAdmin):
    list_display = ["subject_ref", "model", "rule", "deleted_at", "run"]
    list_select_related = ["run"]
    list_filter = ["rule", "model"]
    search_fields = ["subject_ref__exact"]
    search_help_text = _("A person's pseudonymous id.")
    date_hierarchy = "deleted_at"


@admin.register(RetentionRun)
class RetentionRunAdmin(RunAdminMixin, ReadOnlyAdmin):
    list_display = [
        "started_at",
        "rule",
        "as_of",
        "dry_run",
        "status",
        "expected",
        "processed",
        "files_removed",
        "duration",
        "errors_summary",
    ]
    list_filter = ["rule", "status", "dry_run"]
    date_hierarchy = "started_at"

    @admin.display(description=_("duration"))
    def duration(self, obj: RetentionRun) -> str:
        seconds = obj.duration_seconds
        return "" if seconds is None else f"{seconds:.1f} s"

    @admin.display(description=_("errors"))
    def errors_summary(self, obj: RetentionRun) -> str:
        first = obj.errors.strip().splitlines()[:1]
        return first[0][:120] if first else ""
