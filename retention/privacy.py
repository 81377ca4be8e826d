"""What the retention app holds about people: legal holds, the record of each run and the proof
of each deletion (GDPR Art. 5(2)), and the notices sent before a CV-bank profile is deleted.

None of these rows is a person. A hold, a run and a tombstone name the person they concern only
by a pseudonymous id; the people they name directly are the staff who placed a hold or started a
run (``person`` leads to that staff member where there is one). Each is kept under its own rule
(retention/accountability.py applies them).
"""

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

from .models import DeletionNotice, LegalHold, RetentionBatch, RetentionRun, Tombstone

HOLD = "legal_hold"
RECORD = "retention_record"
NOTICE = "deletion_notice"


def held(category: C, *, source: Source = Source.SEROP) -> PersonalData:
    """A legal hold keeps data SEROP needs for a complaint, a dispute or an authority's request
    (legal claims, Art. 17(3)(e)); it is documented as long as its outcome can be challenged."""
    return PersonalData(
        category,
        purposes=(P.DATA_PROTECTION,),
        basis=(B.ART6_1C, B.ART6_1F),
        retention=HOLD,
        source=source,
    )


def accountable(retention: str) -> PersonalData:
    """Which staff member did something: accountability for who handled what."""
    return PersonalData(
        C.TECHNICAL,
        purposes=(P.DATA_PROTECTION, P.SECURITY_AUDIT),
        basis=(B.ART6_1C, B.ART6_1F),
        retention=retention,
        source=Source.SYSTEM,
        subject=Subject.STAFF,
    )


def proof(category: C = C.TECHNICAL) -> PersonalData:
    """The proof that retention ran and what it deleted (Art. 5(1)(e), 5(2))."""
    return PersonalData(
        category,
        purposes=(P.DATA_PROTECTION,),
        basis=(B.ART6_1C,),
        retention=RECORD,
        source=Source.SYSTEM,
    )


register(
    LegalHold,
    subject=Subject.STAFF,
    person="owner",
    fields={
        "id": NOT_PERSONAL,
        # Who or what is held: a pseudonymous id, or a record's type and id; never a name.
        "subject_ref": held(C.TECHNICAL),
        "content_type": held(C.TECHNICAL),
        "object_id": held(C.TECHNICAL),
        # Why: may name a complaint, a dispute or a case at an authority.
        "reason": held(C.FREE_TEXT),
        "owner": accountable(HOLD),
        "created_at": NotPersonal("when the hold was placed, a fact of the hold"),
        "ends_on": NotPersonal("when the hold ends, a fact of the hold"),
        "lifted_at": NotPersonal("when the hold was lifted, a fact of the hold"),
    },
)

register(
    RetentionRun,
    subject=Subject.STAFF,
    fields={
        "id": NOT_PERSONAL,
        "rule": NOT_PERSONAL,
        "as_of": NOT_PERSONAL,
        "dry_run": NOT_PERSONAL,
        "status": NOT_PERSONAL,
        "started_at": NOT_PERSONAL,
        "finished_at": NOT_PERSONAL,
        "expected": NotPersonal("a number of rows"),
        "processed": NotPersonal("a number of rows"),
        "counts": NotPersonal("numbers of rows per record type"),
        "files_removed": NotPersonal("a number of files"),
        "errors": NotPersonal("technical errors, with record ids but no values"),
        # The staff member who started a run by hand ("" or the scheduler's name otherwise).
        "triggered_by": accountable(RECORD),
    },
)

register_non_personal(
    RetentionBatch, reason="a range of record ids and the worker that processed it"
)

register(
    Tombstone,
    # Any group of people: the id is the pseudonymous public id of whoever was deleted.
    subject=Subject.STAFF,
    person="run",
    fields={
        "id": NOT_PERSONAL,
        "subject_ref": proof(),
        "model": NotPersonal("the type of record deleted"),
        "rule": NotPersonal("the rule that deleted it"),
        "deleted_at": NotPersonal("when, a fact of the deletion"),
        "run": NOT_PERSONAL,
    },
)


def noticed(category: C, *, source: Source = Source.SYSTEM) -> PersonalData:
    """The notice is how SEROP keeps its promise to tell a candidate before their profile goes
    (policy §13); it is kept as proof that it was sent, and of a choice to keep the profile."""
    return PersonalData(
        category,
        purposes=(P.CV_BANK, P.CONSENT_PROOF),
        basis=(B.ART6_1F,),
        retention=NOTICE,
        source=source,
        processors=("microsoft",),
    )


register(
    DeletionNotice,
    subject=Subject.CANDIDATE,
    person="candidate",
    fields={
        "id": NOT_PERSONAL,
        "candidate": NOT_PERSONAL,
        # The secret of the link in the email: never shown, exported or logged.
        "token_id": NotPersonal("a random secret of the link, not shown anywhere"),
        "expires_on": noticed(C.TECHNICAL),
        "sent_at": noticed(C.CONTACT),
        "language": noticed(C.CONTACT),
        "used_at": noticed(C.CONSENT, source=Source.SUBJECT),
    },
)
