"""Business customers, the webshop, marketing references and partners, newsletter subscribers
and website enquiries (policy §7, §8)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from privacy.fields import EncryptedCharField
from privacy.models import PersonRecord
from serop.choices import Language
from serop.storage import PrivateUploadPath
from serop.validators import (
    validate_account_no,
    validate_cvr,
    validate_phone,
    validate_postcode,
    validate_reg_no,
)


class Company(models.Model):
    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Customer")
        ENDED = "ended", _("Former customer")

    name = models.CharField(_("name"), max_length=200)
    cvr = models.CharField(
        _("CVR number"), max_length=8, unique=True, null=True, blank=True, validators=[validate_cvr]
    )
    customer_number = models.CharField(_("customer number"), max_length=20, unique=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=4, blank=True, validators=[validate_postcode]
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROSPECT, db_index=True
    )
    customer_since = models.DateField(_("customer since"), null=True, blank=True)
    relationship_ended_on = models.DateField(
        _("relationship ended"), null=True, blank=True, db_index=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ContactPerson(PersonRecord):
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("customer")
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["last_name", "first_name"]
        indexes = [  # for finding a person's records (privacy/person_search.py)
            models.Index(Lower("email"), name="contactperson_email_ci"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.company})"

    def display_name(self) -> str:
        """The contact as histories and reports show it: a restricted person (GDPR Art. 18) by
        their company only, never by name."""
        if self.is_restricted:
            return gettext("A contact person at %(customer)s (restricted)") % {
                "customer": self.company
            }
        return str(self)


class BetalingsserviceMandate(models.Model):
    """A direct-debit agreement registered at Nets for a subscription (policy §8)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    # PROTECT: a mandate is a bookkeeping record (5 years, Bogføringsloven); ending the
    # customer relationship must never delete it along with the company.
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="mandates", verbose_name=_("customer")
    )
    cvr = models.CharField(_("CVR number"), max_length=8, validators=[validate_cvr])
    reg_no = EncryptedCharField(
        _("bank registration number"), max_length=4, validators=[validate_reg_no]
    )
    account_no = EncryptedCharField(
        _("bank account number"), max_length=10, validators=[validate_account_no]
    )
    pbs_customer_number = models.CharField(_("Betalingsservice customer number"), max_length=15)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    registered_on = models.DateField(_("registered"))
    cancelled_on = models.DateField(_("cancelled"), null=True, blank=True)

    class Meta:
        verbose_name = _("Betalingsservice mandate")
        verbose_name_plural = _("Betalingsservice mandates")
        ordering = ["-registered_on"]

    def __str__(self) -> str:
        return f"{self.company} ({self.pbs_customer_number})"


class Subscription(models.Model):
    class Product(models.TextChoices):
        HR = "hr", _("HR subscription")
        EMPLOYMENT_LAW = "employment_law", _("Employment-law subscription")
        COMBINED = "combined", _("HR and employment law")

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("customer")
    )
    mandate = models.ForeignKey(
        BetalingsserviceMandate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("Betalingsservice mandate"),
    )
    product = models.CharField(_("product"), max_length=20, choices=Product.choices)
    monthly_price = models.DecimalField(_("monthly price (DKK)"), max_digits=9, decimal_places=2)
    started_on = models.DateField(_("started"))
    ended_on = models.DateField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return f"{self.get_product_display()}: {self.company}"


