"""What counts as activity on a CV-bank profile: the one definition the retention clock reads.

Policy §13: a profile is active while there has been at least one registered activity in the
last 12 months. Activity is something the candidate does, or a contact between the candidate and
SEROP. Staff merely reading, annotating or disclosing a profile is not activity: otherwise
SEROP could keep a profile alive without the person ever hearing from it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    SIGNUP = "signup", _("Signed up")
    EMAIL_CONFIRMED = "email_confirmed", _("Confirmed email address")
    PROFILE_UPDATED = "profile_updated", _("Updated the profile")
    DOCUMENT_UPLOADED = "document_uploaded", _("Uploaded a document")
    SELF_SERVICE_LOGIN = "self_service_login", _("Opened the personal data page")
    DATA_EXPORTED = "data_exported", _("Downloaded their data")
    KEPT_PROFILE = "kept_profile", _("Asked to keep the profile")
    APPLIED = "applied", _("Applied for a job")
    CONSENT_CHANGED = "consent_changed", _("Gave or withdrew a consent")
    CONTACT_WITH_STAFF = "contact_with_staff", _("Was in contact with a recruiter")
    PLACED = "placed", _("Was placed in a job")
    # Recorded for the history, but not activity:
    STAFF_NOTE = "staff_note", _("A recruiter added a note")
    DISCLOSED = "disclosed", _("CV sent to a customer")


COUNTS_AS_ACTIVITY: frozenset[str] = frozenset(ActivityKind.values) - {
    ActivityKind.STAFF_NOTE,
    ActivityKind.DISCLOSED,
}


def counts_as_activity(kind: str) -> bool:
    return kind in COUNTS_AS_ACTIVITY
