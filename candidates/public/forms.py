"""The CV-bank signup form (policy §9): who you are, what you are looking for, your CV, and
voluntary extras, each behind its own consent box.

Every consent box carries the id of the text version shown next to it (a hidden field per
purpose). If a newer version has been published since the form was opened, the form is shown
again with the new text instead of recording a consent to words the person never saw. An extra
filled in without its box ticked is an error, not silently dropped or silently stored.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from candidates.models import Area, Candidate, JobPreference, JobType, LanguageSkill
from consents.models import ConsentText
from consents.purposes import ConsentPurpose as P
from serop.abuse import HoneypotForm
from serop.choices import EmploymentForm
from serop.uploads import UploadField, UploadKind
from serop.validators import normalize_phone, validate_phone, validate_postcode

from .consent_flow import CANDIDATE_PURPOSES, EXTRAS
from .signup import Signup

TEXT_CHANGED = _(
    "The consent text has changed since you opened the form. Please read the new text and "
    "send the form again."
)
WITHOUT_CONSENT = _("Tick the box to let us store this, or leave the field empty.")
MAX_TEXT = 5000

# Fields of each extra, by the consent purpose it needs.
EXTRA_FIELDS: dict[str, tuple[str, ...]] = {
    P.CANDIDATE_ADDRESS: ("street", "postcode", "city"),
    P.CANDIDATE_BIRTH_DATE: ("birth_date", "gender"),
    P.CANDIDATE_EDUCATION: ("education_institution", "education_title"),
    P.CANDIDATE_LANGUAGES: ("language_1", "level_1", "language_2", "level_2"),
    P.CANDIDATE_PHOTO: ("photo",),
    P.CANDIDATE_VIDEO: ("video",),
    P.CANDIDATE_CRIMINAL_RECORD: ("criminal_record_status",),
}
CRIMINAL_RECORD_CHOICES = [
    ("", _("Choose")),
    (Candidate.CriminalRecordStatus.SEEN_CLEAN, _("My criminal record is clean")),
    (Candidate.CriminalRecordStatus.SEEN_ENTRIES, _("My criminal record has entries")),
]
LEVEL_CHOICES = [("", _("Choose")), *LanguageSkill.Level.choices]


def consent_field_name(purpose: str) -> str:
    return f"consent_{purpose}"


def version_field_name(purpose: str) -> str:
    return f"text_{purpose}"


class PhoneField(forms.CharField):
    default_validators = [validate_phone]

    def to_python(self, value: Any) -> str:
        return normalize_phone(super().to_python(value) or "")


class ConsentFormMixin(forms.Form):
    """A box and a hidden text-version field for each purpose in ``texts``."""

    def add_consents(
        self, texts: dict[str, ConsentText], language: str, required: set[str]
    ) -> None:
        self.texts = texts
        self.consent_language = language
        for purpose, text in texts.items():
            self.fields[consent_field_name(purpose)] = forms.BooleanField(
                label=text.text(language),
                required=purpose in required,
                error_messages={"required": _("You must agree to this to sign up.")},
            )
            self.fields[version_field_name(purpose)] = forms.CharField(
                widget=forms.HiddenInput, initial=str(text.pk), required=False, max_length=20
            )

    def agreed_texts(self) -> dict[str, ConsentText]:
        """The texts of the ticked boxes. If a box was ticked next to a version that is no
        longer the one in force, raise, after unticking it and putting the current version in
        the form's data, so that the form is shown again with the new text to agree to."""
        agreed, changed = {}, []
        for purpose, text in self.texts.items():
            if not self.cleaned_data.get(consent_field_name(purpose)):
                continue
            if self.cleaned_data.get(version_field_name(purpose)) != str(text.pk):
                changed.append(purpose)
                continue
            agreed[purpose] = text
        if changed:
            data = self.data.copy()  # type: ignore[attr-defined]
            for purpose in changed:
                data.pop(consent_field_name(purpose), None)
                data[version_field_name(purpose)] = str(self.texts[purpose].pk)
            self.data = data
            raise ValidationError(TEXT_CHANGED, code="text_changed")
        return agreed


