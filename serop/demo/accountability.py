"""Demo accountability records (GDPR Art. 5(2)): data-protection requests with their matches,
recipients and answers, a breach register, legal holds, the retention engine's runs and
tombstones, deletion notices, the audit trail and the privacy-notice archive. Made-up history,
written directly with the ORM, consistent with the demo people it refers to."""

import json
import uuid
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from candidates.models import Candidate
from customers.models import Company
from privacy.models import (
    AuditEntry,
    Breach,
    HoldingSnapshot,
    PrivacyNoticeVersion,
    Processor,
    RecipientNotice,
    RequestExport,
    RequestMatch,
    SubjectRequest,
)
from privacy.models.requests import answer_due
from privacy.roles import Role
from privacy.taxonomy import Category, Subject
from retention.models import (
    DeletionNotice,
    LegalHold,
    RetentionBatch,
    RetentionRun,
    Tombstone,
)

from . import danish, files
from .context import DemoContext

SR = SubjectRequest


def _reference(prefix: str, year: int, model: type[models.Model], field: str = "reference") -> str:
    taken = model._default_manager.filter(**{f"{field}__startswith": f"{prefix}-{year}-"}).count()
    return f"{prefix}-{year}-{taken + 1:04d}"


def seed_subject_requests(ctx: DemoContext, profiles: list[Candidate]) -> list[SubjectRequest]:
    """An access request answered with a zip, an erasure request answered with a letter and an
    open, verified request still being handled; each from a demo candidate."""
    dpo = ctx.users[Role.DPO]
    people = [p for p in profiles if p.email and not p.is_restricted][:3]
    specs = [
        (SR.Kind.ACCESS, SR.Channel.EMAIL, 400, SR.Status.ANSWERED),
        (SR.Kind.ERASURE, SR.Channel.SELF_SERVICE, 120, SR.Status.ANSWERED),
        (SR.Kind.RECTIFICATION, SR.Channel.LETTER, 6, SR.Status.VERIFIED),
    ]
    requests = []
    for person, (kind, channel, age, status) in zip(people, specs, strict=False):
        received = ctx.days_ago(age, age + 1)
        closed = status == SR.Status.ANSWERED
        due = answer_due(timezone.localdate(received))
        extended = kind == SR.Kind.ACCESS
        street, postcode, city = ctx.address()
        request = SR.objects.create(
            reference=_reference("SR", timezone.localtime(received).year, SR),
            kind=kind,
            channel=channel,
            received_at=received,
            requester_name=f"{person.first_name} {person.last_name}",
            requester_email=person.email,
            requester_phone=ctx.phone(),
            requester_details=(
                f"Jeg vil gerne vide, hvilke oplysninger I har om mig. Adresse: {street}, "
                f"{postcode} {city}."
            ),
            language=person.language,
            verification_method=SR.Verification.EMAIL_ON_FILE,
            verified_by=dpo,
            verified_at=received + timedelta(hours=3),
            handler=dpo,
            status=status,
            due_on=due,
            extended_to=due + timedelta(days=60) if extended else None,
            extension_reason="Mange registreringer på tværs af systemer." if extended else "",
            extension_notified_at=received + timedelta(days=20) if extended else None,
            outcome="Besvaret inden for fristen." if closed else "",
            closed_at=received + timedelta(days=25) if closed else None,
        )
        requests.append(request)
        RequestMatch.objects.create(
            request=request,
            content_type=ContentType.objects.get_for_model(Candidate),
            object_id=str(person.pk),
            label=f"{person.first_name} {person.last_name} <{person.email}>",
            confirmed=True,
        )
    ctx.count("privacy.SubjectRequest", len(requests))
    ctx.count("privacy.RequestMatch", len(requests))
    if len(requests) < 2:
        return requests
    access, erasure = requests[0], requests[1]
    zip_field = RequestExport._meta.get_field("file")
    RequestExport.objects.create(
        request=access,
        kind=RequestExport.Kind.ACCESS,
        file=files.store(zip_field, f"{access.reference}.zip", _demo_zip(access)),
        status="done",
        progress=100,
        created_at=access.received_at + timedelta(days=24),
        expires_at=ctx.now + timedelta(days=30),
        created_by=dpo,
        downloads=1,
    )
    RequestExport.objects.create(
        request=erasure,
        kind=RequestExport.Kind.DECISION,
        status="failed",
        error="The letter could not be rendered; made again the next day.",
        created_at=erasure.received_at + timedelta(days=20),
        expires_at=erasure.received_at + timedelta(days=50),
        created_by=dpo,
    )
    processor = Processor.objects.order_by("key").first()
    company = Company.objects.order_by("pk").first()
    # Art. 19: the processor told, the customer the CV went to still to be told.
    told = []
    if processor is not None:
        told.append(
            RecipientNotice(
                request=erasure,
                processor=processor,
                notified_at=erasure.received_at + timedelta(days=22),
                notified_by=dpo,
            )
        )
    if company is not None:
        told.append(RecipientNotice(request=erasure, company=company))
    RecipientNotice.objects.bulk_create(told)
    ctx.count("privacy.RequestExport", 2)
    ctx.count("privacy.RecipientNotice", len(told))
    return requests


