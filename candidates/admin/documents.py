"""The admin's document file field: its "currently" link goes to the permission-checked,
audited download view (candidates/files.py), never to a storage URL; a file uploaded here goes
through the same checks as on the website (serop/uploads)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse

from serop.uploads import UploadField

from ..files import UPLOAD_KIND_OF_DOCUMENT
from ..models import CandidateDocument


class _DownloadLink:
    """What ClearableFileInput shows as the current file: ``url`` and the text of the link."""

    def __init__(self, url: str, text: str) -> None:
        self.url = url
        self.text = text

    def __str__(self) -> str:
        return self.text


class DocumentFileInput(forms.ClearableFileInput):
    def format_value(self, value: Any) -> Any:
        instance = getattr(value, "instance", None)
        if value and isinstance(instance, CandidateDocument) and instance.pk:
            url = reverse("files:document", args=[instance.pk])
            return _DownloadLink(url, instance.original_name or value.name.rsplit("/", 1)[-1])
        return None  # a file not saved yet has nothing to link to


class CandidateDocumentAdminForm(forms.ModelForm):
    class Meta:
        model = CandidateDocument
        fields = ["candidate", "kind", "file"]
        widgets = {"file": DocumentFileInput}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        kind = cleaned.get("kind")
        if isinstance(upload, UploadedFile) and kind in UPLOAD_KIND_OF_DOCUMENT:
            try:
                checked = UploadField(kind=UPLOAD_KIND_OF_DOCUMENT[kind]).check(upload)
            except ValidationError as exc:
                self.add_error("file", exc)
                return cleaned
            cleaned["file"] = checked
            # Read-only in the admin, so not form fields: set on the instance being saved.
            self.instance.original_name = checked.original_name
            self.instance.content_type = checked.content_type
            self.instance.size = checked.size
        return cleaned