class SignupForm(ConsentFormMixin, HoneypotForm):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = PhoneField(label=_("Phone"), max_length=32)
    job_types = forms.ModelMultipleChoiceField(
        label=_("Job types"),
        queryset=JobType.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas"),
        queryset=Area.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    employment_forms = forms.MultipleChoiceField(
        label=_("Employment form"),
        choices=EmploymentForm.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one employment form.")},
    )
    duration = forms.ChoiceField(
        label=_("Duration"), choices=JobPreference.Duration.choices, initial="any"
    )
    hours = forms.ChoiceField(
        label=_("Working hours"), choices=JobPreference.Hours.choices, initial="any"
    )
    available_from = forms.DateField(
        label=_("Available from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    # Optional: a profile without a CV can still be matched on its wishes, and the CV can be
    # added later on the personal data page.
    cv = UploadField(
        kind=UploadKind.CV,
        label=_("CV"),
        required=False,
        help_text=_("You can also add it later on your personal data page."),
    )
    application_text = forms.CharField(
        label=_("Application (optional)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    application_file = UploadField(
        kind=UploadKind.DOCUMENT, label=_("Or upload your application"), required=False
    )
    # Voluntary extras (EXTRA_FIELDS), each behind its consent box:
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
    education_institution = forms.CharField(
        label=_("School or institution"), max_length=200, required=False
    )
    education_title = forms.CharField(label=_("Education"), max_length=200, required=False)
    language_1 = forms.CharField(label=_("Language"), max_length=50, required=False)
    level_1 = forms.ChoiceField(label=_("Level"), choices=LEVEL_CHOICES, required=False)
    language_2 = forms.CharField(label=_("Another language"), max_length=50, required=False)
    level_2 = forms.ChoiceField(label=_("Level"), choices=LEVEL_CHOICES, required=False)
    photo = UploadField(kind=UploadKind.PHOTO, label=_("Passport photo"), required=False)
    video = UploadField(kind=UploadKind.VIDEO, label=_("Video introduction"), required=False)
    criminal_record_status = forms.ChoiceField(
        label=_("Criminal record"), choices=CRIMINAL_RECORD_CHOICES, required=False
    )

    def __init__(self, *args: Any, texts: dict[str, ConsentText], language: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.add_consents(texts, language, required={P.CV_BANK})
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "type": "tel"})
        self.fields["street"].widget.attrs["autocomplete"] = "street-address"
        self.fields["postcode"].widget.attrs.update(
            {"autocomplete": "postal-code", "inputmode": "numeric"}
        )
        self.fields["city"].widget.attrs["autocomplete"] = "address-level2"

    def extras(self) -> list[tuple[str, ConsentText, list[forms.BoundField]]]:
        """For the template: each extra's consent text and its fields."""
        return [
            (purpose, self.texts[purpose], [self[name] for name in EXTRA_FIELDS[purpose]])
            for purpose in EXTRAS
            if purpose in self.texts
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for purpose, names in EXTRA_FIELDS.items():
            if data.get(consent_field_name(purpose)):
                continue
            for name in names:
                if data.get(name) not in (None, "") and name not in self.errors:
                    self.add_error(name, WITHOUT_CONSENT)
        for language, level in (("language_1", "level_1"), ("language_2", "level_2")):
            if bool(data.get(language)) != bool(data.get(level)):
                self.add_error(level, _("Give both the language and your level."))
        if data.get("education_institution") and not data.get("education_title"):
            self.add_error("education_title", _("Give the name of the education too."))
        if data.get("application_text") and data.get("application_file"):
            self.add_error("application_file", _("Write the application or upload it, not both."))
        try:
            data["agreed"] = self.agreed_texts()
        except ValidationError as error:
            self.add_error(None, error)
        return data

    def signup(self) -> Signup:
        data = self.cleaned_data
        agreed: dict[str, ConsentText] = data["agreed"]

        def given(purpose: str, value: Any, empty: Any = "") -> Any:
            return value if purpose in agreed and value is not None else empty

        forms_wanted = set(data["employment_forms"])
        candidate = {
            "first_name": data["first_name"],
            "last_name": data["last_name"],
            "email": data["email"],
            "phone": data["phone"],
            **{n: given(P.CANDIDATE_ADDRESS, data[n]) for n in ("street", "postcode", "city")},
            "birth_date": given(P.CANDIDATE_BIRTH_DATE, data["birth_date"], None),
            "gender": given(P.CANDIDATE_BIRTH_DATE, data["gender"]),
            "criminal_record_status": given(
                P.CANDIDATE_CRIMINAL_RECORD, data["criminal_record_status"]
            ),
        }
        documents = [("cv", data["cv"])] if data.get("cv") else []
        if data.get("application_file"):
            documents.append(("application", data["application_file"]))
        for purpose, name in ((P.CANDIDATE_PHOTO, "photo"), (P.CANDIDATE_VIDEO, "video")):
            if purpose in agreed and data.get(name):
                documents.append((name, data[name]))
        education = None
        if P.CANDIDATE_EDUCATION in agreed and data["education_title"]:
            education = {
                "institution": data["education_institution"],
                "title": data["education_title"],
            }
        languages = []
        if P.CANDIDATE_LANGUAGES in agreed:
            for language, level in (("language_1", "level_1"), ("language_2", "level_2")):
                if data[language] and data[level]:
                    languages.append((data[language], data[level]))
        return Signup(
            candidate=candidate,
            preferences={
                "wants_permanent": EmploymentForm.PERMANENT in forms_wanted,
                "wants_temp": EmploymentForm.TEMP in forms_wanted,
                "wants_consultant": EmploymentForm.CONSULTANT in forms_wanted,
                "duration": data["duration"],
                "hours": data["hours"],
                "available_from": data["available_from"],
            },
            job_types=_chosen(data["job_types"]),
            areas=_chosen(data["areas"]),
            texts=agreed,
            documents=documents,
            application_text=data["application_text"],
            education=education,
            languages=languages,
        )


def _chosen(value: QuerySet[Any]) -> list[Any]:
    """The rows picked in a ModelMultipleChoiceField. Nothing picked is ``queryset.none()``,
    whose evaluation still compiles its SQL: most signups pick nothing, so skip that."""
    return [] if value.query.is_empty() else list(value)


class MagicLinkForm(HoneypotForm):
    email = forms.EmailField(label=_("Email"), max_length=254)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"


__all__ = ["CANDIDATE_PURPOSES", "MagicLinkForm", "SignupForm"]
