"""factory_boy factories for the data model. Valid Danish identifiers throughout."""

import datetime as dt
import random
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from candidates import models as cm
from consents.models import ConsentRecord, ConsentText
from consents.purposes import ConsentPurpose
from customers import models as km
from employees import models as em

_rng = random.Random(2026)


def valid_cvr(n: int) -> str:
    """The n-th valid CVR number from 10000000 upward (modulus 11)."""
    weights = (2, 7, 6, 5, 4, 3, 2)
    candidate = 1000000 + n
    while True:
        digits = f"{candidate:07d}"
        rest = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
        check = (11 - rest) % 11
        if check < 10:
            return digits + str(check)
        candidate += 1


def valid_cpr(n: int) -> str:
    day, month, year = 1 + n % 28, 1 + n % 12, 60 + n % 40
    return f"{day:02d}{month:02d}{year:02d}-{(1000 + n) % 4000:04d}"


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = km.Company

    name = factory.Sequence(lambda n: f"Firma {n} ApS")
    cvr = factory.Sequence(lambda n: valid_cvr(n * 3))
    customer_number = factory.Sequence(lambda n: f"K{n:06d}")
    street = "Ndr. Stationsvej 18"
    postcode = "4200"
    city = "Slagelse"
    status = km.Company.Status.ACTIVE
    customer_since = dt.date(2020, 1, 1)


class ContactPersonFactory(DjangoModelFactory):
    class Meta:
        model = km.ContactPerson

    company = factory.SubFactory(CompanyFactory)
    first_name = "Karen"
    last_name = factory.Sequence(lambda n: f"Kontakt{n}")
    email = factory.Sequence(lambda n: f"kontakt{n}@firma.dk")
    phone = "70233838"


class CandidateFactory(DjangoModelFactory):
    class Meta:
        model = cm.Candidate

    status = cm.Candidate.Status.ACTIVE
    first_name = "Mette"
    last_name = factory.Sequence(lambda n: f"Jensen{n}")
    email = factory.Sequence(lambda n: f"kandidat{n}@example.dk")
    phone = "20304050"
    last_activity_at = factory.LazyFunction(timezone.now)
    email_confirmed_at = factory.LazyFunction(timezone.now)


class CandidateDocumentFactory(DjangoModelFactory):
    class Meta:
        model = cm.CandidateDocument

    candidate = factory.SubFactory(CandidateFactory)
    kind = cm.CandidateDocument.Kind.CV
    file = factory.django.FileField(filename="cv.pdf", data=b"%PDF-1.4 demo")
    original_name = "cv.pdf"
    content_type = "application/pdf"
    size = 13


class JobPostingFactory(DjangoModelFactory):
    class Meta:
        model = cm.JobPosting

    company = factory.SubFactory(CompanyFactory)
    title = "Lagermedarbejder"
    description = "Vikariat på lager i Slagelse."
    employment_form = "temp"
    opened_on = dt.date(2026, 1, 5)


class EmployeeFactory(DjangoModelFactory):
    class Meta:
        model = em.Employee

    employee_number = factory.Sequence(lambda n: f"E{n:05d}")
    first_name = "Lars"
    last_name = factory.Sequence(lambda n: f"Hansen{n}")
    email = factory.Sequence(lambda n: f"medarbejder{n}@example.dk")
    phone = "40506070"
    street = "Bredgade 1"
    postcode = "4200"
    city = "Slagelse"
    birth_date = dt.date(1990, 1, 1)
    nationality = "DK"
    cpr = factory.Sequence(valid_cpr)
    employment_form = "temp"
    employment_start = dt.date(2024, 2, 1)
    bank_reg_no = "1234"
    bank_account_no = "0012345678"


class PayrollRecordFactory(DjangoModelFactory):
    class Meta:
        model = em.PayrollRecord

    employee = factory.SubFactory(EmployeeFactory)
    period_start = dt.date(2026, 1, 1)
    period_end = dt.date(2026, 1, 31)
    paid_on = dt.date(2026, 1, 31)
    hours = Decimal("160.33")
    gross_pay = Decimal("32000.00")
    am_contribution = Decimal("2560.00")
    a_tax = Decimal("9100.00")
    pension_employee = Decimal("1280.00")
    pension_employer = Decimal("2560.00")
    holiday_pay = Decimal("3960.00")
    net_pay = Decimal("19060.00")


class WebshopOrderFactory(DjangoModelFactory):
    """A private buyer's webshop order, placed in the financial year 2024 (kept for the
    Bookkeeping Act until the end of 2029)."""

    class Meta:
        model = km.WebshopOrder

    order_number = factory.Sequence(lambda n: f"W-{1000 + n}")
    first_name = "Mette"
    last_name = "Erasmussen"
    street = "Bredgade 1"
    postcode = "4200"
    city = "Slagelse"
    phone = "20304050"
    email = "mette@example.dk"
    total = Decimal("499.00")
    placed_at = factory.LazyFunction(lambda: timezone.make_aware(dt.datetime(2024, 3, 1, 12)))


class ConsentTextFactory(DjangoModelFactory):
    class Meta:
        model = ConsentText
        django_get_or_create = ("purpose", "version")

    purpose = ConsentPurpose.CV_BANK
    version = 1
    text_da = "Jeg giver samtykke."
    text_en = "I consent."
    published_at = factory.LazyFunction(timezone.now)


class ConsentRecordFactory(DjangoModelFactory):
    class Meta:
        model = ConsentRecord

    candidate = factory.SubFactory(CandidateFactory)
    subject_ref = factory.LazyAttribute(lambda o: o.candidate.public_id)
    text = factory.SubFactory(ConsentTextFactory)
    given_at = factory.LazyFunction(timezone.now)
    channel = ConsentRecord.Channel.WEB_FORM


def request_for(*records, actor, kind="erasure", requester_name="Mette Erasmussen", **details):
    """A subject request received by ``actor`` with ``records`` confirmed as the person's, as
    the DPO leaves it after the person search (not yet verified)."""
    from django.contrib.contenttypes.models import ContentType

    from privacy.models import RequestMatch
    from privacy.subject_requests import subject_request_receive

    request = subject_request_receive(
        kind=kind, channel="email", requester_name=requester_name, actor=actor, **details
    )
    for record in records:
        RequestMatch.objects.create(
            request=request,
            content_type=ContentType.objects.get_for_model(record),
            object_id=str(record.pk),
            label=str(record),
            confirmed=True,
        )
    return request
