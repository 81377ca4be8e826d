"""Lists of the parts of candidate profiles, for looking across candidates; a single profile is
edited on the candidate's own page (candidate.py)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from privacy.admin_mixins import PersonalDataAdmin

from ..models import (
    ActivityEvent,
    Area,
    CandidateDocument,
    CandidateReference,
    CourseOrTest,
    Disclosure,
    Education,
    Experience,
    JobPreference,
    JobType,
    LanguageSkill,
    NextOfKin,
    StaffNote,
)
from .disclosure import disclosure_contact
from .documents import CandidateDocumentAdminForm
from .pagination import EstimatedCountPaginator


@admin.register(JobType)
class JobTypeAdmin(PersonalDataAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    show_full_result_count = False


@admin.register(Area)
class AreaAdmin(PersonalDataAdmin):
    list_display = ["name", "region"]
    list_filter = ["region"]
    search_fields = ["name", "region"]
    show_full_result_count = False


class ProfilePartAdmin(PersonalDataAdmin):
    """A model that belongs to one candidate: listed with the candidate, found by the
    candidate's email address."""

    list_select_related = ["candidate"]
    autocomplete_fields = ["candidate"]
    search_fields = ["=candidate__email"]
    show_full_result_count = False


@admin.register(JobPreference)
class JobPreferenceAdmin(ProfilePartAdmin):
    list_display = [
        "candidate",
        "wants_permanent",
        "wants_temp",
        "wants_consultant",
        "duration",
        "hours",
        "available_from",
    ]
    list_filter = ["wants_permanent", "wants_temp", "wants_consultant", "duration", "hours"]
    autocomplete_fields = ["candidate", "job_types", "areas"]


@admin.register(CandidateDocument)
class CandidateDocumentAdmin(ProfilePartAdmin):
    form = CandidateDocumentAdminForm  # links to the download view; checks uploads
    list_display = ["candidate", "kind", "original_name", "size", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["=candidate__email", "original_name"]
    readonly_fields = ["original_name", "content_type", "size", "uploaded_at"]


@admin.register(Education)
class EducationAdmin(ProfilePartAdmin):
    list_display = ["candidate", "title", "institution", "started_on", "ended_on"]
    search_fields = ["=candidate__email", "title", "institution"]


@admin.register(Experience)
class ExperienceAdmin(ProfilePartAdmin):
    list_display = ["candidate", "kind", "title", "employer", "started_on", "ended_on"]
    list_filter = ["kind"]
    search_fields = ["=candidate__email", "title", "employer"]


@admin.register(LanguageSkill)
class LanguageSkillAdmin(ProfilePartAdmin):
    list_display = ["candidate", "language", "level"]
    list_filter = ["level"]
    search_fields = ["=candidate__email", "language"]


@admin.register(CourseOrTest)
class CourseOrTestAdmin(ProfilePartAdmin):
    list_display = ["candidate", "kind", "name", "provider", "completed_on", "via_serop"]
    list_filter = ["kind", "via_serop"]
    search_fields = ["=candidate__email", "name", "provider"]


@admin.register(CandidateReference)
class CandidateReferenceAdmin(ProfilePartAdmin):
    list_display = ["candidate", "name", "company", "relation", "checked_on"]
    search_fields = ["=candidate__email", "name", "company"]


@admin.register(NextOfKin)
class NextOfKinAdmin(ProfilePartAdmin):
    list_display = ["candidate", "name", "relation", "phone"]
    search_fields = ["=candidate__email", "name"]


@admin.register(StaffNote)
class StaffNoteAdmin(ProfilePartAdmin):
    list_display = ["candidate", "created_at", "author"]
    list_select_related = ["candidate", "author"]
    list_filter = ["created_at"]
    fields = ["candidate", "text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]

    def save_model(self, request: HttpRequest, obj: StaffNote, form: Any, change: bool) -> None:
        if not change:
            obj.author = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(ActivityEvent)
class ActivityEventAdmin(ProfilePartAdmin):
    """The retention clock's history: written by the candidates' services only. Deleting stays
    possible so that deleting a candidate here is not blocked by its history."""

    list_display = ["occurred_at", "candidate", "kind", "actor"]
    list_select_related = ["candidate", "actor"]
    list_filter = ["kind"]
    paginator = EstimatedCountPaginator

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Disclosure)
class DisclosureAdmin(ProfilePartAdmin):
    list_display = ["candidate", "company", "method", "disclosed_by", "disclosed_at"]
    list_select_related = ["candidate", "company", "disclosed_by"]
    list_filter = ["method", "disclosed_at"]
    search_fields = ["=candidate__email", "company__name"]
    autocomplete_fields = ["candidate", "posting"]
    # The customers' admin lives in another app: raw ids keep this one independent of it.
    raw_id_fields = ["company", "documents"]
    fieldsets = [
        (None, {"fields": ["candidate", "company", "contact_person", "posting", "documents"]}),
        (_("How and when"), {"fields": ["method", "note", "disclosed_by", "disclosed_at"]}),
    ]
    readonly_fields = ["disclosed_by", "contact_person"]
    contact_person = staticmethod(disclosure_contact)

    # A disclosure is recorded only through "send CV to customer" on the candidate's page
    # (candidates.services.candidate_disclose: the DISCLOSE audit entry and the mail), and a
    # record of one is history: this list shows and searches them, it neither adds nor edits.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
