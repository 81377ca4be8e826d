"""The candidate's change page: the profile with everything that hangs off it."""

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.db.models import F, Q, QuerySet, Value, Window
from django.db.models.functions import Lower, RowNumber
from django.forms import Field as FormField
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.admin_mixins import PersonalDataAdmin, PersonalDataInline
from privacy.fields import EncryptedDateField
from privacy.import_export import PersonalDataImportExportMixin
from retention.rules import get_rule
from serop.validators import normalize_phone

from ..models import (
    ActivityEvent,
    Candidate,
    CandidateDocument,
    CandidateReference,
    CourseOrTest,
    Disclosure,
    Education,
    Experience,
    JobPreference,
    LanguageSkill,
    NextOfKin,
    StaffNote,
)
from ..privacy import CV_BANK
from ..resources import CandidateResource
from .disclosure import DisclosureAdminMixin, disclosure_contact
from .documents import CandidateDocumentAdminForm
from .pagination import EstimatedCountPaginator

_PHONE_LIKE = re.compile(r"[+\d][\d\s\-().]*")


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class LastActivityFilter(admin.SimpleListFilter):
    """Where a profile stands on the CV-bank retention clock (policy §13).

    Boundaries are whole local days, as in ``RetentionRule.expires_on``: a profile expires on
    the day its last activity plus the period falls on. Each choice is a range on the indexed
    ``last_activity_at``, never a function of the column.
    """

    title = _("last activity")
    parameter_name = "activity"
    warning = timedelta(days=30)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("active", _("Active in the last 12 months")),
            ("expiring", _("Expires within 30 days")),
            ("expired", _("Expired: no activity for 12 months")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        period = get_rule(CV_BANK).period
        today = timezone.localdate()
        # Activity before this instant has reached its expiry day by today.
        expired_before = _start_of_day(today - period + timedelta(days=1))
        expiring_before = _start_of_day(today + self.warning - period + timedelta(days=1))
        match self.value():
            case "active":
                return queryset.filter(last_activity_at__gte=expired_before)
            case "expiring":
                return queryset.filter(
                    last_activity_at__gte=expired_before, last_activity_at__lt=expiring_before
                )
            case "expired":
                return queryset.filter(last_activity_at__lt=expired_before)
        return None


class ReadOnlyInline(PersonalDataInline, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class JobPreferenceInline(PersonalDataInline, admin.StackedInline):
    model = JobPreference
    extra = 0
    max_num = 1
    autocomplete_fields = ["job_types", "areas"]
    fields = [
        ("wants_permanent", "wants_temp", "wants_consultant"),
        ("duration", "hours", "available_from"),
        "job_types",
        "areas",
        "notes",
    ]


class CandidateDocumentInline(PersonalDataInline, admin.TabularInline):
    model = CandidateDocument
    form = CandidateDocumentAdminForm  # links to the download view; checks uploads
    extra = 0
    fields = ["kind", "file", "original_name", "content_type", "size", "uploaded_at"]
    readonly_fields = ["original_name", "content_type", "size", "uploaded_at"]


class EducationInline(PersonalDataInline, admin.TabularInline):
    model = Education
    extra = 0


class ExperienceInline(PersonalDataInline, admin.StackedInline):
    model = Experience
    extra = 0
    fields = [("kind", "employer", "title"), ("started_on", "ended_on"), "description"]


class LanguageSkillInline(PersonalDataInline, admin.TabularInline):
    model = LanguageSkill
    extra = 0


class CourseOrTestInline(PersonalDataInline, admin.TabularInline):
    model = CourseOrTest
    extra = 0


class CandidateReferenceInline(PersonalDataInline, admin.StackedInline):
    model = CandidateReference
    extra = 0
    fields = [("name", "company", "relation"), ("phone", "email"), "statement", "checked_on"]


class NextOfKinInline(PersonalDataInline, admin.TabularInline):
    model = NextOfKin
    extra = 0


class StaffNoteInline(PersonalDataInline, admin.TabularInline):
    model = StaffNote
    extra = 0
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[StaffNote]:
        return super().get_queryset(request).select_related("author")


class DisclosureInline(ReadOnlyInline):
    """Disclosures are the record of who received the profile (Art. 15(1)(c)): shown, never
    edited here."""

    model = Disclosure
    fields = readonly_fields = (
        "disclosed_at",
        "company",
        "contact_person",
        "posting",
        "method",
        "note",
        "disclosed_by",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Disclosure]:
        return (
            super()
            .get_queryset(request)
            # The candidate too: each row's title is str(disclosure), which names them.
            .select_related("candidate", "company", "contact__company", "posting", "disclosed_by")
        )

    contact_person = staticmethod(disclosure_contact)


class ActivityEventInline(ReadOnlyInline):
    model = ActivityEvent
    fields = readonly_fields = ("occurred_at", "kind", "actor")
    verbose_name_plural = _("latest activities")
    latest = 20

    def get_queryset(self, request: HttpRequest) -> QuerySet[ActivityEvent]:
        # Only the newest events of the profile: years of history would slow the change page
        # down. The full history is on the activities list.
        newest_first = Window(
            RowNumber(), partition_by=F("candidate"), order_by=F("occurred_at").desc()
        )
        return (
            super()
            .get_queryset(request)
            .select_related("actor")
            .alias(position=newest_first)
            .filter(position__lte=self.latest)
        )


@admin.register(Candidate)
class CandidateAdmin(PersonalDataImportExportMixin, DisclosureAdminMixin, PersonalDataAdmin):
    resource_classes = [CandidateResource]
    # Encrypted columns (criminal_record_*) cannot be searched or sorted: they appear in the
    # change form only, never in list_display, search_fields, list_filter or ordering.
    list_display = [
        "name",
        "email",
        "phone",
        "status",
        "channel",
        "last_activity_at",
        "created_at",
    ]
    list_filter = ["status", "channel", "language", LastActivityFilter]
    # Shown as the search help; the search itself is get_search_results below.
    search_fields = ["first_name", "last_name", "=email", "phone"]
    search_help_text = _(
        "An email address (exact match), or the beginning of a name or a phone number."
    )
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    readonly_fields = [
        "public_id",
        "email_confirmed_at",
        "last_activity_at",
        "created_at",
        "updated_at",
        "is_restricted",
        "restricted_at",
        "restriction_reason",
    ]
    fieldsets = [
        (
            _("Identity and contact"),
            {"fields": [("first_name", "last_name"), ("email", "phone"), "language"]},
        ),
        (_("Address"), {"fields": ["street", ("postcode", "city")]}),
        (_("Birth date and gender"), {"fields": [("birth_date", "gender")]}),
        (
            _("Unemployment and leave"),
            {"fields": [("is_unemployed", "unemployment_fund"), "leave_note"]},
        ),
        (
            _("Criminal record"),
            {
                "classes": ["collapse"],
                "description": _(
                    "Record that the certificate was seen, its result and its relevance to "
                    "the job; never store the certificate itself."
                ),
                "fields": [
                    ("criminal_record_status", "criminal_record_seen_on"),
                    "criminal_record_relevance",
                ],
            },
        ),
        (
            _("Status and timestamps"),
            {
                "fields": [
                    ("status", "channel"),
                    "public_id",
                    ("email_confirmed_at", "last_activity_at"),
                    ("created_at", "updated_at"),
                    ("is_restricted", "restricted_at", "restriction_reason"),
                ]
            },
        ),
    ]
    inlines = [
        JobPreferenceInline,
        CandidateDocumentInline,
        EducationInline,
        ExperienceInline,
        LanguageSkillInline,
        CourseOrTestInline,
        CandidateReferenceInline,
        NextOfKinInline,
        StaffNoteInline,
        DisclosureInline,
        ActivityEventInline,
    ]

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, obj: Candidate) -> str:
        return f"{obj.first_name} {obj.last_name}"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Candidate], search_term: str
    ) -> tuple[QuerySet[Candidate], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        if "@" in term:
            # Compared as LOWER(email) so that the candidate_email_unique_ci index answers it.
            found = queryset.alias(email_ci=Lower("email")).filter(email_ci=Lower(Value(term)))
            return found, False
        if _PHONE_LIKE.fullmatch(term):
            digits = normalize_phone(term)
            if digits.startswith("+45"):
                digits = digits[3:]  # Danish numbers are stored as 8 digits
            return queryset.filter(phone__startswith=digits), False
        for word in term.split():
            queryset = queryset.filter(
                Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
            )
        return queryset, False

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"channel": Candidate.Channel.STAFF, **super().get_changeform_initial_data(request)}

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield: FormField | None = super().formfield_for_dbfield(db_field, request, **kwargs)
        # Encrypted fields choose their own form field and drop the admin's widget.
        if formfield is not None and isinstance(db_field, EncryptedDateField):
            formfield.widget = AdminDateWidget()
        return formfield

    def save_model(self, request: HttpRequest, obj: Candidate, form: Any, change: bool) -> None:
        # Registering a candidate starts the retention clock. Until a candidate_create service
        # exists (which would also record the SIGNUP activity), the admin sets it here.
        if not change:
            obj.last_activity_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is StaffNote:
            # The author is set here, then the mixin saves and audits the rows as for any
            # inline (its save_formset calls formset.save(), which keeps the author).
            for note in formset.save(commit=False):
                if note.pk is None:
                    note.author = request.user
        super().save_formset(request, form, formset, change)
