"""A test-only view that takes uploads the way the public forms do: behind upload_limits,
storing a CandidateDocument per accepted file."""

from django import forms
from django.conf.urls.i18n import i18n_patterns
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.html import escape

from candidates.models import Candidate, CandidateDocument
from serop import urls as project_urls
from serop.uploads import UploadField, UploadKind, upload_limits


class ProfileFilesForm(forms.Form):
    cv = UploadField(kind=UploadKind.CV)
    video = UploadField(kind=UploadKind.VIDEO, required=False)


def store(request: HttpRequest) -> HttpResponse:
    form = ProfileFilesForm(request.POST, request.FILES)
    if not form.is_valid():
        return HttpResponse(str(form.errors), status=400)
    candidate = Candidate.objects.get(pk=int(request.POST["candidate"]))
    for name, kind in (("cv", "cv"), ("video", "video")):
        upload = form.cleaned_data.get(name)
        if upload is not None:
            CandidateDocument.objects.create(
                candidate=candidate, kind=kind, **upload.document_fields()
            )
    return HttpResponse("stored")


def form_page_with_error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """What a real view does: its own (unbound) form page with the message as the error."""
    return HttpResponse(
        f'<p class="error">{escape(message)}</p>{ProfileFilesForm()}', status=status
    )


upload_view = upload_limits(ProfileFilesForm)(store)
own_page_view = upload_limits(ProfileFilesForm, on_reject=form_page_with_error)(store)

# Under i18n_patterns like the public pages: Danish at /upload-test/, English at /en/upload-test/.
urlpatterns = [
    *project_urls.urlpatterns,
    *i18n_patterns(
        path("upload-test/", upload_view),
        path("upload-test/own-page/", own_page_view),
        prefix_default_language=False,
    ),
]