class WebshopOrder(PersonRecord):
    """An order from the WooCommerce webshop. Card data is entered at Quickpay only and never
    reaches SEROP: the order keeps the gateway's transaction reference, nothing more.

    A person record: a private buyer's order is kept for the Bookkeeping Act, so an erasure
    request restricts it (GDPR Art. 18) until the retention job anonymises it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        COMPLETED = "completed", _("Completed")
        REFUNDED = "refunded", _("Refunded")
        CANCELLED = "cancelled", _("Cancelled")

    order_number = models.CharField(_("order number"), max_length=20, unique=True)
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("customer"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, default="DK")
    street = models.CharField(_("street and number"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=10)
    city = models.CharField(_("city"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, validators=[validate_phone])
    email = models.EmailField(_("email"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    total = models.DecimalField(_("total"), max_digits=10, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="DKK")
    payment_gateway = models.CharField(_("payment gateway"), max_length=20, default="quickpay")
    gateway_transaction_ref = models.CharField(_("payment reference"), max_length=64, blank=True)
    placed_at = models.DateTimeField(_("placed"), db_index=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        verbose_name = _("webshop order")
        verbose_name_plural = _("webshop orders")
        ordering = ["-placed_at"]
        indexes = [  # for finding a person's records (privacy/person_search.py)
            models.Index(Lower("email"), name="webshoporder_email_ci"),
        ]

    def __str__(self) -> str:
        return self.order_number


class OrderLine(models.Model):
    order = models.ForeignKey(
        WebshopOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    product = models.CharField(_("product"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product}"


class MarketingPermission(PersonRecord):
    """Shared shape of a reference or partner shown in marketing with permission."""

    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_email = models.EmailField(_("contact email"), blank=True)
    logo = models.ImageField(
        _("logo"), upload_to=PrivateUploadPath("marketing"), blank=True, max_length=255
    )
    permission_given_at = models.DateTimeField(_("permission given"))
    permission_withdrawn_at = models.DateTimeField(_("permission withdrawn"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)

    class Meta:
        abstract = True


class CustomerReference(MarketingPermission):
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="references", verbose_name=_("customer")
    )
    comment = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("customer reference")
        verbose_name_plural = _("customer references")

    def __str__(self) -> str:
        return str(self.company)


class Partner(MarketingPermission):
    name = models.CharField(_("partner"), max_length=200)
    agreement = models.TextField(_("agreement"))
    contact_phone = models.CharField(
        _("contact phone"), max_length=32, blank=True, validators=[validate_phone]
    )

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NewsletterSubscriber(PersonRecord):
    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    email = models.EmailField(_("email"))
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DANISH
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    subscribed_at = models.DateTimeField(_("signed up"))
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    # Set when retention anonymises an unsubscribed row: the keyed hash of the address
    # (retention.anonymise.email_digest), so a new signup is recognised as having opted out
    # before, while the address itself is gone.
    email_digest = models.CharField(
        _("proof of opt-out (keyed hash of the address)"),
        max_length=64,
        blank=True,
        db_index=True,
        editable=False,
    )

    class Meta:
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")
        ordering = ["-subscribed_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="subscriber_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.email


class NewsletterIssue(models.Model):
    """One newsletter, written in both languages; each confirmed subscriber gets it in theirs.
    Sent from the admin (customers/newsletter.py); who sent it is in the audit trail."""

    subject_da = models.CharField(_("subject (Danish)"), max_length=200)
    body_da = models.TextField(_("text (Danish)"))
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_en = models.TextField(_("text (English)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)
    recipient_count = models.PositiveIntegerField(
        _("recipients"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject_da

    def subject(self, language: str) -> str:
        return self.subject_en if language == "en" else self.subject_da

    def body(self, language: str) -> str:
        return self.body_en if language == "en" else self.body_da


class ContactEnquiry(PersonRecord):
    """A message from the website's contact form (policy §7)."""

    class Topic(models.TextChoices):
        TEMP = "temp", _("Temp staff")
        RECRUITMENT = "recruitment", _("Recruitment")
        CONSULTANTS = "consultants", _("Consultants")
        PAYROLL = "payroll", _("Payroll administration")
        HR = "hr", _("HR and employment law")
        OTHER = "other", _("Other")

    topics = models.JSONField(_("topics"), default=list)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    message = models.TextField(_("message"), blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DANISH
    )
    received_at = models.DateTimeField(_("received"), db_index=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )

    class Meta:
        verbose_name = _("website enquiry")
        verbose_name_plural = _("website enquiries")
        ordering = ["-received_at"]
        indexes = [  # for finding a person's records (privacy/person_search.py)
            models.Index(Lower("email"), name="contactenquiry_email_ci"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.received_at:%Y-%m-%d}"
