"""Demo business customers and everything around them (policy §7, §8): companies and their
contacts, Betalingsservice mandates and subscriptions, webshop orders, marketing references
and partners, newsletter subscribers and website enquiries."""

from datetime import timedelta
from decimal import Decimal

from customers.models import (
    BetalingsserviceMandate,
    Company,
    ContactEnquiry,
    ContactPerson,
    CustomerReference,
    NewsletterIssue,
    NewsletterSubscriber,
    OrderLine,
    Partner,
    Subscription,
    WebshopOrder,
)
from privacy.roles import Role
from retention.anonymise import email_digest, placeholder_email
from serop.choices import Language

from . import danish, files
from .context import DemoContext, PendingConsent, backdate, number_base
from .pools import ENQUIRY_MESSAGES, PARTNER_AGREEMENTS, REFERENCE_COMMENTS, WEBSHOP_PRODUCTS

RESTRICTION_REASON = (
    "Den registrerede bestrider oplysningernes rigtighed (GDPR art. 18, stk. 1, a)."
)


def company_domain(name: str) -> str:
    return danish.ascii_slug(name).replace(".", "-") + ".example.com"


def seed_companies(ctx: DemoContext, count: int) -> list[Company]:
    base = number_base(Company)
    companies = []
    for i in range(count):
        name = ctx.pick(ctx.pools.companies)
        street, postcode, city = ctx.address()
        # Mostly customers; a few prospects and former customers (retention demo: one ended
        # long enough ago to be due for deletion).
        status = Company.Status.ACTIVE
        if i % 6 == 4:
            status = Company.Status.PROSPECT
        elif i % 6 == 5:
            status = Company.Status.ENDED
        since = ctx.date_between(ctx.today - timedelta(days=12 * 365), ctx.today - timedelta(90))
        ended = None
        if status == Company.Status.ENDED:
            ended = ctx.date_between(since + timedelta(days=60), ctx.today - timedelta(days=20))
        companies.append(
            Company(
                name=name,
                cvr=None
                if status == Company.Status.PROSPECT and i % 2
                else danish.demo_cvr(base + i + 1),
                customer_number=f"K{base + i + 1:05d}",
                street=street,
                postcode=postcode,
                city=city,
                phone=ctx.phone(landline=True),
                email=f"kontakt@{company_domain(name)}",
                status=status,
                customer_since=None if status == Company.Status.PROSPECT else since,
                relationship_ended_on=ended,
            )
        )
    Company.objects.bulk_create(companies)
    backdate(
        Company,
        {
            c.pk: {"created_at": ctx.days_ago(400, 4000), "updated_at": ctx.days_ago(1, 300)}
            for c in companies
        },
    )
    ctx.count("customers.Company", len(companies))

    contacts = []
    for i, company in enumerate(companies):
        for j in range(ctx.rng.randint(1, 3)):
            person = ctx.person()
            contacts.append(
                ContactPerson(
                    company=company,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    title=ctx.pick(("Direktør", "HR-chef", "Driftsleder", "Bogholder", "Indkøber")),
                    email=f"{danish.ascii_slug(person.name)}@{company_domain(company.name)}",
                    phone=ctx.phone(),
                    is_primary=j == 0,
                    **_restricted(ctx, i == 1 and j == 0),
                )
            )
    ContactPerson.objects.bulk_create(contacts)
    ctx.count("customers.ContactPerson", len(contacts))
    return companies


def _restricted(ctx: DemoContext, restricted: bool) -> dict:
    if not restricted:
        return {}
    return {
        "is_restricted": True,
        "restricted_at": ctx.days_ago(2, 20),
        "restriction_reason": RESTRICTION_REASON,
    }


def seed_subscriptions(ctx: DemoContext, companies: list[Company]) -> None:
    customers = [c for c in companies if c.cvr and c.customer_since]
    mandates, subscriptions = [], []
    for i, company in enumerate(customers[:6]):
        reg_no, account_no = danish.bank_account(ctx.rng)
        started = ctx.date_between(company.customer_since, ctx.today - timedelta(days=30))  # type: ignore[arg-type]
        cancelled = company.relationship_ended_on or (
            ctx.date_between(started, ctx.today) if i == 5 else None
        )
        mandate = BetalingsserviceMandate(
            company=company,
            cvr=company.cvr or "",  # only companies with a CVR number have mandates
            reg_no=reg_no,
            account_no=account_no,
            pbs_customer_number=f"{ctx.rng.randrange(10**14, 10**15)}",
            status=BetalingsserviceMandate.Status.CANCELLED
            if cancelled
            else BetalingsserviceMandate.Status.ACTIVE,
            registered_on=started,
            cancelled_on=cancelled,
        )
        mandates.append(mandate)
        product = ctx.pick(Subscription.Product.values)
        price = {"hr": "1195.00", "employment_law": "995.00", "combined": "1895.00"}[product]
        subscriptions.append(
            Subscription(
                company=company,
                mandate=mandate,
                product=product,
                monthly_price=Decimal(price),
                started_on=started,
                ended_on=cancelled,
            )
        )
    BetalingsserviceMandate.objects.bulk_create(mandates)
    Subscription.objects.bulk_create(subscriptions)
    ctx.count("customers.BetalingsserviceMandate", len(mandates))
    ctx.count("customers.Subscription", len(subscriptions))


