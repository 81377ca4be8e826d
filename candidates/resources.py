"""Import and export of CV-bank profiles (the admin's candidate list, privacy/import_export.py).

A row is one candidate, found by email address regardless of case (the unique constraint is on
``Lower(email)``): an existing candidate is updated, an unknown address creates one. Large files
are the rule here (a whole CV bank moved in at once), so rows are written in bulk.
"""

from typing import Any

from django.utils import timezone

from privacy.import_export import PersonalDataResource

from .models import Candidate


class CandidateResource(PersonalDataResource):
    # The retention clock and the record's timestamps belong to the system: exported, never
    # imported. Staff cannot keep a profile alive by writing a date into a file.
    export_only = ("email_confirmed_at", "last_activity_at", "created_at", "updated_at")
    case_insensitive_id = True
    # The only unique value a row brings is its email address: the instance loader finds
    # existing ones (case-insensitively) and the base class refuses repeats within the file;
    # public_id is a fresh uuid4. Per-row unique queries would only double the import's time,
    # and the database constraint still stands behind it (a violation rolls everything back).
    per_row_unique_checks = False

    class Meta:
        model = Candidate
        fields = (
            "email",
            "first_name",
            "last_name",
            "phone",
            "language",
            "street",
            "postcode",
            "city",
            "birth_date",
            "gender",
            "is_unemployed",
            "unemployment_fund",
            "leave_note",
            "criminal_record_status",
            "criminal_record_seen_on",
            "criminal_record_relevance",
            "status",
            "channel",
            "email_confirmed_at",
            "last_activity_at",
            "created_at",
            "updated_at",
        )
        import_id_fields = ["email"]
        use_bulk = True
        batch_size = 2000

    def after_init_instance(self, instance: Any, new: bool, row: Any, **kwargs: Any) -> None:
        super().after_init_instance(instance, new, row, **kwargs)
        if new:
            # Being registered starts the CV-bank retention clock, as when staff add a
            # candidate in the admin. An import is a staff action, not activity of the
            # candidate (candidates/activity.py): an existing candidate's clock is left alone.
            instance.last_activity_at = timezone.now()
            instance.channel = Candidate.Channel.STAFF  # unless the file says otherwise

    def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        super().before_save_instance(instance, row, **kwargs)
        instance.updated_at = timezone.now()  # bulk_update does not run auto_now

    def get_bulk_update_fields(self) -> list[str]:
        # What the file brought, nothing else (the import id is the row's key, not a change).
        id_fields = set(self.get_import_id_fields())
        names = [n for n in self.imported_fields if n not in id_fields]
        return [*names, "updated_at"]
