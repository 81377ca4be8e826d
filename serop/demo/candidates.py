"""Demo Vikar- & CV-bank (policy §9): candidates with everything a profile can hold, their
history, job postings with applications, and disclosures of CVs to customers.

Voluntary data is only filled in where the candidate gave the consent it depends on (the
consent records are queued on the context). ``last_activity_at`` spreads over about 14 months,
so some profiles are past the 12-month clean-up: the retention demo has something to find.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import models

from candidates.activity import ActivityKind
from candidates.models import (
    ActivityEvent,
    Area,
    Candidate,
    CandidateDocument,
    CandidateReference,
    CourseOrTest,
    Education,
    Experience,
    JobPreference,
    JobType,
    LanguageSkill,
    NextOfKin,
    StaffNote,
)
from privacy.roles import Role
from serop.choices import Gender, Language

from . import files, pools
from .context import DemoContext, PendingConsent, Person, backdate, number_base
from .customers import RESTRICTION_REASON

C = Candidate
Rows = dict[type[models.Model], list[Any]]
DOC = CandidateDocument.Kind
CONTENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".gif": "image/gif"}


@dataclass
class Profile:
    """A candidate being built, with what its children need to know."""

    candidate: Candidate
    person: Person
    created: datetime
    consents: set[str] = field(default_factory=set)
    withdrawn: set[str] = field(default_factory=set)
    # Rows with the past moment they happened at (auto_now_add fields, set afterwards).
    documents: list[tuple[CandidateDocument, datetime]] = field(default_factory=list)
    notes: list[tuple[StaffNote, datetime]] = field(default_factory=list)
    job_types: list[JobType] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    preference: JobPreference | None = None


def _candidate(ctx: DemoContext, i: int, number: int) -> Profile:
    person = ctx.person()
    # Every 7th profile has been idle for more than 12 months: due for the annual clean-up.
    last_activity = ctx.days_ago(370, 425) if i % 7 == 3 else ctx.days_ago(0.5, 425)
    pending = i % 10 == 9
    # Confirmation follows signup within hours, and is itself activity: at least a day apart.
    created = last_activity - timedelta(days=0 if pending else ctx.rng.uniform(1, 3 * 365))
    candidate = C(
        status=C.Status.PENDING if pending else C.Status.ACTIVE,
        channel=ctx.pick(C.Channel.values),
        first_name=person.first_name,
        last_name=person.last_name,
        email=ctx.email(person, number),
        phone=ctx.phone(),
        language=Language.ENGLISH if i % 8 == 5 else Language.DANISH,
        is_unemployed=ctx.pick((True, False, None)),
        email_confirmed_at=None
        if pending
        else created + timedelta(minutes=ctx.rng.randint(1, 300)),
        last_activity_at=last_activity,
        # Every 4th confirmed candidate last signed in to the personal data page.
        self_service_login_at=None if pending or i % 4 else last_activity,
    )
    profile = Profile(candidate, person, created, consents={"cv_bank"})
    if candidate.is_unemployed or ctx.chance(0.3):
        candidate.unemployment_fund = ctx.pick(pools.UNEMPLOYMENT_FUNDS)
    if ctx.chance(0.15):
        candidate.leave_note = ctx.pick(pools.LEAVE_NOTES)
    if not pending and ctx.chance(0.7):
        candidate.street, candidate.postcode, candidate.city = ctx.address()
        profile.consents.add("candidate_address")
    if not pending and ctx.chance(0.6):
        candidate.birth_date = ctx.birth_date(18, 62)
        candidate.gender = (
            (Gender.FEMALE if person.female else Gender.MALE)
            if ctx.chance(0.9)
            else ctx.pick((Gender.OTHER, Gender.UNSPECIFIED))
        )
        profile.consents.add("candidate_birth_date")
    if not pending and i % 9 == 2:
        candidate.criminal_record_status = (
            C.CriminalRecordStatus.SEEN_ENTRIES if i == 20 else C.CriminalRecordStatus.SEEN_CLEAN
        )
        seen_on = ctx.date_between(created.date(), last_activity.date())
        candidate.criminal_record_seen_on = seen_on  # type: ignore[assignment]  # encrypted date
        candidate.criminal_record_relevance = ctx.pick(pools.CRIMINAL_RECORD_RELEVANCE)
        profile.consents.add("candidate_criminal_record")
    if i == 4:  # one restricted profile, for the DPO's view
        candidate.is_restricted = True
        candidate.restricted_at = ctx.days_ago(1, 30)
        candidate.restriction_reason = RESTRICTION_REASON
    return profile


def _documents(ctx: DemoContext, profile: Profile) -> None:
    c, created = profile.candidate, profile.created
    wanted: list[tuple[str, str]] = []
    if ctx.chance(0.85):
        wanted.append((DOC.CV, "CV.pdf"))
    if ctx.chance(0.3):
        wanted.append((DOC.APPLICATION, "Ansoegning.pdf"))
    if ctx.chance(0.2):
        wanted.append((DOC.CERTIFICATE, "Eksamensbevis.pdf"))
    if c.status == C.Status.ACTIVE and ctx.chance(0.25):
        wanted.append((DOC.PHOTO, "pasfoto.jpg"))
        profile.consents.add("candidate_photo")
    if c.status == C.Status.ACTIVE and ctx.chance(0.12):
        wanted.append((DOC.VIDEO, "videopraesentation.gif"))
        profile.consents.add("candidate_video")
    elif c.status == C.Status.ACTIVE and ctx.chance(0.1):
        profile.withdrawn.add("candidate_video")  # gave it once, then withdrew it
    file_field = CandidateDocument._meta.get_field("file")
    for kind, original in wanted:
        if kind == DOC.PHOTO:
            content = files.image((90, 120), (90, 110, 140), fmt="JPEG")
        elif kind == DOC.VIDEO:
            content = files.animation()
        else:
            titles: dict[str, str] = {DOC.CV: "Curriculum vitae", DOC.APPLICATION: "Ansøgning"}
            title = titles.get(kind, "Bevis")
            content = files.pdf([title, profile.person.name, c.email, c.phone])
        document = CandidateDocument(
            candidate=c,
            kind=kind,
            file=files.store(file_field, original, content),
            original_name=original,
            content_type=CONTENT_TYPES[original[original.rindex(".") :]],
            size=len(content),
        )
        profile.documents.append((document, ctx.between(created, c.last_activity_at)))


def _children(ctx: DemoContext, profile: Profile, rows: Rows) -> None:
    c = profile.candidate
    created = profile.created
    today = ctx.today
    preference = JobPreference(
        candidate=c,
        wants_permanent=ctx.chance(0.5),
        wants_temp=ctx.chance(0.8),
        wants_consultant=ctx.chance(0.2),
        duration=ctx.pick(JobPreference.Duration.values),
        hours=ctx.pick(JobPreference.Hours.values),
        available_from=ctx.date_between(today, today + timedelta(days=60))
        if ctx.chance(0.5)
        else None,
        notes=ctx.pick(pools.PREFERENCE_NOTES) if ctx.chance(0.5) else "",
    )
    profile.preference = preference
    profile.job_types = ctx.rng.sample(ctx.job_types, ctx.rng.randint(1, 3))
    profile.areas = ctx.rng.sample(ctx.areas, ctx.rng.randint(1, 2))
    rows[JobPreference].append(preference)
    if c.status != C.Status.ACTIVE:
        return
    if ctx.chance(0.8):
        profile.consents.add("candidate_education")
        for institution, title in ctx.rng.sample(pools.EDUCATIONS, ctx.rng.randint(1, 2)):
            ended = today.replace(year=today.year - ctx.rng.randint(1, 25), month=6, day=30)
            started = ended.replace(year=ended.year - ctx.rng.randint(1, 4), month=8, day=1)
            rows[Education].append(
                Education(
                    candidate=c,
                    institution=institution,
                    title=title,
                    started_on=started,
                    ended_on=ended if ctx.chance(0.9) else None,
                )
            )
        for j in range(ctx.rng.randint(1, 3)):
            started = ctx.date_between(today - timedelta(days=12 * 365), today - timedelta(days=90))
            rows[Experience].append(
                Experience(
                    candidate=c,
                    kind=Experience.Kind.INTERNSHIP if j == 2 else Experience.Kind.JOB,
                    employer=ctx.pick(ctx.pools.companies),
                    title=ctx.pick(ctx.pools.jobs),
                    started_on=started,
                    ended_on=None
                    if j == 0 and ctx.chance(0.3)
                    else ctx.date_between(started, today),
                    description=ctx.pick(pools.EXPERIENCE_DESCRIPTIONS),
                )
            )
        if ctx.chance(0.5):
            for kind, name, provider in ctx.rng.sample(pools.COURSES, ctx.rng.randint(1, 2)):
                rows[CourseOrTest].append(
                    CourseOrTest(
                        candidate=c,
                        kind=kind,
                        name=name,
                        provider=provider,
                        completed_on=ctx.date_between(created.date() - timedelta(days=900), today),
                        result="Bestået" if kind != "test" else ctx.pick(("Over middel", "Middel")),
                        via_serop=provider == "SEROP ApS",
                    )
                )
    if ctx.chance(0.75):
        profile.consents.add("candidate_languages")
        spoken = ["Dansk", *ctx.rng.sample(pools.LANGUAGES[1:], ctx.rng.randint(0, 2))]
        for j, language in enumerate(spoken):
            level = "native" if j == 0 else ctx.pick(("basic", "good", "fluent"))
            rows[LanguageSkill].append(LanguageSkill(candidate=c, language=language, level=level))
    for _ in range(ctx.rng.randint(0, 2) if ctx.chance(0.4) else 0):
        referee = ctx.person()
        rows[CandidateReference].append(
            CandidateReference(
                candidate=c,
                name=referee.name,
                company=ctx.pick(ctx.pools.companies),
                relation=ctx.pick(pools.RELATIONS_REFERENCE),
                phone=ctx.phone(),
                email=ctx.email(referee, c.pk or 0),
                statement=ctx.pick(pools.REFERENCE_STATEMENTS),
                checked_on=ctx.date_between(created.date(), today) if ctx.chance(0.7) else None,
            )
        )
    if ctx.chance(0.3):
        kin = ctx.person()
        rows[NextOfKin].append(
            NextOfKin(
                candidate=c,
                name=kin.name,
                relation=ctx.pick(pools.RELATIONS_NEXT_OF_KIN),
                phone=ctx.phone(),
                email=ctx.email(kin, 1) if ctx.chance(0.5) else "",
            )
        )
    if ctx.chance(0.4):
        note = StaffNote(
            candidate=c, author=ctx.users[Role.RECRUITER], text=ctx.pick(pools.STAFF_NOTES)
        )
        rows[StaffNote].append(note)
        profile.notes.append((note, ctx.between(created, ctx.now)))


def _activity(ctx: DemoContext, profile: Profile, rows: Rows) -> None:
    """The profile's history. The last event that counts as activity happens exactly at
    ``last_activity_at``; recruiters' notes and disclosures do not count, and may be later."""
    c = profile.candidate
    created = profile.created
    recruiter = ctx.users[Role.RECRUITER]
    events: list[tuple[str, datetime, User | None]] = [(ActivityKind.SIGNUP, created, None)]
    if c.email_confirmed_at:
        events.append((ActivityKind.EMAIL_CONFIRMED, c.email_confirmed_at, None))
    for _, uploaded in profile.documents:
        events.append((ActivityKind.DOCUMENT_UPLOADED, uploaded, None))
    if c.status == C.Status.ACTIVE and c.last_activity_at > created:
        kind = ctx.pick(
            (
                ActivityKind.PROFILE_UPDATED,
                ActivityKind.SELF_SERVICE_LOGIN,
                ActivityKind.KEPT_PROFILE,
                ActivityKind.CONTACT_WITH_STAFF,
                ActivityKind.APPLIED,
                ActivityKind.CONSENT_CHANGED,
            )
        )
        if c.self_service_login_at:  # the sign-in is the last activity
            kind = ActivityKind.SELF_SERVICE_LOGIN
        actor = recruiter if kind == ActivityKind.CONTACT_WITH_STAFF else None
        events.append((kind, c.last_activity_at, actor))
    for _, written in profile.notes:
        events.append((ActivityKind.STAFF_NOTE, written, recruiter))
    rows[ActivityEvent].extend(
        ActivityEvent(candidate=c, kind=kind, occurred_at=at, actor=actor)
        for kind, at, actor in events
    )
    for purpose in profile.consents:
        ctx.consents.append(PendingConsent(purpose, created, candidate=c))
    for purpose in profile.withdrawn - profile.consents:
        ctx.consents.append(
            PendingConsent(
                purpose, created, candidate=c, withdrawn_at=ctx.between(created, c.last_activity_at)
            )
        )


