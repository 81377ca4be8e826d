"""Job postings SEROP publishes for customers, and the applications they receive."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy import access
from privacy.admin_mixins import PersonalDataAdmin, PersonalDataInline

from ..models import Application, JobPosting, PostingChannel


class ClosedFilter(admin.SimpleListFilter):
    title = _("closed")
    parameter_name = "closed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", _("Open")), ("yes", _("Closed"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        closed = Q(closed_on__lte=timezone.localdate())
        match self.value():
            case "no":
                return queryset.exclude(closed)
            case "yes":
                return queryset.filter(closed)
        return None


class PostingChannelInline(PersonalDataInline, admin.TabularInline):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    model = PostingChannel
    extra = 0


@admin.register(JobPosting)
class JobPostingAdmin(PersonalDataAdmin):
    list_display = ["title", "company", "location", "employment_form", "opened_on", "closed_on"]
    list_select_related = ["company"]
    list_filter = ["employment_form", ClosedFilter]
    search_fields = ["title"]
    # The customers' admin lives in another app: a raw id keeps this one independent of it.
    raw_id_fields = ["company"]
    show_full_result_count = False
    inlines = [PostingChannelInline]


@admin.register(PostingChannel)
class PostingChannelAdmin(PersonalDataAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["posting", "channel", "published_on", "url"]
    list_select_related = ["posting"]
    list_filter = ["channel"]
    search_fields = ["posting__title"]
    autocomplete_fields = ["posting"]
    show_full_result_count = False


@admin.register(Application)
class ApplicationAdmin(PersonalDataAdmin):
    list_display = ["name", "email", "posting", "channel", "status", "received_at"]
    list_select_related = ["posting"]
    list_filter = ["status", "channel", "received_at"]
    search_fields = ["first_name", "last_name", "=email", "phone", "posting__title"]
    autocomplete_fields = ["posting", "candidate"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        queryset = super().get_queryset(request)
        if access.may_see_restricted(request.user):
            return queryset
        # An application is the applicant's own record (no is_restricted of its own), but one
        # linked to a restricted CV-bank candidate is that person's data: hidden as theirs is.
        return queryset.exclude(candidate__is_restricted=True)

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, obj: Application) -> str:
        return f"{obj.first_name} {obj.last_name}"
