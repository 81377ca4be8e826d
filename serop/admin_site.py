"""SEROP's admin site, the default one (``serop.apps.SeropAdminConfig``): it lets in only active
staff who, when ``settings.SEROP_REQUIRE_2FA`` is on, passed a second factor in this session.
Login and enrolment are in ``serop/two_factor.py``."""

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from . import two_factor


class SeropAdminSite(admin.AdminSite):
    site_header = "SEROP"
    site_title = "SEROP"
    login_form = two_factor.SeropAuthenticationForm
    login_template = "two_factor/login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        # Superusers too: is_superuser grants permissions, never a way around the second factor.
        return super().has_permission(request) and (
            not two_factor.second_factor_required() or two_factor.is_verified(request)
        )

    def get_urls(self) -> list[URLResolver | URLPattern]:
        # Before the admin's own patterns, which end in a catch-all. Not behind admin_view: the
        # person enrolling is not logged in yet (the view checks the session's enrolment state).
        return [
            path("two-factor/enrol/", self.enrol, name="two_factor_enrol"),
            *super().get_urls(),
        ]

    # The DPO's dashboard (privacy/dashboard.py) above the app list, for the DPO and the
    # administrator; everyone else gets the plain index.
    @method_decorator(never_cache)
    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        from privacy import dashboard

        if not dashboard.may_see_dashboard(request.user):
            return super().index(request, extra_context)
        context = {**dashboard.dashboard_context(), **(extra_context or {})}
        response = super().index(request, context)
        response.template_name = "admin/dpo_dashboard.html"
        return response

    @method_decorator(never_cache)
    @login_not_required
    def enrol(self, request: HttpRequest) -> HttpResponse:
        return two_factor.enrol_view(request, admin_site=self)

    # AdminSite.login with SEROP's login view, which also handles the second factor.
    @method_decorator(never_cache)
    @login_not_required
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if request.method == "GET" and self.has_permission(request):
            return HttpResponseRedirect(reverse("admin:index", current_app=self.name))
        context = {
            **self.each_context(request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return two_factor.SeropLoginView.as_view(
            extra_context=context,
            authentication_form=self.login_form,
            template_name=self.login_template,
        )(request)
