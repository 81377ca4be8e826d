"""Version 1 of every consent purpose's text, in Danish and English, so that a fresh database
can take signups (every consent record names the exact text version shown). The wording follows
the privacy policy (§9, §13). The texts are frozen here, as migrations must be: a later change of
wording is a new version, published in the admin. Rows that already exist (seed_demo creates the
same version 1) are left as they are."""

from datetime import UTC, datetime

from django.db import migrations

PUBLISHED = datetime(2018, 1, 12, 8, 0, tzinfo=UTC)

# purpose: (Danish, English, valid for months)
TEXTS = {
    "cv_bank": (
        "Jeg giver samtykke til, at SEROP ApS gemmer min profil og mit CV i Vikar- & "
        "CV-banken for at kunne tilbyde mig job og vikariater. Profilen slettes, når der er "
        "gået 12 måneder uden aktivitet. Jeg kan til enhver tid trække samtykket tilbage.",
        "I consent to SEROP ApS keeping my profile and CV in the Vikar- & CV-bank to offer me "
        "jobs and temp work. The profile is deleted after 12 months without activity. I can "
        "withdraw this consent at any time.",
        None,
    ),
    "newsletter": (
        "Ja tak, send mig SEROP's nyhedsbrev om HR, jura og arbejdsmarked. Jeg kan altid "
        "afmelde mig via linket i hvert nyhedsbrev.",
        "Yes, send me SEROP's newsletter on HR, employment law and the labour market. I can "
        "unsubscribe at any time through the link in every newsletter.",
        None,
    ),
    "candidate_address": (
        "SEROP må gemme min adresse, så jobforslag kan tage hensyn til transporttid.",
        "SEROP may store my address so that job suggestions can take travel time into account.",
        None,
    ),
    "candidate_birth_date": (
        "SEROP må gemme min fødselsdato og mit køn, når et job eller en overenskomst kræver det.",
        "SEROP may store my birth date and gender where a job or collective agreement needs it.",
        None,
    ),
    "candidate_education": (
        "SEROP må gemme mine uddannelser, kurser og erhvervserfaring for at matche mig med job.",
        "SEROP may store my education, courses and work experience to match me with jobs.",
        None,
    ),
    "candidate_languages": (
        "SEROP må gemme mine sprogkundskaber for at matche mig med job.",
        "SEROP may store my language skills to match me with jobs.",
        None,
    ),
    "candidate_photo": (
        "SEROP må gemme mit pasfoto og vise det til kunder sammen med mit CV.",
        "SEROP may store my passport photo and show it to customers together with my CV.",
        None,
    ),
    "candidate_video": (
        "SEROP må gemme min videopræsentation og vise den til kunder sammen med mit CV.",
        "SEROP may store my video introduction and show it to customers with my CV.",
        None,
    ),
    "candidate_criminal_record": (
        "SEROP må notere, at jeg har vist min straffeattest, datoen og resultatet, når "
        "jobbet kræver det. Selve attesten gemmes ikke.",
        "SEROP may record that I have shown my criminal record certificate, the date and the "
        "result, where the job requires it. The certificate itself is not kept.",
        None,
    ),
    "reference_marketing": (
        "Vi giver SEROP lov til at bruge vores logo og vores udtalelse som reference på "
        "serop.dk og i markedsføring i 3 år. Tilladelsen kan trækkes tilbage når som helst.",
        "We allow SEROP to use our logo and statement as a reference on serop.dk and in "
        "marketing for 3 years. The permission can be withdrawn at any time.",
        36,
    ),
    "partner_marketing": (
        "Vi giver SEROP lov til at præsentere os som samarbejdspartner på serop.dk i 3 år. "
        "Tilladelsen kan trækkes tilbage når som helst.",
        "We allow SEROP to present us as a partner on serop.dk for 3 years. The permission "
        "can be withdrawn at any time.",
        36,
    ),
}


def create_texts(apps, schema_editor):
    ConsentText = apps.get_model("consents", "ConsentText")
    for purpose, (text_da, text_en, months) in TEXTS.items():
        ConsentText.objects.get_or_create(
            purpose=purpose,
            version=1,
            defaults={
                "text_da": text_da,
                "text_en": text_en,
                "valid_for_months": months,
                "published_at": PUBLISHED,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("consents", "0001_initial")]

    # Reversing leaves the texts: consent records may refer to them (PROTECT).
    operations = [migrations.RunPython(create_texts, migrations.RunPython.noop)]
