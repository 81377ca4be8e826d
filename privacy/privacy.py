"""What the privacy app itself holds about people: the accountability records (GDPR Art. 5(2)).

Data-protection requests are about the person who made them (``Subject.REQUESTER``): a request
is its own person record (``person=""``), so the DPO's person search finds a requester's earlier
requests by email, their access export lists them, and the retention engine leaves a tombstone
when one is deleted. The request's matches, notices and answers belong to it
(``person="request"``). A request documents how SEROP met its obligations, so it is kept under
its own rule (``subject_request``, Art. 6(1)(c)) and an erasure request does not delete it
(``privacy.erasure.LEGAL_OBLIGATIONS``).

The breach register and the privacy-notice archive describe events and texts, not people; the
personal data they hold is about SEROP's staff who handled them (``person`` leads to that staff
member, so a deleted entry is not mistaken for a deleted person).
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

from .models import (
    AuditEntry,
    Breach,
    HoldingSnapshot,
    PrivacyNoticeVersion,
    Processor,
    RecipientNotice,
    RequestExport,
    RequestMatch,
    SensitiveData,
    SubjectRequest,
)

REQUEST = "subject_request"
BREACH = "breach_record"
MAIL = ("microsoft",)  # requests arrive and are answered by email (Microsoft 365)
STATE = NotPersonal("processing state of the record")


def handled(
    category: C,
    *,
    retention: str = REQUEST,
    source: Source = Source.SUBJECT,
    processors: tuple[str, ...] = MAIL,
    subject: Subject | None = None,
) -> PersonalData:
    """A value of a data-protection request: processed to answer it (Art. 12-22, a legal
    obligation) and kept afterwards to document the answer for the limitation period."""
    return PersonalData(
        category,
        purposes=(P.DATA_PROTECTION,),
        basis=(B.ART6_1C,),
        retention=retention,
        source=source,
        processors=processors,
        subject=subject,
    )


def staff(
    *, retention: str = REQUEST, purposes: tuple[P, ...] = (P.DATA_PROTECTION, P.SECURITY_AUDIT)
) -> PersonalData:
    """Which SEROP staff member did something: accountability for who handled what."""
    return PersonalData(
        C.TECHNICAL,
        purposes=purposes,
        basis=(B.ART6_1C, B.ART6_1F),
        retention=retention,
        source=Source.SYSTEM,
        subject=Subject.STAFF,
    )


register(
    SubjectRequest,
    subject=Subject.REQUESTER,
    fields={
        "id": NOT_PERSONAL,
        "reference": handled(C.TECHNICAL, source=Source.SYSTEM, processors=()),
        "kind": handled(C.TECHNICAL),
        "channel": handled(C.TECHNICAL),
        "received_at": handled(C.TECHNICAL, source=Source.SYSTEM),
        "requester_name": handled(C.IDENTITY),
        "requester_email": handled(C.CONTACT),
        "requester_phone": handled(C.CONTACT),
        # What the person wrote: may hold their address or anything else they chose to give.
        "requester_details": handled(C.FREE_TEXT),
        "language": handled(C.CONTACT),
        "verification_method": handled(C.ID_DOCUMENT, source=Source.SEROP),
        "verified_by": staff(),
        "verified_at": handled(C.TECHNICAL, source=Source.SYSTEM),
        "handler": staff(),
        "status": STATE,
        "due_on": handled(C.TECHNICAL, source=Source.SYSTEM, processors=()),
        "extended_to": handled(C.TECHNICAL, source=Source.SEROP),
        "extension_reason": handled(C.FREE_TEXT, source=Source.SEROP),
        "extension_notified_at": handled(C.TECHNICAL, source=Source.SYSTEM),
        "outcome": handled(C.FREE_TEXT, source=Source.SEROP),
        "closed_at": handled(C.TECHNICAL, source=Source.SYSTEM),
        "created_at": handled(C.TECHNICAL, source=Source.SYSTEM, processors=()),
    },
)

# The records found for the request: the label names the person ("Mette Jensen <mette@...>").
register(
    RequestMatch,
    subject=Subject.REQUESTER,
    person="request",
    fields={
        "id": NOT_PERSONAL,
        "request": NOT_PERSONAL,
        "content_type": handled(C.TECHNICAL, source=Source.SYSTEM, processors=()),
        "object_id": handled(C.TECHNICAL, source=Source.SYSTEM, processors=()),
        "label": handled(C.IDENTITY, source=Source.SYSTEM, processors=()),
        "confirmed": handled(C.TECHNICAL, source=Source.SEROP, processors=()),
    },
)

# Art. 19: who was told of the person's erasure, rectification or restriction.
register(
    RecipientNotice,
    subject=Subject.REQUESTER,
    person="request",
    fields={
        "id": NOT_PERSONAL,
        "request": NOT_PERSONAL,
        "processor": handled(C.TECHNICAL, source=Source.SEROP),
        "company": handled(C.CUSTOMER_RELATIONSHIP, source=Source.SEROP),
        "notified_at": handled(C.TECHNICAL, source=Source.SEROP),
        "notified_by": staff(),
    },
)

# The answer itself: a zip of everything SEROP held about the person, or the decision letter.
# The file goes earlier, SUBJECT_EXPORT_DAYS after it was made (privacy/export_tasks.py); the
# row records that the answer was given, with the request.
register(
    RequestExport,
    subject=Subject.REQUESTER,
    person="request",
    fields={
        "id": NOT_PERSONAL,
        "request": NOT_PERSONAL,
        "kind": handled(C.TECHNICAL, source=Source.SYSTEM, processors=()),
        "file": handled(C.UPLOADED_FILE, source=Source.SYSTEM),
        "status": STATE,
        "progress": STATE,
        "error": NotPersonal("a technical error message, without data of the person"),
        "created_at": handled(C.TECHNICAL, source=Source.SYSTEM, processors=()),
        "expires_at": handled(C.TECHNICAL, source=Source.SYSTEM, processors=()),
        "created_by": staff(),
        "downloads": handled(C.TECHNICAL, source=Source.SYSTEM, processors=()),
    },
)

# The audit trail (Art. 5(2), 32): staff by id and username, people only by pseudonymous id.
AUDIT = "audit_trail"


def audited(category: C = C.TECHNICAL) -> PersonalData:
    return PersonalData(
        category,
        purposes=(P.SECURITY_AUDIT,),
        basis=(B.ART6_1C, B.ART6_1F),
        retention=AUDIT,
        source=Source.SYSTEM,
    )


register(
    AuditEntry,
    subject=Subject.STAFF,
    fields={
        "id": NOT_PERSONAL,
        "at": audited(),
        "actor_id": audited(),
        "actor_username": audited(C.IDENTITY),
        "ip_address": audited(),
        "action": audited(),
        "object_type": audited(),
        "object_id": audited(),
        # Who the entry is about: the pseudonymous id of a person of any group, never a name
        # (each group's ``public_id`` is declared in its own app).
        "subject_ref": audited(),
        "fields": audited(),
        # Old and new values of ordinary fields; confidential ones are recorded masked.
        "changes": audited(C.FREE_TEXT),
        "count": NotPersonal("a number of rows"),
        "detail": audited(),
    },
)

# Breach register (Art. 33(5)): it records the categories and numbers of people affected, never
# who they are; the people named are the staff who recorded and handled the breach, and what
# the free texts say about who did what at SEROP.


def documented(category: C = C.FREE_TEXT, *, source: Source = Source.SEROP) -> PersonalData:
    return PersonalData(
        category,
        purposes=(P.DATA_PROTECTION,),
        basis=(B.ART6_1C,),
        retention=BREACH,
        source=source,
        subject=Subject.STAFF,
    )


BREACH_TEXTS = (
    "title",
    "description",
    "discovery",
    "estimate_note",
    "consequences",
    "measures_taken",
    "measures_proposed",
    "cross_border_details",
    "authority_reason",
    "late_reason",
    "subjects_reason",
    "subjects_notification_method",
)
BREACH_FACTS = (
    "reference",
    "occurred_from",
    "occurred_until",
    "aware_at",
    "confidentiality",
    "integrity",
    "availability",
    "data_categories",
    "subject_types",
    "people_computed",
    "records_computed",
    "counts_detail",
    "counted_at",
    "people_estimate",
    "records_estimate",
    "cross_border",
    "authority_decision",
    "authority_decided_at",
    "authority_notified_at",
    "authority_reference",
    "subjects_decision",
    "subjects_notified_at",
    "status",
    "closed_at",
    "created_at",
    "reminded_24h_at",
    "reminded_48h_at",
    "reminded_overdue_at",
)
register(
    Breach,
    subject=Subject.STAFF,
    person="handler",
    fields={
        "id": NOT_PERSONAL,
        **{name: documented() for name in BREACH_TEXTS},
        **{name: NotPersonal("a fact of the breach, not of a person") for name in BREACH_FACTS},
        "handler": staff(retention=BREACH),
        "created_by": staff(retention=BREACH),
    },
)

register_non_personal(
    HoldingSnapshot, reason="counts of people and records per category, no one in particular"
)
register_non_personal(
    Processor,
    reason="the processor register names companies and their contracts; no contact persons",
)
register_non_personal(SensitiveData, reason="carries permissions only; it has no table")

# The archive of published privacy notices: the texts are the same for everyone; who published
# a version is recorded for accountability.
register(
    PrivacyNoticeVersion,
    subject=Subject.STAFF,
    person="published_by",
    fields={
        "id": NOT_PERSONAL,
        "version": NOT_PERSONAL,
        "content_da": NotPersonal("the public text of the notice"),
        "content_en": NotPersonal("the public text of the notice"),
        "published_at": NOT_PERSONAL,
        "published_by": staff(
            retention="privacy_notice_version", purposes=(P.DATA_PROTECTION, P.SECURITY_AUDIT)
        ),
        "is_current": STATE,
        "archived_at": NOT_PERSONAL,
    },
)
