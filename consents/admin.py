"""Consent texts and records in the admin. A record is proof of a consent (GDPR Art. 7(1)):
nobody edits or deletes one here, and a text already agreed to is never edited."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from privacy.admin_mixins import PersonalDataAdmin

from .models import ConsentRecord, ConsentText


@admin.register(ConsentText)
class ConsentTextAdmin(PersonalDataAdmin):
    list_display = ["purpose", "version", "published_at", "valid_for_months"]
    list_filter = ["purpose"]
    search_fields = ["text_da", "text_en"]
    date_hierarchy = "published_at"
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Once someone has agreed to a text it is evidence; a change is a new version.
        if obj is not None and obj.records.exists():
            return [f.name for f in self.opts.concrete_fields]
        return super().get_readonly_fields(request, obj)


@admin.register(ConsentRecord)
class ConsentRecordAdmin(PersonalDataAdmin):
    list_display = ["text", "given_at", "channel", "withdrawn_at", "candidate", "subscriber"]
    list_select_related = ["text", "candidate", "subscriber"]
    list_filter = [
        "text__purpose",
        "channel",
        ("withdrawn_at", admin.EmptyFieldListFilter),
    ]
    # subject_ref__exact compares the id as text, so any search term is safe.
    search_fields = ["subject_ref__exact", "candidate__email", "subscriber__email"]
    date_hierarchy = "given_at"
    show_full_result_count = False

    # Records are written by the consent services, which audit them; here they are only read.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
