"""Values to combine into made-up people: drawn from Faker ("da_DK") once, then reused.

Faker is far too slow to call per row when loading millions of rows (tens of microseconds a
value); picking from these tuples with ``random.Random`` costs well under one. The hand-written
lists are Danish texts Faker does not have (its Danish lorem ipsum is random words).
"""

from collections.abc import Callable
from dataclasses import dataclass

from faker import Faker

from .danish import ascii_slug


@dataclass(frozen=True)
class Pools:
    female_first_names: tuple[str, ...]
    male_first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    streets: tuple[str, ...]
    jobs: tuple[str, ...]
    companies: tuple[str, ...]

    @classmethod
    def build(cls, seed: int, *, size: int = 400) -> "Pools":
        fake = Faker("da_DK")
        fake.seed_instance(seed)

        def unique(make: Callable[[], str], count: int) -> tuple[str, ...]:
            values = {make() for _ in range(count)}
            return tuple(sorted(v for v in values if ascii_slug(v)))

        return cls(
            female_first_names=unique(fake.first_name_female, size),
            male_first_names=unique(fake.first_name_male, size),
            last_names=unique(fake.last_name, size),
            streets=unique(fake.street_name, size * 2),
            jobs=unique(fake.job, size),
            companies=unique(fake.company, size // 2),
        )


JOB_TYPES = (
    "Bogholder",
    "Butiksassistent",
    "Chauffør",
    "Elektriker",
    "HR-konsulent",
    "IT-supporter",
    "Kontorassistent",
    "Kundeservice",
    "Køkkenmedhjælper",
    "Lagermedarbejder",
    "Lønadministrator",
    "Maler",
    "Pædagogmedhjælper",
    "Produktionsmedarbejder",
    "Rengøringsassistent",
    "Smed",
    "Social- og sundhedshjælper",
    "Truckfører",
    "Tømrer",
    "Tjener",
)

EDUCATIONS = (
    ("Zealand - Sjællands Erhvervsakademi", "Financial controller (AK)"),
    ("Zealand - Sjællands Erhvervsakademi", "Logistikøkonom"),
    ("EUC Sjælland", "Elektriker, svendebrev"),
    ("EUC Sjælland", "Smed, svendebrev"),
    ("Slagelse Gymnasium", "Studentereksamen (stx)"),
    ("Niels Brock", "Handelsstudentereksamen (hhx)"),
    ("SOSU Sjælland", "Social- og sundhedsassistent"),
    ("Professionshøjskolen Absalon", "Pædagog (professionsbachelor)"),
    ("Professionshøjskolen Absalon", "Sygeplejerske (professionsbachelor)"),
    ("Københavns Universitet", "Cand.jur."),
    ("Copenhagen Business School", "HD i regnskab og økonomistyring"),
    ("Aarhus Universitet", "BA i engelsk"),
    ("Roskilde Tekniske Skole", "Kontoruddannelse, elevuddannelse"),
    ("Syddansk Universitet", "Cand.merc.(HRM)"),
)

COURSES = (
    ("course", "Truckcertifikat B", "AMU Vest"),
    ("course", "Førstehjælp, 12 timer", "Dansk Førstehjælpsråd"),
    ("course", "Hygiejnebevis", "AMU Syd"),
    ("certification", "Liftcertifikat", "AMU Vest"),
    ("certification", "Lønadministration i Danløn", "Danske Lønadministratorer"),
    ("course", "Arbejdsmiljøuddannelse", "Arbejdsmiljøcentret"),
    ("test", "Personprofil (PPA)", "SEROP ApS"),
    ("test", "Logisk ræsonnement", "SEROP ApS"),
    ("test", "Prøve i Dansk 3", "Sprogcenter Vestsjælland"),
)

LANGUAGES = ("Dansk", "Engelsk", "Tysk", "Svensk", "Polsk", "Rumænsk", "Ukrainsk", "Arabisk")

UNEMPLOYMENT_FUNDS = (
    "3F A-kasse",
    "HK A-kasse",
    "FOA A-kasse",
    "Krifa A-kasse",
    "Ase",
    "Det Faglige Hus",
    "Dansk Metal A-kasse",
    "Lederne A-kasse",
    "Akademikernes A-kasse",
    "Min A-kasse",
)

PENSION_COMPANIES = (
    "PensionDanmark",
    "Industriens Pension",
    "PFA Pension",
    "Sampension",
    "Velliv",
    "AP Pension",
    "PKA",
)

LEAVE_NOTES = (
    "På barselsorlov til og med næste måned.",
    "Holder ferie i uge 29-31, kan tage vagter fra uge 32.",
    "På orlov fra nuværende job; kan starte med en måneds varsel.",
    "Ledig fra den 1. i næste måned.",
)

PREFERENCE_NOTES = (
    "Vil helst arbejde dag, ikke weekender.",
    "Har kørekort B og egen bil, kan køre i hele Vestsjælland.",
    "Søger gerne fast job på sigt, vikariater er også fine.",
    "Kan arbejde aften og nat. Har erfaring med skiftehold.",
    "Ønsker deltid, ca. 25 timer om ugen, pga. studie.",
    "Kan ikke løfte tungt; gerne kontor eller lettere lager.",
)

EXPERIENCE_DESCRIPTIONS = (
    "Plukning og pakning af ordrer, scanner og truck.",
    "Kundeservice i telefon og på mail, fakturaspørgsmål.",
    "Bogføring, debitorstyring og månedsafslutning i e-conomic.",
    "Montage og fejlfinding i produktionen, tre-holdsskift.",
    "Pleje og omsorg i hjemmeplejen, dag og aften.",
    "Lønkørsel for ca. 150 medarbejdere i Danløn.",
    "Servering og bar ved arrangementer, op til 300 gæster.",
)

STAFF_NOTES = (
    "Ringede og bekræftede interesse for vikariater på lager i Slagelse.",
    "Samtale afholdt; god energi, mangler truckcertifikat.",
    "Referencer tjekket, begge positive.",
    "Kan starte mandag; aftalt at sende CV til kunden.",
    "Ønsker ikke natarbejde efter sommerferien.",
)

REFERENCE_STATEMENTS = (
    "Mødestabil og god til at samarbejde. Vi ville gerne ansætte vedkommende igen.",
    "Arbejder selvstændigt og grundigt. Havde lidt svært ved tempoet i starten.",
    "En af vores bedste vikarer; altid i godt humør og klar på ekstra vagter.",
)

RELATIONS_NEXT_OF_KIN = ("Ægtefælle", "Samlever", "Mor", "Far", "Søster", "Bror", "Datter")
RELATIONS_REFERENCE = ("Tidligere leder", "Holdleder", "Tidligere kollega", "Underviser")

CRIMINAL_RECORD_RELEVANCE = (
    "Stillingen hos kunden omfatter arbejde med børn (børneattest og straffeattest krævet).",
    "Kunden kræver straffeattest for adgang til lufthavnens sikkerhedsområde.",
    "Værdihåndtering for kunden: ren straffeattest er et krav i kontrakten.",
)

ABSENCE_NOTES = (
    "Sygemeldt telefonisk kl. 6.45, kunden orienteret.",
    "Ferie aftalt med kunden.",
    "Barselsorlov efter aftale.",
    "Omsorgsdag.",
    "",
)

ENQUIRY_MESSAGES = (
    "Vi mangler 3 lagermedarbejdere fra uge 40 i ca. 6 uger. Kan I hjælpe?",
    "Kan I stå for lønadministration for en virksomhed med 12 ansatte?",
    "Jeg vil gerne høre om jeres HR-abonnement og prisen for juridisk rådgivning.",
    "Hvordan sletter jeg min profil i CV-banken?",
    "Vi søger en bogholder i barselsvikariat, 30 timer om ugen.",
)

REFERENCE_COMMENTS = (
    "SEROP har i flere år leveret dygtige vikarer til vores lager med kort varsel.",
    "Hurtig og professionel rekruttering af vores nye økonomimedarbejder.",
    "Lønadministrationen kører bare, og vi får svar samme dag.",
)

PARTNER_AGREEMENTS = (
    "Samarbejdsaftale om henvisning af kunder med behov for HR-jura. Løber til opsigelse.",
    "Aftale om kursusafvikling for SEROP's vikarer (truck, lift og førstehjælp).",
    "Gensidig markedsføring på hjemmesider og i nyhedsbreve.",
)

WEBSHOP_PRODUCTS = (
    ("Ansættelseskontrakt, funktionær", "495.00"),
    ("Ansættelseskontrakt, timelønnet", "395.00"),
    ("Personalehåndbog (skabelon)", "1495.00"),
    ("Fratrædelsesaftale", "695.00"),
    ("Konsulenttimer, HR (1 time)", "950.00"),
    ("Advarsel, skabelon", "295.00"),
)

DISCLOSURE_NOTES = (
    "CV sendt til kundens HR-afdeling efter aftale med kandidaten.",
    "Præsenteret telefonisk for driftslederen.",
    "CV og ansøgning lagt i kundeportalen.",
)

USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Mobile Safari/537.36",
)
