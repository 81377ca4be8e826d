"""The newsletter signup and contact forms. Every field has a length limit and every error is a
translatable message, so a rejected submission gets a clear answer in the visitor's language."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from consents.models import ConsentText
from serop.abuse import HoneypotForm
from serop.choices import Language
from serop.validators import normalize_phone, validate_phone

from ..models import ContactEnquiry

EMAIL_MAX = 254  # RFC 5321's limit on a forward path; the model's EmailField
NAME_MAX = ContactEnquiry._meta.get_field("name").max_length or 200
PHONE_MAX = 32
MESSAGE_MAX = 5000
# serop/validators.py's message (the same msgid, translated once).
PHONE_ERROR = _(
    "Enter a Danish phone number of 8 digits, or an international number starting with +."
)


def page_language() -> str:
    """The language of the page the form was sent from (the URL's prefix): the person's."""
    language = (translation.get_language() or "").split("-")[0]
    return language if language in Language.values else Language.DANISH.value


class NewsletterSignupForm(HoneypotForm):
    """The consent text shown is the form's checkbox label; its id travels in a hidden input
    the template writes (``text_version``), read by the view, not by this form."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=EMAIL_MAX,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Tick the box to agree to receiving the newsletter.")},
    )

    def __init__(self, *args: Any, consent_text: ConsentText, language: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_text.text(language)


class ContactForm(HoneypotForm):
    topics = forms.MultipleChoiceField(
        label=_("What is your enquiry about?"),
        choices=ContactEnquiry.Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one topic."),
            "invalid_choice": _("Choose topics from the list."),
            "invalid_list": _("Choose topics from the list."),
        },
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=EMAIL_MAX,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=PHONE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    message = forms.CharField(
        label=_("Message (optional)"),
        max_length=MESSAGE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean_phone(self) -> str:
        value: str = self.cleaned_data["phone"]
        if not value:
            return ""
        compact = normalize_phone(value)
        # validate_phone's \d also matches other scripts' digits; a number is ASCII digits.
        if not compact.isascii():
            raise ValidationError(PHONE_ERROR, code="phone")
        validate_phone(compact)
        return compact