def _demo_zip(request: SubjectRequest) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.json", json.dumps({"request": request.reference}))
    return buffer.getvalue()


def seed_breaches(ctx: DemoContext) -> None:
    """A closed breach notified to Datatilsynet (late, with the reason) and an open one still
    being assessed."""
    dpo, operations = ctx.users[Role.DPO], ctx.users[Role.OPERATIONS]
    aware = ctx.days_ago(300, 301)
    notified = aware + timedelta(hours=80)
    Breach.objects.create(
        reference=_reference("BR", timezone.localtime(aware).year, Breach),
        title="CV sendt til forkert kunde",
        description="En rekrutteringskonsulent sendte et CV til en forkert kundekontakt.",
        occurred_from=aware - timedelta(hours=6),
        occurred_until=aware - timedelta(hours=5),
        aware_at=aware,
        discovery="Kunden gjorde selv opmærksom på fejlen pr. e-mail.",
        confidentiality=True,
        integrity=True,
        availability=True,
        data_categories=[Category.IDENTITY, Category.CONTACT, Category.EDUCATION_SKILLS],
        subject_types=[Subject.CANDIDATE],
        people_computed=1,
        records_computed=3,
        counts_detail={"candidates.candidate": 1, "candidates.experience": 2},
        counted_at=aware + timedelta(hours=1),
        people_estimate=1,
        records_estimate=3,
        estimate_note="Kun ét CV blev sendt.",
        consequences="Lav risiko: kunden har bekræftet sletning.",
        measures_taken="Kunden har slettet e-mailen og bekræftet det skriftligt.",
        measures_proposed="Kontrol af modtager før afsendelse af CV'er.",
        cross_border=True,
        cross_border_details="Kandidaten bor i Sverige.",
        authority_decision=Breach.Decision.NOTIFY,
        authority_decided_at=aware + timedelta(hours=70),
        authority_reason="Oplysningerne blev videregivet til en uvedkommende.",
        authority_notified_at=notified,
        authority_reference="2025-441-1234",
        late_reason="Kunden svarede først efter 72 timer.",
        subjects_decision=Breach.Decision.NOTIFY,
        subjects_reason="Kandidaten bør kende til videregivelsen.",
        subjects_notified_at=notified + timedelta(hours=2),
        subjects_notification_method="E-mail til kandidaten.",
        status=Breach.Status.CLOSED,
        closed_at=aware + timedelta(days=14),
        handler=dpo,
        created_by=operations,
        created_at=aware + timedelta(minutes=20),
        reminded_24h_at=aware + timedelta(hours=24),
        reminded_48h_at=aware + timedelta(hours=48),
        reminded_overdue_at=aware + timedelta(hours=72),
    )
    opened = ctx.days_ago(0.5, 0.6)
    Breach.objects.create(
        reference=_reference("BR", timezone.localtime(opened).year, Breach),
        title="Bortkommen bærbar computer",
        description="En krypteret bærbar computer er glemt i et tog.",
        aware_at=opened,
        availability=True,
        data_categories=[Category.CONTACT],
        subject_types=[Subject.CUSTOMER_CONTACT],
        handler=dpo,
        created_by=dpo,
        created_at=opened,
    )
    ctx.count("privacy.Breach", 2)


