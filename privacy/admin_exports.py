"""The access/portability export on a subject request's admin page: generate (a Celery task,
with progress), email the signed link to the person, or download it to hand over. The work is
in privacy/subject_export.py; this only validates, calls one service and renders."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import RequestExport, SubjectRequest
from .subject_export import export_generate, export_link, export_send_link

PERMISSION = "privacy.change_subjectrequest"


class ExportAdminMixin:
    """Mix into the SubjectRequest ModelAdmin, before ``admin.ModelAdmin``."""

    admin_site: Any
    opts: Any
    get_object: Any
    message_user: Any

    def get_urls(self) -> list[Any]:
        route = path(
            "<path:object_id>/export/",
            self.admin_site.admin_view(self.export_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_export_data",
        )
        return [route, *super().get_urls()]  # type: ignore[misc]

    def export_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        subject_request = self.get_object(request, object_id)
        if not isinstance(subject_request, SubjectRequest):
            raise Http404
        here = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_export_data",
            args=[subject_request.pk],
        )
        if request.method == "POST":
            try:
                if "generate" in request.POST:
                    export_generate(subject_request, request.user)
                    self.message_user(request, _("The export is being prepared."), messages.SUCCESS)
                elif "send" in request.POST:
                    export = subject_request.exports.get(
                        pk=request.POST["send"], kind=RequestExport.Kind.ACCESS
                    )
                    export_send_link(export, request.user, http_request=request)
                    self.message_user(
                        request, _("The download link is sent to the person."), messages.SUCCESS
                    )
            except (ValidationError, RequestExport.DoesNotExist, ValueError) as error:
                messages_ = getattr(error, "messages", [_("That export does not exist.")])
                for message in messages_:
                    self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(here)
        exports = subject_request.exports.filter(kind=RequestExport.Kind.ACCESS)
        now = timezone.now()
        rows: list[dict[str, Any]] = [
            {
                "export": export,
                "download": reverse("privacy:export_download_admin", args=[export.pk]),
                # Expired: no download, no link to send (both are refused anyway).
                "link": export_link(export, http_request=request)
                if export.status == "done" and not export.is_expired(now)
                else "",
            }
            for export in exports
        ]
        return TemplateResponse(
            request,
            "admin/privacy/subjectrequest/export.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": subject_request,
                "rows": rows,
                "title": _("Access and portability export"),
                "running": any(r["export"].status in ("pending", "running") for r in rows),
            },
        )
