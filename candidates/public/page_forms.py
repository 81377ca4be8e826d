"""Forms of the personal data page: correcting the profile and replacing a document."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate, CandidateDocument
from consents.purposes import ConsentPurpose as P
from serop.choices import Language
from serop.uploads import UploadField, UploadKind
from serop.validators import validate_postcode

from .forms import CRIMINAL_RECORD_CHOICES, PhoneField

# The fields a candidate corrects, and the consent each extra needs to be shown at all.
ALWAYS = ("first_name", "last_name", "phone", "language")
EXTRA_FIELDS: dict[str, tuple[str, ...]] = {
    P.CANDIDATE_ADDRESS: ("street", "postcode", "city"),
    P.CANDIDATE_BIRTH_DATE: ("birth_date", "gender"),
    P.CANDIDATE_CRIMINAL_RECORD: ("criminal_record_status",),
}


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    phone = PhoneField(label=_("Phone"), max_length=32)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    street = forms.CharField(label=_("Street and number"), max_length=200, required=False)
    postcode = forms.CharField(
        label=_("Postcode"), max_length=4, required=False, validators=[validate_postcode]
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", _("Choose")), *Candidate._meta.get_field("gender").choices],  # type: ignore[misc]
        required=False,
    )
    criminal_record_status = forms.ChoiceField(
        label=_("Criminal record"), choices=CRIMINAL_RECORD_CHOICES, required=False
    )

    def __init__(self, *args: Any, consents: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Without its consent an extra is not shown, and not accepted if posted anyway.
        for purpose, names in EXTRA_FIELDS.items():
            if purpose not in consents:
                for name in names:
                    del self.fields[name]

    @classmethod
    def for_candidate(
        cls, candidate: Candidate, consents: set[str], data: Any = None
    ) -> "ProfileForm":
        form = cls(data, consents=consents)
        if data is None:
            form.initial = {name: getattr(candidate, name) for name in form.fields}
            if form.initial.get("birth_date"):
                form.initial["birth_date"] = form.initial["birth_date"].isoformat()
        return form


class CvForm(forms.Form):
    file = UploadField(kind=UploadKind.CV, label=_("New file"))


class ApplicationForm(forms.Form):
    file = UploadField(kind=UploadKind.DOCUMENT, label=_("New file"))


class PhotoForm(forms.Form):
    file = UploadField(kind=UploadKind.PHOTO, label=_("New file"))


class VideoForm(forms.Form):
    file = UploadField(kind=UploadKind.VIDEO, label=_("New file"))


DOCUMENT_FORMS: dict[str, type[forms.Form]] = {
    CandidateDocument.Kind.CV: CvForm,
    CandidateDocument.Kind.APPLICATION: ApplicationForm,
    CandidateDocument.Kind.PHOTO: PhotoForm,
    CandidateDocument.Kind.VIDEO: VideoForm,
}
