"""Retention runs in the admin for operations and the DPO: a dry-run preview (what the next run
would delete, per rule, counted and sampled), a run-now button that queues the rule on the
Celery workers, and the runs' progress in the list (it refreshes itself while one runs)."""

from datetime import date
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import engine
from .models import RetentionRun
from .rules import RULES
from .tasks import run_retention_rule

PERMISSION = "retention.add_retentionrun"
ALL = "__all__"


def _rule_choices() -> list[tuple[str, Any]]:
    rules = [(key, RULES[key].label) for key in engine.runnable_rules() if key in RULES]
    return [(ALL, _("Every rule")), *rules]


class RunForm(forms.Form):
    rule = forms.ChoiceField(label=_("Rule"), choices=_rule_choices)
    as_of = forms.DateField(
        label=_("As of"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )

    def rules(self) -> list[str]:
        chosen = self.cleaned_data["rule"]
        return engine.runnable_rules() if chosen == ALL else [chosen]


class RunAdminMixin:
    admin_site: Any
    opts: Any
    message_user: Any

    def get_urls(self) -> list[Any]:
        def view(function: Any, route: str, name: str) -> Any:
            return path(
                route,
                self.admin_site.admin_view(function),
                name=f"{self.opts.app_label}_{self.opts.model_name}_{name}",
            )

        return [
            view(self.preview_view, "preview/", "preview"),
            view(self.run_now_view, "run-now/", "run_now"),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        running = RetentionRun.objects.filter(status=RetentionRun.Status.RUNNING).exists()
        extra = {
            **(extra_context or {}),
            "retention_running": running,
            "may_run": request.user.has_perm(PERMISSION),
        }
        return super().changelist_view(request, extra)  # type: ignore[misc]

    def _check(self, request: HttpRequest) -> None:
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """A dry run of the chosen rules: counted and sampled, nothing changed (each dry run is
        recorded as a run with dry_run set)."""
        self._check(request)
        form = RunForm(request.GET or None)
        results = []
        if form.is_valid():
            as_of: date = form.cleaned_data["as_of"]
            for rule in form.rules():
                outcome = engine.run_rule(
                    rule, as_of=as_of, dry_run=True, triggered_by=request.user.get_username()
                )
                results.append(
                    {"rule": RULES[rule], "run": outcome.run, "samples": outcome.samples}
                )
        return TemplateResponse(
            request,
            "admin/retention/retentionrun/preview.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "form": form,
                "results": results,
                "run_form": RunForm(initial=request.GET or None),
                "title": _("What the next run would delete"),
            },
        )

    def run_now_view(self, request: HttpRequest) -> HttpResponse:
        """Queue the chosen rules on the workers, after this transaction commits."""
        self._check(request)
        form = RunForm(request.POST or None)
        if request.method != "POST" or not form.is_valid():
            self.message_user(request, _("Choose a rule and a date."), messages.ERROR)
        else:
            as_of = form.cleaned_data["as_of"].isoformat()
            for rule in form.rules():
                transaction.on_commit(partial(run_retention_rule.delay, rule, as_of))
            self.message_user(
                request,
                _(
                    "The run is queued. Its progress shows in this list; a second run of the "
                    "same rule while one is in progress is refused."
                ),
                messages.SUCCESS,
            )
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:retention_retentionrun_changelist")
        )
