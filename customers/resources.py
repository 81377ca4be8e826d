"""Import and export of customers, their contact persons, newsletter subscribers and webshop
orders (privacy/import_export.py). The webshop's own order export has its importer in
woocommerce.py."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.widgets import ForeignKeyWidget

from privacy.import_export import PersonalDataResource

from .models import Company, ContactPerson, NewsletterSubscriber, WebshopOrder


def company_field() -> Field:
    """The customer a row belongs to, by customer number (stable across systems; the id is
    not)."""
    return Field(
        attribute="company",
        column_name="company",
        widget=ForeignKeyWidget(Company, field="customer_number"),
    )


class CompanyResource(PersonalDataResource):
    export_only = ("created_at", "updated_at")

    class Meta:
        model = Company
        fields = (
            "customer_number",
            "name",
            "cvr",
            "street",
            "postcode",
            "city",
            "phone",
            "email",
            "status",
            "customer_since",
            "relationship_ended_on",
            "created_at",
            "updated_at",
        )
        import_id_fields = ["customer_number"]


class ContactPersonResource(PersonalDataResource):
    """Contact persons have no natural key: a row with an id updates that contact, a row
    without one adds a contact."""

    company = company_field()

    class Meta:
        model = ContactPerson
        fields = (
            "id",
            "company",
            "first_name",
            "last_name",
            "title",
            "email",
            "phone",
            "is_primary",
        )
        import_id_fields = ["id"]

    export_only = ("id",)  # it finds the row; ids are the database's to hand out

    def after_init_instance(self, instance: Any, new: bool, row: Any, **kwargs: Any) -> None:
        super().after_init_instance(instance, new, row, **kwargs)
        if new and row.get("id") not in (None, ""):
            raise ValidationError({"id": _("There is no record with this id.")})


class NewsletterSubscriberResource(PersonalDataResource):
    """Subscribers by email address, regardless of case. The dates are the proof of the opt-in
    and of any opt-out (policy §8): a new subscriber needs ``subscribed_at``."""

    case_insensitive_id = True

    class Meta:
        model = NewsletterSubscriber
        fields = (
            "email",
            "language",
            "status",
            "subscribed_at",
            "confirmed_at",
            "unsubscribed_at",
        )
        import_id_fields = ["email"]


class WebshopOrderResource(PersonalDataResource):
    """Orders in SEROP's own columns (the lines are on each order's page)."""

    company = company_field()
    export_only = ("anonymised_at",)

    class Meta:
        model = WebshopOrder
        name = _("Webshop orders (SEROP's columns)")
        fields = (
            "order_number",
            "placed_at",
            "status",
            "company",
            "first_name",
            "last_name",
            "company_name",
            "street",
            "postcode",
            "city",
            "country",
            "phone",
            "email",
            "total",
            "currency",
            "payment_gateway",
            "gateway_transaction_ref",
            "anonymised_at",
        )
        import_id_fields = ["order_number"]
