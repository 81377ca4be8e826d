"""What the Vikar- & CV-bank holds about candidates and applicants (policy §9), and why."""

from consents.purposes import ConsentPurpose as Consent
from privacy.registry import (
    NOT_PERSONAL,
    PersonalData,
    person_record_fields,
    register,
    register_non_personal,
)
from privacy.taxonomy import Category as C
from privacy.taxonomy import LegalBasis as B
from privacy.taxonomy import Purpose as P
from privacy.taxonomy import Sensitivity, Source, Subject

from .models import (
    ActivityEvent,
    Application,
    Area,
    Candidate,
    CandidateDocument,
    CandidateReference,
    CourseOrTest,
    Disclosure,
    Education,
    Experience,
    JobPosting,
    JobPreference,
    JobType,
    LanguageSkill,
    NextOfKin,
    PostingChannel,
    StaffNote,
)

CV_BANK = "cv_bank_inactivity"
WEB = ("simply",)  # entered on serop.dk, hosted by Simply.com (unoeuro)
WEB_AND_MAIL = ("simply", "microsoft")
CV_PURPOSES = (P.CV_BANK, P.RECRUITMENT, P.TEMP_STAFFING)


def cv(
    category: C,
    *,
    consent: str | None = Consent.CV_BANK,
    source: Source = Source.SUBJECT,
    basis: tuple[B, ...] = (B.ART6_1A,),
    processors: tuple[str, ...] = WEB,
    sensitivity: Sensitivity | None = None,
    purposes: tuple[P, ...] = CV_PURPOSES,
    subject: Subject | None = None,
) -> PersonalData:
    """A CV-bank value: kept on consent (policy §9) until 12 months without activity."""
    return PersonalData(
        category,
        purposes=purposes,
        basis=basis,
        retention=CV_BANK,
        source=source,
        processors=processors,
        sensitivity=sensitivity,
        consent=consent,
        subject=subject,
    )


register_non_personal(JobType, reason="a list of job types to choose from")
register_non_personal(Area, reason="a list of geographical areas to choose from")

register(
    Candidate,
    subject=Subject.CANDIDATE,
    fields={
        **person_record_fields(CV_BANK),
        "id": NOT_PERSONAL,
        "status": NOT_PERSONAL,
        "channel": cv(C.TECHNICAL, source=Source.SYSTEM, processors=()),
        "first_name": cv(C.IDENTITY),
        "last_name": cv(C.IDENTITY),
        "email": cv(C.CONTACT, processors=WEB_AND_MAIL),
        "phone": cv(C.CONTACT),
        "language": cv(C.CONTACT),
        "street": cv(C.ADDRESS, consent=Consent.CANDIDATE_ADDRESS),
        "postcode": cv(C.ADDRESS, consent=Consent.CANDIDATE_ADDRESS),
        "city": cv(C.ADDRESS, consent=Consent.CANDIDATE_ADDRESS),
        "birth_date": cv(C.DEMOGRAPHIC, consent=Consent.CANDIDATE_BIRTH_DATE),
        "gender": cv(C.DEMOGRAPHIC, consent=Consent.CANDIDATE_BIRTH_DATE),
        "is_unemployed": cv(C.UNEMPLOYMENT_LEAVE),
        "unemployment_fund": cv(C.UNEMPLOYMENT_LEAVE),
        "leave_note": cv(C.UNEMPLOYMENT_LEAVE),
        # Databeskyttelsesloven §8 with explicit consent; asked only where the job requires it.
        "criminal_record_status": cv(
            C.CRIMINAL_RECORD,
            consent=Consent.CANDIDATE_CRIMINAL_RECORD,
            basis=(B.ART6_1A, B.DBL_8),
            processors=(),
        ),
        "criminal_record_seen_on": cv(
            C.CRIMINAL_RECORD,
            consent=Consent.CANDIDATE_CRIMINAL_RECORD,
            basis=(B.ART6_1A, B.DBL_8),
            source=Source.SEROP,
            processors=(),
        ),
        "criminal_record_relevance": cv(
            C.CRIMINAL_RECORD,
            consent=Consent.CANDIDATE_CRIMINAL_RECORD,
            basis=(B.ART6_1A, B.DBL_8),
            source=Source.SEROP,
            processors=(),
        ),
        "email_confirmed_at": cv(C.TECHNICAL, source=Source.SYSTEM),
        "self_service_login_at": cv(C.TECHNICAL, source=Source.SYSTEM),
        "created_at": cv(C.TECHNICAL, source=Source.SYSTEM),
        "updated_at": cv(C.TECHNICAL, source=Source.SYSTEM),
        "last_activity_at": cv(C.TECHNICAL, source=Source.SYSTEM),
    },
)

