"""Demo job postings for customers, where they were published, who applied (with files),
and disclosures of CVs to customers (policy §9; GDPR Art. 15(1)(c))."""

from datetime import timedelta

from candidates.activity import ActivityKind
from candidates.models import (
    ActivityEvent,
    Application,
    Candidate,
    CandidateDocument,
    Disclosure,
    JobPosting,
    PostingChannel,
)
from customers.models import Company
from privacy.roles import Role
from serop.choices import EmploymentForm, PostingChannelKind

from . import files, pools
from .candidates import DOC, Profile
from .context import DemoContext

C = Candidate


def seed_postings(
    ctx: DemoContext, companies: list[Company], profiles: list[Profile], count: int
) -> list[JobPosting]:
    """Job postings for customers, where they were published, and who applied. Some postings
    closed more than six months ago: their applications are due for deletion."""
    customers = [c for c in companies if c.status == Company.Status.ACTIVE]
    postings, channels, applications = [], [], []
    application_field = Application._meta.get_field("cv")
    active = [p for p in profiles if p.candidate.status == C.Status.ACTIVE]
    for i in range(count):
        company = ctx.pick(customers)
        opened = ctx.date_between(ctx.today - timedelta(days=700), ctx.today - timedelta(days=5))
        closed = None
        if i % 3 != 0:
            closed = min(opened + timedelta(days=ctx.rng.randint(14, 45)), ctx.today)
        title = ctx.pick(pools.JOB_TYPES)
        posting = JobPosting(
            company=company,
            title=f"{title} til {company.name}",
            description=f"Vi søger en {title.lower()} til vikariat hos vores kunde i "
            f"{company.city}. Start hurtigst muligt.",
            location=company.city,
            employment_form=ctx.pick(EmploymentForm.values),
            opened_on=opened,
            closed_on=closed,
        )
        postings.append(posting)
        kinds = [
            PostingChannelKind.WEBSITE,
            *ctx.rng.sample(
                [
                    PostingChannelKind.JOBINDEX,
                    PostingChannelKind.FACEBOOK,
                    PostingChannelKind.LINKEDIN,
                ],
                ctx.rng.randint(0, 3),
            ),
        ]
        for kind in kinds:
            url = {
                PostingChannelKind.WEBSITE: "https://serop.dk/job/{n}",
                PostingChannelKind.JOBINDEX: "https://www.jobindex.dk/vis-job/r{n}",
                PostingChannelKind.FACEBOOK: "https://www.facebook.com/serop.dk/posts/{n}",
                PostingChannelKind.LINKEDIN: "https://www.linkedin.com/jobs/view/{n}",
            }[kind].format(n=ctx.rng.randrange(10**6, 10**7))
            channels.append(
                PostingChannel(posting=posting, channel=kind, url=url, published_on=opened)
            )
        for j in range(ctx.rng.randint(1, 5)):
            profile = ctx.pick(active) if j == 0 and ctx.chance(0.6) else None
            person = profile.person if profile else ctx.person()
            received = ctx.at(ctx.date_between(opened, closed or ctx.today), ctx.rng.uniform(7, 22))
            letter = ""
            if ctx.chance(0.5):
                letter = files.store(
                    application_field,
                    "ansoegning.pdf",
                    files.pdf(["Ansøgning", posting.title, person.name]),
                )
            applications.append(
                Application(
                    posting=posting,
                    candidate=profile.candidate if profile else None,
                    channel=ctx.pick(kinds),
                    first_name=person.first_name,
                    last_name=person.last_name,
                    email=profile.candidate.email
                    if profile
                    else ctx.email(person, 9000 + i * 10 + j),
                    phone=profile.candidate.phone if profile else ctx.phone(),
                    message="Jeg har set jeres opslag og vil gerne søge stillingen."
                    if ctx.chance(0.7)
                    else "",
                    cv=files.store(application_field, "cv.pdf", files.pdf(["CV", person.name])),
                    application_letter=letter,
                    status=ctx.pick(Application.Status.values) if closed else "received",
                    received_at=received,
                )
            )
    JobPosting.objects.bulk_create(postings)
    PostingChannel.objects.bulk_create(channels)
    Application.objects.bulk_create(applications)
    ctx.count("candidates.JobPosting", len(postings))
    ctx.count("candidates.PostingChannel", len(channels))
    ctx.count("candidates.Application", len(applications))
    return postings


def seed_disclosures(
    ctx: DemoContext, profiles: list[Profile], postings: list[JobPosting], count: int
) -> None:
    """CVs sent to customers: each is a recipient the candidate has a right to know about."""
    with_cv = [
        p
        for p in profiles
        if any(d.kind == DOC.CV for d, _ in p.documents) and p.candidate.status == C.Status.ACTIVE
    ]
    disclosures: list[Disclosure] = []
    links: list[tuple[Disclosure, CandidateDocument]] = []
    for i in range(count):
        profile = ctx.pick(with_cv)
        posting = ctx.pick(postings) if i % 3 else None
        company = posting.company if posting else ctx.pick(postings).company
        contact = company.contacts.first() if i % 4 else None
        disclosure = Disclosure(
            candidate=profile.candidate,
            company=company,
            contact=contact,
            posting=posting,
            method=ctx.pick(Disclosure.Method.values),
            note=ctx.pick(pools.DISCLOSURE_NOTES),
            disclosed_by=ctx.users[Role.RECRUITER],
            disclosed_at=ctx.between(profile.created, ctx.now),
        )
        disclosures.append(disclosure)
        links.extend(
            (disclosure, d) for d, _ in profile.documents if d.kind in (DOC.CV, DOC.APPLICATION)
        )
    Disclosure.objects.bulk_create(disclosures)
    Through = Disclosure.documents.through
    Through.objects.bulk_create(
        [Through(disclosure=d, candidatedocument=doc) for d, doc in links], ignore_conflicts=True
    )
    ActivityEvent.objects.bulk_create(
        ActivityEvent(
            candidate=d.candidate,
            kind=ActivityKind.DISCLOSED,
            occurred_at=d.disclosed_at,
            actor=d.disclosed_by,
        )
        for d in disclosures
    )
    ctx.count("candidates.Disclosure", len(disclosures))
    ctx.count("candidates.ActivityEvent", len(disclosures))
