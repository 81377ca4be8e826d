"""The generated notice covers everything the hand-written policy named, and follows the
registry: a field declared in any app's privacy.py appears without a template change."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from privacy.models import PrivacyNoticeVersion
from privacy.notice import notice_lines, render_notice
from privacy.registry import PersonalData, registry
from privacy.taxonomy import Category, LegalBasis, Purpose, Subject

pytestmark = pytest.mark.django_db

# The policy SEROP published by hand (../shared/seed/, the input of the registry); a copy
# beside this test for checkouts without ../shared, which must be the same text.
SHARED_SEED = settings.BASE_DIR.parent / "shared" / "seed" / "privatlivspolitik.txt"
COPY = Path(__file__).with_name("privatlivspolitik.txt")
SEED = SHARED_SEED if SHARED_SEED.is_file() else COPY
POLICY = SEED.read_text(encoding="utf-8")

# What each list of data in the policy must be found as in the Danish notice, and in which
# group's section (None: anywhere). Keyed by a phrase of the policy's line; every bullet and
# every "Følgende oplyses" list of the policy must have an entry (checked below), so a line
# added to the policy without a counterpart here fails the test.
POLICY_DATA: list[tuple[str, str | None, list[str]]] = [
    # §7 contact form
    ("Det markerede emner", "visitors", ["emner", "navn", "e-mail", "telefon", "besked"]),
    # §8 Betalingsservice
    (
        "CVR nr., Reg nr., konto nr., kunde nr.",
        "customers",
        ["CVR-nummer", "registreringsnummer", "kontonummer", "kundenummer i Betalingsservice"],
    ),
    # §8 webshop
    (
        "fornavn, Efternavn, Firmanavn",
        "customers",
        [
            "fornavn",
            "efternavn",
            "firmanavn",
            "land",
            "vej og husnummer",
            "postnummer",
            "by",
            "telefon",
            "e-mail",
        ],
    ),
    # §8 card data: entered at Quickpay only, never stored by SEROP
    ("Kort nr., Udløbsdato, CVV/CVD", None, ["Quickpay", "kortoplysninger når aldrig SEROP"]),
    # §8 newsletter
    ("Email \u2013 Vi gør opmærksom", "newsletter", ["e-mail"]),
    # §9 CV bank
    (
        "samt de markerede oplysninger under søgning af job",
        "candidates",
        ["fornavn", "efternavn", "e-mail", "telefon", "Jobønsker", "varighed", "CV", "ansøgning"],
    ),
    # §9 application by email
    ("meddelelse i mailen", "candidates", ["besked", "CV", "ansøgning"]),
    # §10 workforce login at LESSOR
    (
        "Virksomhed (er prædefineret), Brugernavn, Adgangskode",
        "employees",
        ["LESSOR Workforce (Paychex)"],
    ),
    # §9 bullets
    (
        "Navn, adresse, email, tlf/mobil",
        "candidates",
        ["Identitet", "Adresse", "Kontaktoplysninger", "e-mail", "telefon"],
    ),
    (
        "Fødselsdato, alder og køn",
        "candidates",
        ["Fødselsdato, alder og køn", "fødselsdato", "køn"],
    ),
    (
        "CV, ansøgning, oplysninger om uddannelse",
        "candidates",
        [
            "CV",
            "ansøgning",
            "Uddannelse, erfaring og kompetencer",
            "uddannelse",
            "arbejdsgiver",
            "sprog",
        ],
    ),
    (
        "kurser og uddannelse og/eller test",
        "candidates",
        ["Vurderinger, test og referencer", "udbyder", "resultat", "via SEROP"],
    ),
    ("ledighed, A-kasse og orlov", "candidates", ["Ledighed, A-kasse og orlov"]),
    ("nærmeste pårørende og deres kontaktoplysninger", "related", ["Nærmeste pårørende"]),
    ("referencer og certifikater", "candidates", ["referencer", "certifikat"]),
    (
        "Pasbillede, video (introduktion), straffeattest",
        "candidates",
        ["pasfoto", "videopræsentation", "Straffeattest"],
    ),
    # §10 bullets
    (
        "Nationalitet, CPR-nummer, ID, arbejdstilladelse",
        "employees",
        ["nationalitet", "CPR-nummer", "identitetsdokument", "arbejdstilladelse"],
    ),
    ("personale, løn og registrering af fravær", "employees", ["Løn", "Helbred og fravær"]),
]


def policy_data_lines() -> list[str]:
    bullets = [line.strip(" •") for line in POLICY.splitlines() if line.strip().startswith("•")]
    lists = re.findall(r"(?:[Ff]ølgende oplyses|oplyses følgende[^;]*);? ?(.+)", POLICY)
    return bullets + lists


def policy_processors() -> set[str]:
    names: set[str] = set()
    pattern = r"(?:at|vil) ([^\s,/]+(?:[/,] ?[^\s,/]+)*) (?:er|være) databehandler"
    for found in re.findall(pattern, POLICY):
        names.update(n.strip() for n in re.split(r"[/,]", found) if n.strip())
    names.update(re.findall(r"oprettes en profil i (\w+)", POLICY))  # the webshop software
    return names


def policy_periods() -> set[str]:
    return set(re.findall(r"\b\d+ (?:måneder|år)\b", POLICY))


@pytest.fixture
def notice() -> str:
    return "\n".join(notice_lines(render_notice("da")))


def group_text(html: str, key: str) -> str:
    match = re.search(rf'<section id="group-{key}">(.*?)</section>', html, re.S)
    assert match, f"no section for the group {key}"
    return "\n".join(notice_lines(match.group(1)))


def test_the_seed_is_read_and_its_lists_extracted():
    assert COPY.read_text(encoding="utf-8") == POLICY
    assert len(policy_data_lines()) == len(POLICY_DATA) == 18
    assert policy_processors() == {
        "unoeuro.com",
        "NETS",
        "Quickpay",
        "Woocommerce",
        "jobindex.dk",
        "Facebook",
        "LinkedIn",
        "Microsoft.com",
        "LESSOR",
        "paychex.com",
    }
    assert policy_periods() == {"12 måneder", "5 år"}


def test_every_processor_the_policy_names_is_in_the_notice(notice):
    # As a whole word: "NETS" must name Nets, not be found inside another word.
    def named(name: str) -> bool:
        return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", notice, re.IGNORECASE) is not None

    missing = [
        name
        for name in sorted(policy_processors())
        if not named(name) and not named(name.removesuffix(".com"))
    ]
    assert not missing, f"processors of the policy missing from the notice: {missing}"


def test_every_list_of_data_in_the_policy_has_its_counterpart_in_the_notice():
    html = render_notice("da")
    whole = "\n".join(notice_lines(html))
    unmatched = [
        line
        for line in policy_data_lines()
        if sum(phrase in line for phrase, _group, _terms in POLICY_DATA) != 1
    ]
    assert not unmatched, f"policy lines without exactly one entry in POLICY_DATA: {unmatched}"
    stale = [p for p, _g, _t in POLICY_DATA if not any(p in line for line in policy_data_lines())]
    assert not stale, f"entries of POLICY_DATA that match no line of the policy: {stale}"
    missing = []
    for phrase, group, terms in POLICY_DATA:
        text = group_text(html, group) if group else whole
        missing += [(phrase, term) for term in terms if term not in text]
    assert not missing, f"data the policy names but the notice does not: {missing}"


def test_every_retention_period_the_policy_names_is_in_the_notice(notice):
    for period in policy_periods():
        assert period in notice
    assert "12 måneder efter den seneste registrerede aktivitet på profilen" in notice
    assert "5 år efter ansættelsens ophør" in notice


def test_the_notice_covers_every_section_of_the_policy(notice):
    for heading in [
        "1. Hvem er ansvarlig for dine personoplysninger",
        "2. Gældende version og ændringer",
        "3. Cookies",
        "4. Hvilke oplysninger vi indsamler, og hvorfor",
        "5. Formål og retsgrundlag",
        "6. Hvem modtager dine oplysninger",
        "7. Dine rettigheder, og hvordan du bruger dem",
        "8. Sikkerhed",
        "9. Opbevaring og sletning",
        "10. Spørgsmål",
        "11. Klage",
    ]:
        assert heading in notice.splitlines()
    for fact in [
        "SEROP ApS, CVR-nummer 29135789",
        "Ndr. Stationsvej 18, 2. sal, 4200 Slagelse",
        "Kontaktperson: Peter Serop",
        "Datatilsynet, Borgergade 28, 5., 1300 København K",
        "Telefon: 3319 3200",
        "dt@datatilsynet.dk",
        "Overførsler til lande uden for EU/EØS",
    ]:
        assert fact in notice
    for group in [
        "Besøgende på vores website",
        "Kunder",
        "Abonnenter på nyhedsbrevet",
        "Kandidater og ansøgere",
        "Ansatte (vikarer og konsulenter)",
    ]:
        assert group in notice.splitlines()


@pytest.fixture
def declare():
    """Declares a field temporarily: the notice version's publisher as a photo of SEROP's
    staff, for a purpose no staff data has today. The real declaration is restored afterwards."""

    declared = []  # the model's own declaration (privacy/privacy.py), put back afterwards

    def register() -> None:
        declared.append(registry._entries.pop(PrivacyNoticeVersion))
        registry.register(
            PrivacyNoticeVersion,
            subject=Subject.STAFF,
            fields={
                "published_by": PersonalData(
                    Category.PHOTO_VIDEO,
                    purposes=(Purpose.MARKETING_REFERENCES,),
                    basis=(LegalBasis.ART6_1A,),
                    retention="marketing_permission",
                    processors=("woocommerce",),
                )
            },
        )

    yield register
    if declared:
        registry._entries[PrivacyNoticeVersion] = declared[0]


def test_a_field_added_to_the_registry_appears_without_a_template_change(declare):
    before = render_notice("da")
    assert "Foto og video" not in before  # no field of that category today
    assert "offentliggjort af" not in group_text(before, "staff")

    declare()
    html = render_notice("da")
    staff = group_text(html, "staff")
    assert "Foto og video: offentliggjort af" in staff
    assert "Referencer og samarbejdspartnere i markedsføring" in staff
    assert "GDPR art. 6, stk. 1, litra a: samtykke" in staff
    assert "WooCommerce" in staff
    assert "Referencer og samarbejdspartnere: indtil tilladelsen trækkes tilbage" in staff
    purposes = html.split('<section id="purposes">')[1].split("</section>")[0]
    row = next(
        line
        for line in notice_lines(purposes)
        if line.startswith("Referencer og samarbejdspartnere i markedsføring |")
    )
    assert row.endswith("Referencekunde eller samarbejdspartner, SEROP's medarbejdere")


def test_a_new_group_of_people_gets_a_section_of_its_own(declare):
    declare()
    entry = registry._entries[PrivacyNoticeVersion]
    entry.subject = "board_member"  # a subject no group of the notice names
    html = render_notice("da")
    assert '<section id="group-board_member">' in html
    assert "Foto og video: offentliggjort af" in group_text(html, "board_member")


def test_the_templates_name_no_category_purpose_or_processor():
    """The proof that nothing is hand-listed: the notice's templates contain none of the
    registry's labels or the register's names; all of it comes from the context."""
    templates = Path(settings.BASE_DIR, "templates", "public", "privacy")
    source = "".join(p.read_text() for p in templates.glob("*.html"))
    for label in [str(c.label) for c in Category] + [str(p.label) for p in Purpose]:
        assert label not in source
    for name in ["Quickpay", "Microsoft", "LinkedIn", "Nets", "Simply"]:
        assert name not in source
