"""What SEROP holds about customers, webshop buyers, references, partners, newsletter subscribers
and website visitors (policy §7, §8), and why."""

from consents.purposes import ConsentPurpose as Consent
from privacy.registry import (
    NOT_PERSONAL,
    Declaration,
    NotPersonal,
    PersonalData,
    person_record_fields,
    register,
    register_non_personal,
)
from privacy.taxonomy import Category as C
from privacy.taxonomy import LegalBasis as B
from privacy.taxonomy import Purpose as P
from privacy.taxonomy import Source, Subject

from .models import (
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

CUSTOMER = "customer_relationship"
ACCOUNTING = "accounting_record"
WEB = ("simply",)  # serop.dk, hosted by Simply.com (unoeuro)
WEB_AND_MAIL = ("simply", "microsoft")


def customer(
    category: C,
    *,
    purposes: tuple[P, ...] = (P.CUSTOMER_CONTRACTS,),
    basis: tuple[B, ...] = (B.ART6_1B, B.ART6_1F),
    retention: str = CUSTOMER,
    source: Source = Source.SUBJECT,
    processors: tuple[str, ...] = WEB_AND_MAIL,
) -> PersonalData:
    """A customer-register value: kept while the customer is a customer, plus a grace period
    (policy §13). The contract is with the business; a prospect or a contact person is there on
    SEROP's legitimate interest in the relationship."""
    return PersonalData(
        category,
        purposes=purposes,
        basis=basis,
        retention=retention,
        source=source,
        processors=processors,
    )


# A company is not a person, but a sole proprietorship (enkeltmandsvirksomhed) is: its name is
# often the owner's, its CVR number identifies the owner, its address may be their home. Every
# descriptive field is declared personal so that such a customer gets the same protection.
register(
    Company,
    subject=Subject.CUSTOMER_CONTACT,
    fields={
        "id": NOT_PERSONAL,
        "name": customer(C.IDENTITY, basis=(B.ART6_1B, B.ART6_1C, B.ART6_1F)),
        "cvr": customer(C.IDENTITY, basis=(B.ART6_1B, B.ART6_1C, B.ART6_1F)),
        "customer_number": customer(C.CUSTOMER_RELATIONSHIP, source=Source.SEROP),
        "street": customer(C.ADDRESS, basis=(B.ART6_1B, B.ART6_1C, B.ART6_1F)),
        "postcode": customer(C.ADDRESS, basis=(B.ART6_1B, B.ART6_1C, B.ART6_1F)),
        "city": customer(C.ADDRESS, basis=(B.ART6_1B, B.ART6_1C, B.ART6_1F)),
        "phone": customer(C.CONTACT),
        "email": customer(C.CONTACT),
        "status": customer(C.CUSTOMER_RELATIONSHIP, source=Source.SEROP),
        "customer_since": customer(C.CUSTOMER_RELATIONSHIP, source=Source.SEROP),
        "relationship_ended_on": customer(C.CUSTOMER_RELATIONSHIP, source=Source.SEROP),
        "created_at": customer(C.TECHNICAL, source=Source.SYSTEM, basis=(B.ART6_1F,)),
        "updated_at": customer(C.TECHNICAL, source=Source.SYSTEM, basis=(B.ART6_1F,)),
    },
)

# The contract is with the customer, not with its contact person: legitimate interest.
register(
    ContactPerson,
    subject=Subject.CUSTOMER_CONTACT,
    fields={
        **person_record_fields(CUSTOMER),
        "id": NOT_PERSONAL,
        # Where the person works: a fact about them, not only a link.
        "company": customer(C.CUSTOMER_RELATIONSHIP, basis=(B.ART6_1F,)),
        "first_name": customer(C.IDENTITY, basis=(B.ART6_1F,)),
        "last_name": customer(C.IDENTITY, basis=(B.ART6_1F,)),
        "title": customer(C.CUSTOMER_RELATIONSHIP, basis=(B.ART6_1F,)),
        "email": customer(C.CONTACT, basis=(B.ART6_1F,)),
        "phone": customer(C.CONTACT, basis=(B.ART6_1F,)),
        "is_primary": customer(C.CUSTOMER_RELATIONSHIP, basis=(B.ART6_1F,), source=Source.SEROP),
    },
)


def billed(
    category: C,
    *,
    purposes: tuple[P, ...] = (P.SUBSCRIPTIONS, P.BOOKKEEPING),
    source: Source = Source.SUBJECT,
    processors: tuple[str, ...] = ("nets",),
) -> PersonalData:
    """A value behind a payment: documentation under Bogføringsloven, kept 5 years from the end
    of the financial year (Art. 6(1)(c)), then anonymised."""
    return PersonalData(
        category,
        purposes=purposes,
        basis=(B.ART6_1B, B.ART6_1C),
        retention=ACCOUNTING,
        source=source,
        processors=processors,
    )


# Betalingsservice (policy §8): the mandate registered at Nets for direct debit.
register(
    BetalingsserviceMandate,
    subject=Subject.CUSTOMER_CONTACT,
    person="company",
    fields={
        "id": NOT_PERSONAL,
        "company": NOT_PERSONAL,
        "cvr": billed(C.IDENTITY),
        "reg_no": billed(C.FINANCIAL),
        "account_no": billed(C.FINANCIAL),
        "pbs_customer_number": billed(C.CUSTOMER_RELATIONSHIP),
        "status": billed(C.CUSTOMER_RELATIONSHIP, source=Source.SYSTEM),
        "registered_on": billed(C.CUSTOMER_RELATIONSHIP, source=Source.SYSTEM),
        "cancelled_on": billed(C.CUSTOMER_RELATIONSHIP, source=Source.SYSTEM),
    },
)

# The subscription is the agreement behind every Betalingsservice debit, so it is kept as
# accounting documentation with its mandate rather than deleted with the customer register.
SUBSCRIPTION_SYSTEMS = ("nets", "simply", "microsoft")
register(
    Subscription,
    subject=Subject.CUSTOMER_CONTACT,
    person="company",
    fields={
        "id": NOT_PERSONAL,
        "company": NOT_PERSONAL,
        "mandate": NotPersonal("link to the mandate, declared there"),
        **{
            name: billed(C.PURCHASE, source=Source.SEROP, processors=SUBSCRIPTION_SYSTEMS)
            for name in ("product", "monthly_price", "started_on", "ended_on")
        },
    },
)

# Webshop (policy §8): the WooCommerce profile and order. Card data is entered at Quickpay and
# never reaches SEROP; only the gateway's reference is kept. Bookkeeping keeps the order for 5
# years from the end of the financial year; then the buyer is anonymised out of it.
SHOP = ("simply", "woocommerce", "quickpay")


def ordered(category: C, *, source: Source = Source.SUBJECT) -> PersonalData:
    return billed(category, purposes=(P.WEBSHOP, P.BOOKKEEPING), source=source, processors=SHOP)


register(
    WebshopOrder,
    subject=Subject.WEBSHOP_CUSTOMER,
    fields={
        # A person record: an erasure request restricts the order until its date.
        **person_record_fields(ACCOUNTING),
        "id": NOT_PERSONAL,
        "order_number": ordered(C.PURCHASE, source=Source.SYSTEM),
        # Which customer the buyer belongs to: matched by SEROP.
        "company": ordered(C.CUSTOMER_RELATIONSHIP, source=Source.SEROP),
        "first_name": ordered(C.IDENTITY),
        "last_name": ordered(C.IDENTITY),
        "company_name": ordered(C.CUSTOMER_RELATIONSHIP),
        "country": ordered(C.ADDRESS),
        "street": ordered(C.ADDRESS),
        "postcode": ordered(C.ADDRESS),
        "city": ordered(C.ADDRESS),
        "phone": ordered(C.CONTACT),
        "email": ordered(C.CONTACT),
        "status": ordered(C.PURCHASE, source=Source.SYSTEM),
        "total": ordered(C.PURCHASE, source=Source.SYSTEM),
        "currency": ordered(C.PURCHASE, source=Source.SYSTEM),
        "payment_gateway": ordered(C.PURCHASE, source=Source.SYSTEM),
        "gateway_transaction_ref": ordered(C.PURCHASE, source=Source.SYSTEM),
        "placed_at": ordered(C.PURCHASE, source=Source.SYSTEM),
        "anonymised_at": NotPersonal("processing state of the record"),
    },
)

# What a person bought is data about them for as long as the order names them (and belongs in
# their access request); once the order is anonymised the lines describe only a sale.
register(
    OrderLine,
    subject=Subject.WEBSHOP_CUSTOMER,
    person="order",
    fields={
        "id": NOT_PERSONAL,
        "order": NOT_PERSONAL,
        "product": ordered(C.PURCHASE),
        "quantity": ordered(C.PURCHASE),
        "unit_price": ordered(C.PURCHASE, source=Source.SYSTEM),
    },
)


def shown(
    category: C,
    consent: str,
    *,
    source: Source = Source.SUBJECT,
) -> PersonalData:
    """A reference or partner value: used in marketing on the permission given (policy §7),
    until it is withdrawn."""
    return PersonalData(
        category,
        purposes=(P.MARKETING_REFERENCES,),
        basis=(B.ART6_1A,),
        retention="marketing_permission",
        source=source,
        processors=WEB,
        consent=consent,
    )


def marketing_permission_fields(consent: str) -> dict[str, Declaration]:
    """Declarations of the fields every ``MarketingPermission`` inherits."""
    return {
        **person_record_fields("marketing_permission"),
        "contact_name": shown(C.IDENTITY, consent),
        "contact_email": shown(C.CONTACT, consent),
        # A company logo; a person's only where the business is theirs.
        "logo": shown(C.UPLOADED_FILE, consent),
        "permission_given_at": shown(C.MARKETING, consent, source=Source.SYSTEM),
        "permission_withdrawn_at": shown(C.MARKETING, consent, source=Source.SYSTEM),
        "is_published": shown(C.MARKETING, consent, source=Source.SEROP),
    }


register(
    CustomerReference,
    subject=Subject.REFERENCE_PARTNER,
    fields={
        **marketing_permission_fields(Consent.REFERENCE_MARKETING),
        "id": NOT_PERSONAL,
        "company": shown(C.CUSTOMER_RELATIONSHIP, Consent.REFERENCE_MARKETING),
        "comment": shown(C.FREE_TEXT, Consent.REFERENCE_MARKETING),
    },
)

register(
    Partner,
    subject=Subject.REFERENCE_PARTNER,
    fields={
        **marketing_permission_fields(Consent.PARTNER_MARKETING),
        "id": NOT_PERSONAL,
        "name": shown(C.IDENTITY, Consent.PARTNER_MARKETING),
        # The partnership as presented on the partners page (policy §7).
        "agreement": shown(C.FREE_TEXT, Consent.PARTNER_MARKETING),
        "contact_phone": shown(C.CONTACT, Consent.PARTNER_MARKETING),
    },
)

# Newsletter (policy §8): active opt-in only. A row lives under one of two rules, told apart by
# ``status``: a signup still pending expires ("newsletter_unconfirmed"); a subscription ends on
# unsubscribe, keeping only what proves the opt-out ("newsletter_unsubscribed").
UNSUBSCRIBED = "newsletter_unsubscribed"


def subscribed(
    category: C, *, retention: str = UNSUBSCRIBED, source: Source = Source.SUBJECT
) -> PersonalData:
    return PersonalData(
        category,
        purposes=(P.NEWSLETTER,),
        basis=(B.ART6_1A,),
        retention=retention,
        source=source,
        processors=WEB,
        consent=Consent.NEWSLETTER,
    )


register(
    NewsletterSubscriber,
    subject=Subject.NEWSLETTER_SUBSCRIBER,
    fields={
        **person_record_fields(UNSUBSCRIBED),
        "id": NOT_PERSONAL,
        "email": subscribed(C.CONTACT),
        "language": subscribed(C.CONTACT),
        "status": subscribed(C.MARKETING, retention="newsletter_unconfirmed", source=Source.SYSTEM),
        "subscribed_at": subscribed(C.MARKETING, source=Source.SYSTEM),
        "confirmed_at": subscribed(C.MARKETING, source=Source.SYSTEM),
        "unsubscribed_at": subscribed(C.MARKETING, source=Source.SYSTEM),
        # What remains of an unsubscribed address: its keyed hash, to prove the opt-out and
        # honour it on a new signup (Markedsføringsloven §10; GDPR Art. 7(3), 21(3)).
        "email_digest": PersonalData(
            C.TECHNICAL,
            purposes=(P.CONSENT_PROOF,),
            basis=(B.ART6_1C, B.ART6_1F),
            retention=UNSUBSCRIBED,
            source=Source.SYSTEM,
            processors=WEB,
        ),
    },
)

# The text of a newsletter; who sent it is in the audit trail, not on the row.
register_non_personal(NewsletterIssue, reason="a newsletter issue is the text sent, not a person")

# The contact form (policy §7): answering is SEROP's legitimate interest; kept 12 months after
# the last message.
ENQUIRY = "contact_enquiry"


def enquired(category: C, *, source: Source = Source.SUBJECT) -> PersonalData:
    return PersonalData(
        category,
        purposes=(P.ENQUIRIES,),
        basis=(B.ART6_1F,),
        retention=ENQUIRY,
        source=source,
        processors=WEB_AND_MAIL,
    )


register(
    ContactEnquiry,
    subject=Subject.WEBSITE_VISITOR,
    fields={
        **person_record_fields(ENQUIRY),
        "id": NOT_PERSONAL,
        "topics": enquired(C.CUSTOMER_RELATIONSHIP),
        "name": enquired(C.IDENTITY),
        "email": enquired(C.CONTACT),
        "phone": enquired(C.CONTACT),
        "message": enquired(C.FREE_TEXT),
        "language": enquired(C.CONTACT),
        "received_at": enquired(C.TECHNICAL, source=Source.SYSTEM),
        "handled_at": enquired(C.TECHNICAL, source=Source.SYSTEM),
        "handled_by": PersonalData(
            C.TECHNICAL,
            purposes=(P.SECURITY_AUDIT,),
            basis=(B.ART6_1F,),
            retention=ENQUIRY,
            source=Source.SYSTEM,
            subject=Subject.STAFF,
        ),
    },
)
