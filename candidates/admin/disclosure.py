"""The recruiter's "send CV to customer": a form on the candidate's page that records the
disclosure (candidates.services.candidate_disclose) and mails the chosen documents."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from customers.models import Company, ContactPerson

from ..models import Candidate, CandidateDocument, Disclosure, JobPosting
from ..services import candidate_disclose


@admin.display(description=_("contact person"))
def disclosure_contact(disclosure: Disclosure) -> str | None:
    """The contact a disclosure went to, as a history shows it (restricted: not by name)."""
    return disclosure.contact.display_name() if disclosure.contact else None


class DisclosureForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Company.objects.filter(status=Company.Status.ACTIVE).order_by("name"),
    )
    contact = forms.ModelChoiceField(
        label=_("Send to"),
        queryset=ContactPerson.objects.none(),
        required=False,
        help_text=_("The contact person who receives the documents by email."),
    )
    documents = forms.ModelMultipleChoiceField(
        label=_("Documents"),
        queryset=CandidateDocument.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    posting = forms.ModelChoiceField(
        label=_("Job posting"), queryset=JobPosting.objects.none(), required=False
    )
    method = forms.ChoiceField(label=_("Method"), choices=Disclosure.Method.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, candidate: Candidate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = candidate.documents.all()  # type: ignore[attr-defined]
        self.fields["contact"].queryset = (  # type: ignore[attr-defined]
            ContactPerson.objects.filter(company__status=Company.Status.ACTIVE, is_restricted=False)
            .select_related("company")
            .order_by("company__name", "last_name")
        )
        self.fields["posting"].queryset = JobPosting.objects.filter(  # type: ignore[attr-defined]
            closed_on__isnull=True
        ).select_related("company")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        contact, company = data.get("contact"), data.get("company")
        if contact is not None and company is not None and contact.company_id != company.pk:
            self.add_error("contact", _("The contact person must work for the chosen customer."))
        if data.get("method") == Disclosure.Method.EMAIL and contact is None:
            self.add_error("contact", _("Choose who receives the email."))
        return data


class DisclosureAdminMixin:
    """Adds ``<id>/disclose/`` to the candidate admin."""

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.disclose_view)  # type: ignore[attr-defined]
        return [
            path("<path:object_id>/disclose/", view, name="candidates_candidate_disclose"),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def disclose_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        candidate = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if candidate is None:
            raise Http404
        if not request.user.has_perm("candidates.add_disclosure"):
            raise PermissionDenied
        form = DisclosureForm(request.POST or None, candidate=candidate)
        if request.method == "POST" and form.is_valid():
            candidate_disclose(
                candidate=candidate,
                actor=request.user,  # type: ignore[arg-type]
                request=request,
                **form.cleaned_data,
            )
            self.message_user(  # type: ignore[attr-defined]
                request, _("The disclosure is recorded."), messages.SUCCESS
            )
            return HttpResponseRedirect(
                reverse("admin:candidates_candidate_change", args=[candidate.pk])
            )
        return TemplateResponse(
            request,
            "admin/candidates/disclose.html",
            {
                **self.admin_site.each_context(request),  # type: ignore[attr-defined]
                "opts": Candidate._meta,
                "candidate": candidate,
                "form": form,
                "title": _("Send CV to a customer"),
            },
        )
