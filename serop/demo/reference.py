"""Rows the other demo data points at: job types, areas, consent texts, and one demo staff
login per role. Each ``ensure_*`` function creates what is missing and leaves the rest alone,
so the demo and bulk seeds can both call them."""

from datetime import UTC, datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User

from candidates.models import Area, JobType
from consents.models import ConsentText
from consents.purposes import ConsentPurpose as P
from privacy.roles import Role

from .danish import POSTCODES
from .pools import JOB_TYPES

# The privacy policy's version in force since 12 January 2018 (policy §2).
CONSENT_TEXTS_PUBLISHED = datetime(2018, 1, 12, 8, 0, tzinfo=UTC)

# (Danish, English, valid for months). Only the marketing permissions promise a duration.
CONSENT_TEXTS: dict[str, tuple[str, str, int | None]] = {
    P.CV_BANK: (
        "Jeg giver samtykke til, at SEROP ApS gemmer min profil og mit CV i Vikar- & "
        "CV-banken for at kunne tilbyde mig job og vikariater. Profilen slettes, når der er "
        "gået 12 måneder uden aktivitet. Jeg kan til enhver tid trække samtykket tilbage.",
        "I consent to SEROP ApS keeping my profile and CV in the Vikar- & CV-bank to offer me "
        "jobs and temp work. The profile is deleted after 12 months without activity. I can "
        "withdraw this consent at any time.",
        None,
    ),
    P.NEWSLETTER: (
        "Ja tak, send mig SEROP's nyhedsbrev om HR, jura og arbejdsmarked. Jeg kan altid "
        "afmelde mig via linket i hvert nyhedsbrev.",
        "Yes, send me SEROP's newsletter on HR, employment law and the labour market. I can "
        "unsubscribe at any time through the link in every newsletter.",
        None,
    ),
    P.CANDIDATE_ADDRESS: (
        "SEROP må gemme min adresse, så jobforslag kan tage hensyn til transporttid.",
        "SEROP may store my address so that job suggestions can take travel time into account.",
        None,
    ),
    P.CANDIDATE_BIRTH_DATE: (
        "SEROP må gemme min fødselsdato og mit køn, når et job eller en overenskomst kræver det.",
        "SEROP may store my birth date and gender where a job or collective agreement needs it.",
        None,
    ),
    P.CANDIDATE_EDUCATION: (
        "SEROP må gemme mine uddannelser, kurser og erhvervserfaring for at matche mig med job.",
        "SEROP may store my education, courses and work experience to match me with jobs.",
        None,
    ),
    P.CANDIDATE_LANGUAGES: (
        "SEROP må gemme mine sprogkundskaber for at matche mig med job.",
        "SEROP may store my language skills to match me with jobs.",
        None,
    ),
    P.CANDIDATE_PHOTO: (
        "SEROP må gemme mit pasfoto og vise det til kunder sammen med mit CV.",
        "SEROP may store my passport photo and show it to customers together with my CV.",
        None,
    ),
    P.CANDIDATE_VIDEO: (
        "SEROP må gemme min videopræsentation og vise den til kunder sammen med mit CV.",
        "SEROP may store my video introduction and show it to customers with my CV.",
        None,
    ),
    P.CANDIDATE_CRIMINAL_RECORD: (
        "SEROP må notere, at jeg har vist min straffeattest, datoen og resultatet, når "
        "jobbet kræver det. Selve attesten gemmes ikke.",
        "SEROP may record that I have shown my criminal record certificate, the date and the "
        "result, where the job requires it. The certificate itself is not kept.",
        None,
    ),
    P.REFERENCE_MARKETING: (
        "Vi giver SEROP lov til at bruge vores logo og vores udtalelse som reference på "
        "serop.dk og i markedsføring i 3 år. Tilladelsen kan trækkes tilbage når som helst.",
        "We allow SEROP to use our logo and statement as a reference on serop.dk and in "
        "marketing for 3 years. The permission can be withdrawn at any time.",
        36,
    ),
    P.PARTNER_MARKETING: (
        "Vi giver SEROP lov til at præsentere os som samarbejdspartner på serop.dk i 3 år. "
        "Tilladelsen kan trækkes tilbage når som helst.",
        "We allow SEROP to present us as a partner on serop.dk for 3 years. The permission "
        "can be withdrawn at any time.",
        36,
    ),
}

STAFF_NAMES = {
    Role.RECRUITER: ("Mette", "Sørensen"),
    Role.PAYROLL: ("Lars", "Kjær"),
    Role.ACCOUNT_MANAGER: ("Camilla", "Nørgaard"),
    Role.DPO: ("Henrik", "Mortensen"),
    Role.OPERATIONS: ("Sofie", "Lund"),
    Role.ADMINISTRATOR: ("Thomas", "Poulsen"),
}


def ensure_job_types() -> list[JobType]:
    JobType.objects.bulk_create([JobType(name=n) for n in JOB_TYPES], ignore_conflicts=True)
    return list(JobType.objects.order_by("pk"))


def ensure_areas() -> list[Area]:
    areas = {city: region for _, city, region in POSTCODES}
    Area.objects.bulk_create(
        [Area(name=city, region=region) for city, region in areas.items()], ignore_conflicts=True
    )
    return list(Area.objects.order_by("pk"))


def ensure_consent_texts() -> dict[str, ConsentText]:
    """Version 1 of every consent purpose's text, in Danish and English."""
    texts = {}
    for purpose in P:
        text_da, text_en, months = CONSENT_TEXTS[purpose]
        texts[purpose.value], _ = ConsentText.objects.get_or_create(
            purpose=purpose,
            version=1,
            defaults={
                "text_da": text_da,
                "text_en": text_en,
                "valid_for_months": months,
                "published_at": CONSENT_TEXTS_PUBLISHED,
            },
        )
    return texts


def demo_email(role: str) -> str:
    return f"{role.replace('_', '.')}@serop.example"


def is_demo_login(user: User) -> bool:
    return user.email == demo_email(user.username)


def ensure_staff_users(password: str) -> dict[str, User]:
    """One staff login per role, named after the role and in the group of the same name; the
    administrator is also a superuser. Every run sets the given password.

    An existing account with a role's name that is not a demo login (its e-mail is not the
    demo address) is left exactly as it is: the demo never takes over a real account. It is
    still returned, as the author of demo notes; ``is_demo_login`` tells the two apart.
    """
    # One hash for all six: the password hasher is deliberately slow (about half a second a
    # hash), and these are demo logins that share one password anyway.
    hashed = make_password(password)
    users = {}
    for role in Role:
        first_name, last_name = STAFF_NAMES[role]
        group, _ = Group.objects.get_or_create(name=role.value)
        user, _ = User.objects.get_or_create(
            username=role.value,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "email": demo_email(role.value),
            },
        )
        users[role.value] = user
        if not is_demo_login(user):
            continue
        user.password = hashed
        user.is_staff = True
        user.is_active = True
        user.is_superuser = role == Role.ADMINISTRATOR
        user.save(update_fields=["password", "is_staff", "is_active", "is_superuser"])
        user.groups.add(group)
    return users
