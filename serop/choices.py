"""Choices shared by several apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    DANISH = "da", _("Danish")
    ENGLISH = "en", _("English")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNSPECIFIED = "unspecified", _("Prefer not to say")


class EmploymentForm(models.TextChoices):
    PERMANENT = "permanent", _("Permanent position")
    TEMP = "temp", _("Temp (vikar)")
    CONSULTANT = "consultant", _("Consultant")


class PostingChannelKind(models.TextChoices):
    WEBSITE = "website", _("serop.dk")
    JOBINDEX = "jobindex", _("Jobindex")
    FACEBOOK = "facebook", _("Facebook")
    LINKEDIN = "linkedin", _("LinkedIn")
    EMAIL = "email", _("Email")