register(
    JobPreference,
    subject=Subject.CANDIDATE,
    person="candidate",
    fields={
        "id": NOT_PERSONAL,
        "candidate": NOT_PERSONAL,
        "job_types": cv(C.JOB_PREFERENCES),
        "areas": cv(C.JOB_PREFERENCES),
        "wants_permanent": cv(C.JOB_PREFERENCES),
        "wants_temp": cv(C.JOB_PREFERENCES),
        "wants_consultant": cv(C.JOB_PREFERENCES),
        "duration": cv(C.JOB_PREFERENCES),
        "hours": cv(C.JOB_PREFERENCES),
        "available_from": cv(C.JOB_PREFERENCES),
        "notes": cv(C.FREE_TEXT),
    },
)

register(
    CandidateDocument,
    subject=Subject.CANDIDATE,
    person="candidate",
    fields={
        "id": NOT_PERSONAL,
        "candidate": NOT_PERSONAL,
        "kind": NOT_PERSONAL,
        # Photo and video are voluntary and need their own consent; the documents service
        # checks the consent of the document's kind before storing it.
        "file": cv(C.UPLOADED_FILE, processors=WEB_AND_MAIL),
        "original_name": cv(C.UPLOADED_FILE),
        "content_type": NOT_PERSONAL,
        "size": NOT_PERSONAL,
        "uploaded_at": cv(C.TECHNICAL, source=Source.SYSTEM),
    },
)

register(
    Education,
    subject=Subject.CANDIDATE,
    person="candidate",
    fields={
        "id": NOT_PERSONAL,
        "candidate": NOT_PERSONAL,
        **{
            name: cv(C.EDUCATION_SKILLS, consent=Consent.CANDIDATE_EDUCATION)
            for name in ("institution", "title", "started_on", "ended_on")
        },
    },
)

register(
    Experience,
    subject=Subject.CANDIDATE,
    person="candidate",
    fields={
        "id": NOT_PERSONAL,
        "candidate": NOT_PERSONAL,
        **{
            name: cv(C.EDUCATION_SKILLS, consent=Consent.CANDIDATE_EDUCATION)
            for name in ("kind", "employer", "title", "started_on", "ended_on")
        },
        "description": cv(C.FREE_TEXT, consent=Consent.CANDIDATE_EDUCATION),
    },
)

register(
    LanguageSkill,
    subject=Subject.CANDIDATE,
    person="candidate",
    fields={
        "id": NOT_PERSONAL,
        "candidate": NOT_PERSONAL,
        "language": cv(C.EDUCATION_SKILLS, consent=Consent.CANDIDATE_LANGUAGES),
        "level": cv(C.EDUCATION_SKILLS, consent=Consent.CANDIDATE_LANGUAGES),
    },
)

register(
    CourseOrTest,
    subject=Subject.CANDIDATE,
    person="candidate",
    fields={
        "id": NOT_PERSONAL,
        "candidate": NOT_PERSONAL,
        **{
            name: cv(C.ASSESSMENT, consent=Consent.CANDIDATE_EDUCATION)
            for name in ("kind", "name", "provider", "completed_on", "via_serop")
        },
        # Test results may come from SEROP's own assessment (policy §9).
        "result": cv(C.ASSESSMENT, consent=Consent.CANDIDATE_EDUCATION, source=Source.SEROP),
    },
)

# Referees are people too: their contact details serve the candidate's reference check.
register(
    CandidateReference,
    subject=Subject.CANDIDATE,
    person="candidate",
    fields={
        "id": NOT_PERSONAL,
        "candidate": NOT_PERSONAL,
        **{
            name: cv(C.ASSESSMENT, subject=Subject.RELATED_PERSON, basis=(B.ART6_1A, B.ART6_1F))
            for name in ("name", "company", "relation", "phone", "email")
        },
        "statement": cv(C.ASSESSMENT, source=Source.THIRD_PARTY, processors=("microsoft",)),
        "checked_on": cv(C.ASSESSMENT, source=Source.SEROP, processors=()),
    },
)