def seed_webshop(ctx: DemoContext, companies: list[Company], count: int) -> None:
    base = number_base(WebshopOrder)
    orders, lines = [], []
    for i in range(count):
        person = ctx.person()
        company = ctx.pick(companies) if ctx.chance(0.6) else None
        street, postcode, city = ctx.address()
        country = "DK"
        if i == 3:  # a Swedish customer: the webshop takes non-Danish addresses
            country, postcode, city = "SE", "211 22", "Malmö"
        placed = ctx.days_ago(1, 6 * 365)
        order_lines = [
            OrderLine(product=p, quantity=ctx.rng.randint(1, 3), unit_price=Decimal(price))
            for p, price in ctx.rng.sample(WEBSHOP_PRODUCTS, ctx.rng.randint(1, 3))
        ]
        status = ctx.pick(WebshopOrder.Status.values) if i % 4 == 0 else "completed"
        order = WebshopOrder(
            order_number=f"WS-{base + i + 10001}",
            company=company,
            first_name=person.first_name,
            last_name=person.last_name,
            company_name=company.name if company else "",
            country=country,
            street=street,
            postcode=postcode,
            city=city,
            phone=ctx.phone(),
            email=ctx.email(person, base + i + 1),
            status=status,
            total=sum((line.unit_price * line.quantity for line in order_lines), Decimal(0)),
            gateway_transaction_ref=""
            if status == "pending"
            else str(ctx.rng.randrange(10**8, 10**9)),
            placed_at=placed,
            # A buyer who asked to be erased: the order is kept for the books, restricted.
            **_restricted(ctx, i == 2),
        )
        # An order from more than five years ago whose buyer has already been anonymised
        # (the order stays for the books; Bogføringsloven).
        if i == 0:
            order.placed_at = ctx.days_ago(5.5 * 365, 6 * 365)
            order.anonymised_at = order.placed_at + timedelta(days=5 * 365 + 200)
            order.first_name = order.last_name = "Anonymiseret"
            order.street, order.city, order.phone = "Anonymiseret", "Anonymiseret", "00000000"
            order.email = f"anonymiseret{base + i + 1}@example.com"
        orders.append(order)
        for line in order_lines:
            line.order = order
            lines.append(line)
    WebshopOrder.objects.bulk_create(orders)
    OrderLine.objects.bulk_create(lines)
    ctx.count("customers.WebshopOrder", len(orders))
    ctx.count("customers.OrderLine", len(lines))


def seed_marketing(ctx: DemoContext, companies: list[Company]) -> None:
    references = []
    for i, company in enumerate(c for c in companies if c.status == Company.Status.ACTIVE):
        if i >= 3:
            break
        person = ctx.person()
        given = ctx.days_ago(100, 1000)
        withdrawn = ctx.between(given, ctx.now) if i == 2 else None
        references.append(
            CustomerReference(
                company=company,
                comment=REFERENCE_COMMENTS[i % len(REFERENCE_COMMENTS)],
                contact_name=person.name,
                contact_email=f"{danish.ascii_slug(person.name)}@{company_domain(company.name)}",
                logo=files.store(
                    CustomerReference._meta.get_field("logo"),
                    "logo.png",
                    files.image((160, 80), (20 + 60 * i, 70, 120), label=company.name[:18]),
                ),
                permission_given_at=given,
                permission_withdrawn_at=withdrawn,
                is_published=withdrawn is None,
                **_restricted(ctx, withdrawn is not None),
            )
        )
    CustomerReference.objects.bulk_create(references)
    partners = []
    for i, agreement in enumerate(PARTNER_AGREEMENTS):
        person = ctx.person()
        name = ctx.pick(ctx.pools.companies)
        given = ctx.days_ago(100, 1500)
        withdrawn = ctx.between(given, ctx.now) if i == 1 else None
        partners.append(
            Partner(
                name=name,
                agreement=agreement,
                contact_name=person.name,
                contact_email=f"{danish.ascii_slug(person.name)}@{company_domain(name)}",
                contact_phone=ctx.phone(),
                logo=files.store(
                    Partner._meta.get_field("logo"),
                    "partner-logo.png",
                    files.image((160, 80), (120, 40 + 50 * i, 60), label=name[:18]),
                ),
                permission_given_at=given,
                permission_withdrawn_at=withdrawn,
                is_published=withdrawn is None,
                **_restricted(ctx, withdrawn is not None),
            )
        )
    Partner.objects.bulk_create(partners)
    ctx.count("customers.CustomerReference", len(references))
    ctx.count("customers.Partner", len(partners))


