"""Consent records (GDPR Art. 7(1)): SEROP must be able to prove who consented to which text,
when and how, and when it was withdrawn. Keeping the proof is itself a legal obligation."""

from privacy.registry import (
    NOT_PERSONAL,
    NotPersonal,
    PersonalData,
    register,
    register_non_personal,
)
from privacy.taxonomy import Category as C
from privacy.taxonomy import LegalBasis as B
from privacy.taxonomy import Purpose as P
from privacy.taxonomy import Source, Subject

from .models import ConsentRecord, ConsentText

register_non_personal(ConsentText, reason="the versioned wording a person agrees to")


def proof(category: C) -> PersonalData:
    """Proof of a consent: kept while the processing it covers lasts, plus the 3-year
    limitation period, even after the person's own record is gone."""
    return PersonalData(
        category,
        purposes=(P.CONSENT_PROOF,),
        basis=(B.ART6_1C,),
        retention="consent_proof",
        source=Source.SYSTEM,
        processors=("simply", "microsoft"),  # given on serop.dk forms or by email
    )


# Newsletter subscribers' consents are recorded here too. The registry has one subject and one
# path to the person per model, so the model is declared for candidates, the larger group;
# ``subject_ref`` (the person's public id) links every record to its person, subscriber or not.
register(
    ConsentRecord,
    subject=Subject.CANDIDATE,
    person="candidate",
    fields={
        "id": NOT_PERSONAL,
        "candidate": NotPersonal("link to the person; subject_ref outlives it"),
        "subscriber": NotPersonal("link to the person; subject_ref outlives it"),
        "subject_ref": proof(C.TECHNICAL),
        "text": proof(C.CONSENT),
        "given_at": proof(C.CONSENT),
        "channel": proof(C.CONSENT),
        "ip_address": proof(C.TECHNICAL),
        "user_agent": proof(C.TECHNICAL),
        "withdrawn_at": proof(C.CONSENT),
        "withdrawal_channel": proof(C.CONSENT),
    },
)
