"""The DPO's screens for accountability documents: the privacy notice's versions (review the
draft against the published version, publish, read archived versions) and the records of
processing (download as PDF, CSV or XLSX, in Danish or English).

Publishing needs the permission to add a notice version, the records of processing the
permission to change the processor register: both only the DPO's role holds (privacy/roles.py).
Others get 403; people who are not logged in go to the login page. Publishing and every
download are audited.
"""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .models import PrivacyNoticeVersion
from .notice import (
    LANGUAGES,
    DraftChanged,
    current_version,
    digest,
    draft_contents,
    has_changes,
    next_version_number,
    notice_diff,
    notice_publish,
)
from .ropa import FORMATS, ropa_export

PUBLISH_PERMISSION = "privacy.add_privacynoticeversion"
ROPA_PERMISSION = "privacy.change_processor"
LANGUAGE_NAMES = {"da": _("Danish"), "en": _("English")}


@admin.register(PrivacyNoticeVersion)
class PrivacyNoticeVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "published_at", "published_by", "is_current", "archived_at"]
    list_select_related = ["published_by"]
    list_display_links = ["version"]
    change_list_template = "admin/privacy/notice/change_list.html"

    # Versions are written only by publishing (privacy/notice.py) and never changed afterwards.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("draft/", wrap(self.draft_view), name="privacy_privacynoticeversion_draft"),
            path("records-of-processing/", wrap(self.ropa_view), name="privacy_ropa"),
            path(
                "records-of-processing/<str:fmt>/<str:language>/",
                wrap(self.ropa_download_view),
                name="privacy_ropa_download",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        extra_context = {
            **(extra_context or {}),
            "can_publish": request.user.has_perm(PUBLISH_PERMISSION),
            "can_download_ropa": request.user.has_perm(ROPA_PERMISSION),
        }
        return super().changelist_view(request, extra_context)

    def _context(self, request: HttpRequest, title: Any) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
        }

    # --- one version -----------------------------------------------------------------------
    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        version = self.get_object(request, object_id)
        if version is None:
            raise Http404
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        context = {
            **self._context(request, str(version)),
            "original": version,
            "contents": [(LANGUAGE_NAMES[lang], version.content(lang)) for lang in LANGUAGES],
        }
        return TemplateResponse(request, "admin/privacy/notice/version.html", context)

    # --- reviewing and publishing the draft ------------------------------------------------
    def draft_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(PUBLISH_PERMISSION):
            raise PermissionDenied
        if request.method == "POST":
            try:
                version = notice_publish(
                    actor=request.user,
                    request=request,
                    expected_digest=request.POST.get("digest", ""),
                )
            except DraftChanged:
                messages.error(
                    request,
                    _(
                        "The draft changed while you were reviewing it. Review the changes "
                        "below again before publishing."
                    ),
                )
            else:
                messages.success(
                    request,
                    _("Version %(version)s of the privacy notice is published.")
                    % {"version": version.version},
                )
                return HttpResponseRedirect(
                    reverse("admin:privacy_privacynoticeversion_changelist")
                )
        now = timezone.now()
        draft = draft_contents(at=now)
        current = current_version()
        number = next_version_number()
        new_label = _("Draft (version %(version)s)") % {"version": number}
        comparisons: list[tuple[Any, str | None, str]] = []
        for lang in LANGUAGES:
            if current is None:
                comparisons.append((LANGUAGE_NAMES[lang], None, draft[lang]))
                continue
            old_label = _("Version %(version)s, published %(date)s") % {
                "version": current.version,
                "date": formats.date_format(timezone.localtime(current.published_at)),
            }
            table = notice_diff(
                current.content(lang), draft[lang], old_label=old_label, new_label=new_label
            )
            comparisons.append((LANGUAGE_NAMES[lang], table, draft[lang]))
        context = {
            **self._context(request, _("Review and publish the privacy notice")),
            "current": current,
            "number": number,
            "comparisons": comparisons,
            "changed": current is None
            or any(has_changes(current.content(lang), draft[lang]) for lang in LANGUAGES),
            "digest": digest(draft),
        }
        return TemplateResponse(request, "admin/privacy/notice/draft.html", context)

    # --- records of processing -------------------------------------------------------------
    def ropa_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(ROPA_PERMISSION):
            raise PermissionDenied
        downloads = [
            (
                LANGUAGE_NAMES[lang],
                [
                    (fmt.upper(), reverse("admin:privacy_ropa_download", args=[fmt, lang]))
                    for fmt in FORMATS
                ],
            )
            for lang in LANGUAGES
        ]
        context = {
            **self._context(request, _("Records of processing activities")),
            "downloads": downloads,
        }
        return TemplateResponse(request, "admin/privacy/notice/ropa.html", context)

    def ropa_download_view(self, request: HttpRequest, fmt: str, language: str) -> HttpResponse:
        if not request.user.has_perm(ROPA_PERMISSION):
            raise PermissionDenied
        if fmt not in FORMATS or language not in LANGUAGES:
            raise Http404
        export = ropa_export(fmt=fmt, language=language, request=request)
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
