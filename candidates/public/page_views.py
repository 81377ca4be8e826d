"""The personal data page: everything SEROP holds about the signed-in candidate, with the
purpose and retention of each group, and what they can do with it: correct it, replace
documents, download it, withdraw or give consents, delete the profile, sign out.

Every action is a POST with CSRF, answered by a redirect back to the page with a message (or
the page again with the form's errors), so a reload never repeats it.
"""

import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from candidates.models import Candidate, CandidateDocument
from consents.purposes import ConsentPurpose
from serop.uploads import UploadKind, upload_limits

from .consent_flow import (
    DOCUMENT_CONSENT,
    EXTRAS,
    active_consents,
    consent_give,
    consent_withdraw,
    current_texts,
)
from .documents import SELF_SERVICE_KINDS, ConsentMissing, document_replace
from .page_forms import DOCUMENT_FORMS, ProfileForm
from .profile import data_export, personal_data, profile_correct, profile_delete
from .session import OUTCOME_KEY, candidate_required, sign_out
from .views import TEMPLATES, _private, page_language

PAGE = "candidates_public:personal"


def _page(
    request: HttpRequest,
    candidate: Candidate,
    *,
    profile_form: ProfileForm | None = None,
    document_errors: dict[str, Any] | None = None,
) -> HttpResponse:
    language = page_language()
    consents = active_consents(candidate)
    texts = current_texts()
    documents = list(
        CandidateDocument.objects.filter(candidate=candidate).order_by("kind", "-uploaded_at")
    )
    kinds = []
    for kind in SELF_SERVICE_KINDS:
        needed = DOCUMENT_CONSENT.get(kind)
        if needed is not None and needed not in consents:
            continue
        kinds.append(
            {
                "kind": kind,
                "label": CandidateDocument.Kind(kind).label,
                "documents": [d for d in documents if d.kind == kind],
                "form": (document_errors or {}).get(kind) or DOCUMENT_FORMS[kind](prefix=kind),
            }
        )
    extras = [
        {
            "purpose": purpose,
            "label": ConsentPurpose(purpose).label,
            "record": consents.get(purpose),
            "text": texts.get(purpose),
            "wording": texts[purpose].text(language) if purpose in texts else "",
        }
        for purpose in EXTRAS
    ]
    cv_bank = consents.get(ConsentPurpose.CV_BANK)
    context = {
        "candidate": candidate,
        "data": personal_data(candidate, language),
        "profile_form": profile_form or ProfileForm.for_candidate(candidate, set(consents)),
        "documents": kinds,
        "cv_bank": cv_bank,
        "cv_bank_text": cv_bank.text.text(language) if cv_bank else "",
        "extras": extras,
    }
    return render(request, TEMPLATES + "personal.html", context)


@candidate_required
@require_http_methods(["GET", "HEAD"])
def personal(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    return _page(request, candidate)


@candidate_required
@require_POST
def correct(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    form = ProfileForm.for_candidate(candidate, set(active_consents(candidate)), request.POST)
    if not form.is_valid():
        messages.error(request, _("The form has errors. Please correct the fields marked below."))
        return _page(request, candidate, profile_form=form)
    changed = profile_correct(candidate=candidate, changes=form.cleaned_data, request=request)
    if changed:
        messages.success(request, _("Your changes have been saved."))
    else:
        messages.info(request, _("Nothing was changed."))
    return redirect(PAGE)


def _document_kind(kind: str) -> str:
    if kind not in SELF_SERVICE_KINDS:
        raise Http404
    return kind


@login_not_required
@require_POST
@upload_limits(
    fields={
        "cv-file": UploadKind.CV,
        "application-file": UploadKind.DOCUMENT,
        "photo-file": UploadKind.PHOTO,
        "video-file": UploadKind.VIDEO,
    }
)
def document(request: HttpRequest, kind: str) -> HttpResponse:
    response = _document(request, kind)
    assert isinstance(response, HttpResponse)
    return response


@candidate_required
def _document(request: HttpRequest, candidate: Candidate, kind: str) -> HttpResponse:
    kind = _document_kind(kind)
    form = DOCUMENT_FORMS[kind](request.POST, request.FILES, prefix=kind)
    if not form.is_valid():
        messages.error(request, _("The file was not saved."))
        return _page(request, candidate, document_errors={kind: form})
    try:
        document_replace(
            candidate=candidate, kind=kind, upload=form.cleaned_data["file"], request=request
        )
    except ConsentMissing:
        messages.error(request, _("Give your consent first, then upload the file."))
        return redirect(PAGE)
    messages.success(request, _("The file has been replaced."))
    return redirect(PAGE)


@candidate_required
@require_POST
def export(request: HttpRequest, candidate: Candidate) -> HttpResponseBase:
    out = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    name = data_export(candidate=candidate, out=out, request=request)
    out.seek(0)
    response = FileResponse(out, as_attachment=True, filename=name, content_type="application/zip")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@candidate_required
@require_POST
def withdraw(request: HttpRequest, candidate: Candidate, purpose: str) -> HttpResponse:
    if purpose == ConsentPurpose.CV_BANK:
        # Without the CV-bank consent there is no profile: that is the deletion of the profile.
        return redirect("candidates_public:delete")
    if purpose not in EXTRAS:
        raise Http404
    if consent_withdraw(candidate=candidate, purpose=purpose, request=request):
        messages.success(
            request,
            _("Your consent is withdrawn and the data that depended on it has been deleted."),
        )
    else:
        messages.info(request, _("You had not given this consent."))
    return redirect(PAGE)


@candidate_required
@require_POST
def give(request: HttpRequest, candidate: Candidate, purpose: str) -> HttpResponse:
    if purpose not in EXTRAS:
        raise Http404
    text = current_texts((purpose,)).get(purpose)
    if text is None or request.POST.get("text") != str(text.pk):
        messages.error(
            request,
            _("The consent text has changed since you opened the page. Please read it again."),
        )
        return redirect(PAGE)
    if purpose in active_consents(candidate):
        messages.info(request, _("You have already given this consent."))
        return redirect(PAGE)
    consent_give(candidate=candidate, purpose=purpose, text=text, request=request)
    messages.success(request, _("Thank you. Your consent has been recorded."))
    return redirect(PAGE)


@candidate_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    if request.method != "POST":
        return render(request, TEMPLATES + "delete.html", {"candidate": candidate})
    try:
        outcome = profile_delete(candidate=candidate, request=request)
    except ValidationError as error:
        return render(
            request,
            TEMPLATES + "delete.html",
            {"candidate": candidate, "errors": error.messages},
            status=409,
        )
    sign_out(request)
    request.session[OUTCOME_KEY] = outcome.as_session()
    return redirect("candidates_public:deleted")


@login_not_required
def deleted(request: HttpRequest) -> HttpResponse:
    outcome = request.session.pop(OUTCOME_KEY, None)
    if outcome is None:
        return redirect("candidates_public:magic_link")
    return _private(render(request, TEMPLATES + "deleted.html", {"outcome": outcome}))


@candidate_required
@require_POST
def logout(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    sign_out(request, candidate)
    messages.success(request, _("You are signed out."))
    return redirect("candidates_public:magic_link")
