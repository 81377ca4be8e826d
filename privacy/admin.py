import csv
import itertools
import uuid
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _

from .audit import Action, audit
from .models import AuditEntry, Processor


@admin.register(Processor)
class ProcessorAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "key",
        "role",
        "country",
        "third_country_transfer",
        "has_dpa",
        "dpa_signed_on",
    ]
    list_filter = ["role", "third_country_transfer", "country"]
    search_fields = ["name", "key", "service"]
    readonly_fields = ["updated_at"]

    @admin.display(description=_("agreement on file"), boolean=True)
    def has_dpa(self, obj: Processor) -> bool:
        return bool(obj.dpa_reference and obj.dpa_signed_on)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The DPO's view of the audit trail: search by person, staff member, action and date;
    export. Nobody can add, change or delete entries here (nor anywhere else)."""

    list_display = [
        "at",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "subject_ref",
        "count",
        "ip_address",
    ]
    list_filter = ["action", "object_type", ("at", admin.DateFieldListFilter)]
    date_hierarchy = "at"
    search_fields = ["actor_username"]  # plus person ids: get_search_results
    search_help_text = _("A person's pseudonymous id, or a staff member's username.")
    show_full_result_count = False
    actions = ["export_csv"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> Any:
        term = search_term.strip()
        try:
            ref = uuid.UUID(term)
        except ValueError:
            pass
        else:
            return queryset.filter(subject_ref=ref), False
        return super().get_search_results(request, queryset, term)

    @admin.action(description=_("Export the selected entries (CSV)"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: Any) -> StreamingHttpResponse:
        columns = [f.name for f in AuditEntry._meta.fields]
        audit(
            Action.EXPORT, request=request, model=AuditEntry, count=queryset.count(), fields=columns
        )
        writer = csv.writer(_Echo())
        rows = queryset.order_by("at").values_list(*columns).iterator(chunk_size=2000)
        lines = (
            writer.writerow([v.isoformat() if isinstance(v, datetime) else v for v in row])
            for row in rows
        )
        response = StreamingHttpResponse(
            itertools.chain([writer.writerow(columns)], lines),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        return response


class _Echo:
    """A file-like object whose write returns the line: csv.writer into a streamed response."""

    def write(self, value: str) -> str:
        return value


from . import admin_breaches, admin_notice, admin_requests  # noqa: F401,E402