def seed_holdings(ctx: DemoContext) -> None:
    """The daily counts of the last two days (once: a second seed finds them taken)."""
    days = [ctx.today - timedelta(days=n) for n in (1, 2)]
    if HoldingSnapshot.objects.filter(taken_on__in=days).exists():
        return
    snapshots = [
        HoldingSnapshot(
            taken_on=day,
            subject=Subject.CANDIDATE,
            category=category,
            people=Candidate.objects.count(),
            records=Candidate.objects.count() * (1 if category == "" else 2),
        )
        for day in days
        for category in ("", Category.CONTACT)
    ]
    HoldingSnapshot.objects.bulk_create(snapshots)
    ctx.count("privacy.HoldingSnapshot", len(snapshots))


def seed_notice_versions(ctx: DemoContext) -> None:
    """The privacy notice as published twice: version 1 archived when version 2 replaced it."""
    if PrivacyNoticeVersion.objects.exists():
        return
    dpo = ctx.users[Role.DPO]
    first, second = ctx.days_ago(400, 401), ctx.days_ago(30, 31)
    for number, published, archived in ((1, first, second), (2, second, None)):
        PrivacyNoticeVersion.objects.create(
            version=number,
            content_da=f"<h1>Privatlivspolitik</h1><p>Version {number}.</p>",
            content_en=f"<h1>Privacy notice</h1><p>Version {number}.</p>",
            published_at=published,
            published_by=dpo,
            is_current=archived is None,
            archived_at=archived,
        )
    ctx.count("privacy.PrivacyNoticeVersion", 2)


def seed_processor_contracts(ctx: DemoContext) -> None:
    """Demo contract details for processors whose register entry has none yet."""
    for processor in Processor.objects.filter(dpa_reference=""):
        processor.dpa_reference = f"DBA-{processor.key.upper()}-2024"
        processor.dpa_signed_on = ctx.today - timedelta(days=ctx.rng.randint(200, 900))
        processor.notes = "Databehandleraftale gennemgået ved årlig kontrol."
        processor.save()