def seed_candidates(ctx: DemoContext, count: int) -> list[Profile]:
    base = number_base(Candidate)
    profiles = [_candidate(ctx, i, base + i + 1) for i in range(count)]
    Candidate.objects.bulk_create([p.candidate for p in profiles])
    for profile in profiles:
        _documents(ctx, profile)
    documents = [d for p in profiles for d, _ in p.documents]
    CandidateDocument.objects.bulk_create(documents)
    rows: Rows = {model: [] for model in CHILD_MODELS}
    for profile in profiles:
        _children(ctx, profile, rows)
        _activity(ctx, profile, rows)
    for model in CHILD_MODELS:
        model._default_manager.bulk_create(rows[model])
        ctx.count(model._meta.label, len(rows[model]))
    JobTypes, Areas = JobPreference.job_types.through, JobPreference.areas.through
    JobTypes.objects.bulk_create(
        [JobTypes(jobpreference=p.preference, jobtype=t) for p in profiles for t in p.job_types]
    )
    Areas.objects.bulk_create(
        [Areas(jobpreference=p.preference, area=a) for p in profiles for a in p.areas]
    )
    backdate(
        Candidate,
        {
            p.candidate.pk: {
                "created_at": p.created,
                "updated_at": p.candidate.last_activity_at,
            }
            for p in profiles
        },
    )
    backdate(
        CandidateDocument,
        {d.pk: {"uploaded_at": at} for p in profiles for d, at in p.documents},
    )
    backdate(StaffNote, {n.pk: {"created_at": at} for p in profiles for n, at in p.notes})
    ctx.count("candidates.Candidate", len(profiles))
    ctx.count("candidates.CandidateDocument", len(documents))
    return profiles


CHILD_MODELS: tuple[type[models.Model], ...] = (
    JobPreference,
    Education,
    Experience,
    CourseOrTest,
    LanguageSkill,
    CandidateReference,
    NextOfKin,
    StaffNote,
    ActivityEvent,
)