def seed_subscribers(ctx: DemoContext, count: int) -> None:
    base = number_base(NewsletterSubscriber)
    subscribers = []
    for i in range(count):
        person = ctx.person()
        subscribed = ctx.days_ago(1, 5 * 365)
        status = NewsletterSubscriber.Status.CONFIRMED
        if i % 6 == 1:
            status = NewsletterSubscriber.Status.PENDING
        elif i % 6 == 2:
            status = NewsletterSubscriber.Status.UNSUBSCRIBED
        confirmed = None
        if status != NewsletterSubscriber.Status.PENDING:
            confirmed = subscribed + timedelta(minutes=ctx.rng.randint(2, 600))
        unsubscribed = None
        if status == NewsletterSubscriber.Status.UNSUBSCRIBED and confirmed:
            unsubscribed = ctx.between(confirmed, ctx.now)
        subscriber = NewsletterSubscriber(
            email=ctx.email(person, base + i + 1),
            language=Language.ENGLISH if i % 7 == 3 else Language.DANISH,
            status=status,
            subscribed_at=subscribed,
            confirmed_at=confirmed,
            unsubscribed_at=unsubscribed,
            **_restricted(ctx, i == 4),
        )
        if unsubscribed is not None and i % 12 == 2:
            # Already through the retention rule: only the proof of the opt-out is left.
            subscriber.email_digest = email_digest(subscriber.email)
            subscriber.email = placeholder_email(subscriber.public_id)
        subscribers.append(subscriber)
    NewsletterSubscriber.objects.bulk_create(subscribers)
    for subscriber in subscribers:
        if subscriber.confirmed_at:  # double opt-in: the consent is the confirmation
            ctx.consents.append(
                PendingConsent(
                    "newsletter",
                    subscriber.confirmed_at,
                    subscriber=subscriber,
                    withdrawn_at=subscriber.unsubscribed_at,
                )
            )
    ctx.count("customers.NewsletterSubscriber", len(subscribers))
    seed_newsletter_issues(ctx, sent_to=sum(1 for s in subscribers if s.status == "confirmed"))


def seed_newsletter_issues(ctx: DemoContext, *, sent_to: int) -> None:
    """One newsletter already sent and one draft, for the admin's send action."""
    sent = NewsletterIssue.objects.create(
        subject_da="Nyt om ferieloven og vikarer",
        body_da="Kære læser\n\nHer er årets vigtigste ændringer for vikarer og deres ferie.",
        subject_en="News on the Holiday Act and temps",
        body_en="Dear reader\n\nHere are this year's main changes for temps and their holidays.",
    )
    NewsletterIssue.objects.filter(pk=sent.pk).update(
        sent_at=ctx.days_ago(20, 60), recipient_count=sent_to
    )
    NewsletterIssue.objects.create(
        subject_da="Sådan finder du den rette konsulent",
        body_da="Kære læser\n\nFem spørgsmål, du skal stille, før du hyrer en konsulent.",
        subject_en="How to find the right consultant",
        body_en="Dear reader\n\nFive questions to ask before you hire a consultant.",
    )
    ctx.count("customers.NewsletterIssue", 2)


def seed_enquiries(ctx: DemoContext, count: int) -> None:
    handler = ctx.users[Role.ACCOUNT_MANAGER]
    enquiries = []
    for i in range(count):
        person = ctx.person()
        received = ctx.days_ago(1, 20 * 30)
        handled = i % 4 != 0
        topics = ctx.rng.sample(ContactEnquiry.Topic.values, ctx.rng.randint(1, 2))
        enquiries.append(
            ContactEnquiry(
                topics=topics,
                name=person.name,
                email=ctx.email(person, i + 1),
                phone=ctx.phone() if ctx.chance(0.7) else "",
                message=ctx.pick(ENQUIRY_MESSAGES),
                language=Language.ENGLISH if i % 5 == 2 else Language.DANISH,
                received_at=received,
                handled_at=received + timedelta(hours=ctx.rng.randint(1, 48)) if handled else None,
                handled_by=handler if handled else None,
                **_restricted(ctx, i == 2),
            )
        )
    ContactEnquiry.objects.bulk_create(enquiries)
    ctx.count("customers.ContactEnquiry", len(enquiries))
