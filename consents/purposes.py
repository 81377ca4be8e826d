"""What a person can consent to. Each key has versioned texts (``consents.ConsentText``) and is
named by registry declarations of the voluntary data that depends on it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentPurpose(models.TextChoices):
    CV_BANK = "cv_bank", _("Keeping my profile and CV in the Vikar- & CV-bank")
    NEWSLETTER = "newsletter", _("Receiving SEROP's newsletter")
    CANDIDATE_ADDRESS = "candidate_address", _("Storing my address")
    CANDIDATE_BIRTH_DATE = "candidate_birth_date", _("Storing my birth date and gender")
    CANDIDATE_EDUCATION = "candidate_education", _("Storing my education and experience")
    CANDIDATE_LANGUAGES = "candidate_languages", _("Storing my language skills")
    CANDIDATE_PHOTO = "candidate_photo", _("Storing my passport photo")
    CANDIDATE_VIDEO = "candidate_video", _("Storing my video introduction")
    CANDIDATE_CRIMINAL_RECORD = (
        "candidate_criminal_record",
        _("Recording that I have shown a criminal record certificate"),
    )
    REFERENCE_MARKETING = (
        "reference_marketing",
        _("Using our logo and comment as a reference in SEROP's marketing"),
    )
    PARTNER_MARKETING = "partner_marketing", _("Presenting us as a partner in SEROP's marketing")