def seed_retention(ctx: DemoContext, profiles: list[Candidate]) -> None:
    """A legal hold in force and a lifted one, a finished run with its batch and tombstones,
    and the notices sent before CV-bank profiles expire."""
    dpo = ctx.users[Role.DPO]
    candidate_type = ContentType.objects.get_for_model(Candidate)
    held, noticed = profiles[0], profiles[1:4]
    LegalHold.objects.create(
        subject_ref=held.public_id, reason="Klage til Datatilsynet under behandling", owner=dpo
    )
    LegalHold.objects.create(
        content_type=candidate_type,
        object_id=str(profiles[1].pk),
        reason="Tvist om en afsluttet ansættelse",
        owner=dpo,
        ends_on=ctx.today - timedelta(days=40),
        lifted_at=ctx.days_ago(50, 51),
    )
    started = ctx.days_ago(20, 21)
    run = RetentionRun.objects.create(
        rule="cv_bank_inactivity",
        as_of=timezone.localdate(started),
        status=RetentionRun.Status.DONE,
        started_at=started,
        finished_at=started + timedelta(seconds=12),
        expected=3,
        processed=3,
        counts={"candidates.candidate": 3, "candidates.experience": 5},
        files_removed=2,
        errors="1 file could not be removed: candidates/cv.pdf",
        triggered_by=dpo.username,
    )
    RetentionRun.objects.create(
        rule="contact_enquiry",
        as_of=ctx.today,
        dry_run=True,
        status=RetentionRun.Status.DONE,
        started_at=ctx.days_ago(1, 2),
        finished_at=ctx.now,
        triggered_by=dpo.username,
    )
    RetentionBatch.objects.create(
        run=run,
        target=0,
        after=10,
        upto=250,
        status=RetentionBatch.Status.DONE,
        processed=3,
        worker="worker-1:4242",
        done_at=started + timedelta(seconds=11),
    )
    Tombstone.objects.bulk_create(
        Tombstone(
            subject_ref=uuid.UUID(int=ctx.rng.getrandbits(128)),
            model="candidates.candidate",
            rule="cv_bank_inactivity",
            deleted_at=started + timedelta(seconds=10),
            run=run,
        )
        for _ in range(3)
    )
    for number, person in enumerate(noticed):
        DeletionNotice.objects.create(
            candidate=person,
            expires_on=ctx.today + timedelta(days=30 - number * 40),
            sent_at=ctx.days_ago(5 + number * 40, 6 + number * 40),
            language="da",
            used_at=ctx.days_ago(1 + number * 40, 2 + number * 40) if number else None,
        )
    ctx.count("retention.LegalHold", 2)
    ctx.count("retention.RetentionRun", 2)
    ctx.count("retention.Tombstone", 3)
    ctx.count("retention.DeletionNotice", len(noticed))


def seed_audit_trail(ctx: DemoContext, requests: list[SubjectRequest]) -> None:
    """A few entries of the audit trail: a recruiter looking at and changing a profile, the DPO
    exporting an access request's answer."""
    recruiter, dpo = ctx.users[Role.RECRUITER], ctx.users[Role.DPO]
    person = Candidate.objects.order_by("pk").first()
    entries = []
    if person is not None:
        label = Candidate._meta.label_lower
        entries += [
            AuditEntry(
                at=ctx.days_ago(3, 4),
                actor_id=recruiter.pk,
                actor_username=recruiter.username,
                ip_address=danish.ipv4(ctx.rng),
                action=AuditEntry.Action.VIEW,
                object_type=label,
                object_id=str(person.pk),
                subject_ref=person.public_id,
                fields=["first_name", "last_name", "email"],
            ),
            AuditEntry(
                at=ctx.days_ago(2, 3),
                actor_id=recruiter.pk,
                actor_username=recruiter.username,
                ip_address=danish.ipv4(ctx.rng),
                action=AuditEntry.Action.CHANGE,
                object_type=label,
                object_id=str(person.pk),
                subject_ref=person.public_id,
                fields=["phone"],
                changes={"phone": ["20304050", "20304051"]},
                detail="phone corrected at the candidate's request",
            ),
        ]
    for request in requests[:1]:
        entries.append(
            AuditEntry(
                at=request.received_at + timedelta(days=24),
                actor_id=dpo.pk,
                actor_username=dpo.username,
                ip_address=danish.ipv4(ctx.rng),
                action=AuditEntry.Action.EXPORT,
                object_type=SR._meta.label_lower,
                object_id=str(request.pk),
                count=1,
                detail="access export created",
            )
        )
    AuditEntry.objects.bulk_create(entries)
    ctx.count("privacy.AuditEntry", len(entries))


def seed_accountability(ctx: DemoContext, profiles: list[Candidate]) -> None:
    seed_processor_contracts(ctx)
    requests = seed_subject_requests(ctx, profiles)
    seed_breaches(ctx)
    seed_holdings(ctx)
    seed_notice_versions(ctx)
    seed_retention(ctx, profiles)
    seed_audit_trail(ctx, requests)