register(
    NextOfKin,
    subject=Subject.CANDIDATE,
    person="candidate",
    fields={
        "id": NOT_PERSONAL,
        "candidate": NOT_PERSONAL,
        **{
            name: cv(C.NEXT_OF_KIN, subject=Subject.RELATED_PERSON, basis=(B.ART6_1A, B.ART6_1F))
            for name in ("name", "relation", "phone", "email")
        },
    },
)

register(
    StaffNote,
    subject=Subject.CANDIDATE,
    person="candidate",
    fields={
        "id": NOT_PERSONAL,
        "candidate": NOT_PERSONAL,
        "author": cv(
            C.TECHNICAL,
            subject=Subject.STAFF,
            source=Source.SYSTEM,
            basis=(B.ART6_1F,),
            purposes=(P.SECURITY_AUDIT,),
            processors=(),
            consent=None,
        ),
        "text": cv(
            C.FREE_TEXT, source=Source.SEROP, basis=(B.ART6_1F,), processors=(), consent=None
        ),
        "created_at": cv(C.TECHNICAL, source=Source.SYSTEM, processors=(), consent=None),
    },
)

register(
    ActivityEvent,
    subject=Subject.CANDIDATE,
    person="candidate",
    fields={
        "id": NOT_PERSONAL,
        "candidate": NOT_PERSONAL,
        "kind": cv(C.TECHNICAL, source=Source.SYSTEM, basis=(B.ART6_1F,), consent=None),
        "occurred_at": cv(C.TECHNICAL, source=Source.SYSTEM, basis=(B.ART6_1F,), consent=None),
        "actor": cv(
            C.TECHNICAL,
            subject=Subject.STAFF,
            source=Source.SYSTEM,
            basis=(B.ART6_1F,),
            purposes=(P.SECURITY_AUDIT,),
            processors=(),
            consent=None,
        ),
    },
)

register_non_personal(JobPosting, reason="a job posting describes the job, not a person")
register_non_personal(PostingChannel, reason="where a job posting was published")

# Applications to a posting: steps before a contract (Art. 6(1)(b)); the applicant need not be
# in the CV bank, so these have their own rule: 6 months after the posting closed.
APPLICATION = "application_posting_closed"
POSTING_CHANNELS = ("simply", "microsoft", "jobindex", "facebook", "linkedin")


def applied(category: C, *, source: Source = Source.SUBJECT) -> PersonalData:
    return PersonalData(
        category,
        purposes=(P.RECRUITMENT,),
        basis=(B.ART6_1B,),
        retention=APPLICATION,
        source=source,
        processors=POSTING_CHANNELS,
    )


register(
    Application,
    subject=Subject.APPLICANT,
    person="",
    fields={
        "id": NOT_PERSONAL,
        "posting": applied(C.EMPLOYMENT, source=Source.SYSTEM),
        "candidate": NOT_PERSONAL,
        "channel": applied(C.TECHNICAL, source=Source.SYSTEM),
        "first_name": applied(C.IDENTITY),
        "last_name": applied(C.IDENTITY),
        "email": applied(C.CONTACT),
        "phone": applied(C.CONTACT),
        "message": applied(C.FREE_TEXT),
        "cv": applied(C.UPLOADED_FILE),
        "application_letter": applied(C.UPLOADED_FILE),
        "status": applied(C.ASSESSMENT, source=Source.SEROP),
        "received_at": applied(C.TECHNICAL, source=Source.SYSTEM),
    },
)

# Disclosures document a recipient (Art. 15(1)(c)); they live as long as the profile.
register(
    Disclosure,
    subject=Subject.CANDIDATE,
    person="candidate",
    fields={
        "id": NOT_PERSONAL,
        "candidate": NOT_PERSONAL,
        **{
            name: cv(
                C.EMPLOYMENT,
                source=Source.SEROP,
                basis=(B.ART6_1A, B.ART6_1F),
                processors=("microsoft",),
            )
            for name in (
                "company",
                "contact",
                "posting",
                "documents",
                "method",
                "note",
                "disclosed_at",
            )
        },
        "disclosed_by": cv(
            C.TECHNICAL,
            subject=Subject.STAFF,
            source=Source.SYSTEM,
            basis=(B.ART6_1F,),
            purposes=(P.SECURITY_AUDIT,),
            processors=(),
            consent=None,
        ),
    },
)
