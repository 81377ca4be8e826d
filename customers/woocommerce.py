"""Importer of the webshop's order export (WooCommerce), into ``WebshopOrder`` and ``OrderLine``.

Accepted files: the "Customer / Order CSV Export" extension's formats, one row per order (line
items in a ``line_items`` column: ``name:X|quantity:2|total:200.00;name:Y|...``, or a JSON
list) and one row per line item (``item_name``, ``item_quantity``, ``item_total``), with its
snake_case column names (``order_number``, ``billing_email``...) or the title-case headers of
other exports ("Order Number", "Billing Email Address"...). Headers are matched case- and
punctuation-insensitively against the aliases in ``COLUMNS``.

Card data never reaches SEROP (policy §8): only the columns named in ``COLUMNS`` are read, so
anything else a file carries (card numbers, expiry dates, IP addresses, notes) is dropped when
the file is read, before validation, preview or storage.

Used by the webshop orders' admin (import) and by ``manage.py import_woocommerce``.
"""

import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.widgets import CharWidget, DateTimeWidget, DecimalWidget

from privacy.import_export import PersonalDataResource

from .models import OrderLine, WebshopOrder

# Our column -> the normalised headers it is read from, the first present winning.
COLUMNS: dict[str, tuple[str, ...]] = {
    "order_number": ("order_number", "order_no", "order", "order_number_formatted", "order_id"),
    "placed_at": ("order_date", "date", "date_created", "order_created", "created_at"),
    "status": ("status", "order_status"),
    "first_name": ("billing_first_name",),
    "last_name": ("billing_last_name",),
    "company_name": ("billing_company",),
    "email": ("billing_email", "billing_email_address", "customer_email"),
    "phone": ("billing_phone", "billing_phone_number"),
    "street": ("billing_address_1", "billing_address", "billing_street"),
    "street_2": ("billing_address_2",),
    "postcode": ("billing_postcode", "billing_post_code", "billing_zip", "billing_zip_code"),
    "city": ("billing_city",),
    "country": ("billing_country", "billing_country_code"),
    "total": ("order_total", "total", "order_total_amount"),
    "currency": ("order_currency", "currency"),
    "payment_gateway": ("payment_method", "payment_method_id", "payment_gateway"),
    "gateway_transaction_ref": ("transaction_id", "payment_transaction_id"),
    "line_items": ("line_items", "order_items"),
    "item_name": ("item_name", "product_name"),
    "item_quantity": ("item_quantity", "item_qty", "quantity"),
    "item_total": ("item_total", "line_total"),
    "item_price": ("item_price", "item_cost", "unit_price"),
}
ORDER_COLUMNS = [
    "order_number",
    "placed_at",
    "status",
    "first_name",
    "last_name",
    "company_name",
    "email",
    "phone",
    "street",
    "postcode",
    "city",
    "country",
    "total",
    "currency",
    "payment_gateway",
    "gateway_transaction_ref",
    "lines",
]

# WooCommerce's order statuses (with or without "wc-") -> ours.
STATUSES = {
    "pending": WebshopOrder.Status.PENDING,
    "on-hold": WebshopOrder.Status.PENDING,
    "checkout-draft": WebshopOrder.Status.PENDING,
    "processing": WebshopOrder.Status.PAID,
    "paid": WebshopOrder.Status.PAID,
    "completed": WebshopOrder.Status.COMPLETED,
    "refunded": WebshopOrder.Status.REFUNDED,
    "cancelled": WebshopOrder.Status.CANCELLED,
    "failed": WebshopOrder.Status.CANCELLED,
}
# ISO 8601 first (what WooCommerce writes); then Danish day-first dates with dashes or dots,
# and the US month-first dates with slashes of some export plugins.
DATE_FORMATS = [
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d.%m.%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d-%m-%Y",
    "%m/%d/%Y",
]
CENT = Decimal("0.01")


def normalize_header(header: Any) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(header or "").strip().lower()).strip("_")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def orders_from_dataset(dataset: tablib.Dataset) -> tablib.Dataset:
    """One row per order in ``ORDER_COLUMNS``, from a WooCommerce export of either shape.
    Rows of the same order (one row per line item) are merged; their items become its lines.
    Values stay as the file has them: the resource's widgets parse and validate them."""
    position: dict[str, int] = {}
    for index, header in enumerate(dataset.headers or []):
        position.setdefault(normalize_header(header), index)
    source = {
        ours: next((position[a] for a in aliases if a in position), None)
        for ours, aliases in COLUMNS.items()
    }
    if source["order_number"] is None:
        raise ValueError(
            gettext("This is not a WooCommerce order export: it has no order number column.")
        )

    def get(row: Any, ours: str) -> str:
        index = source[ours]
        return _text(row[index]) if index is not None else ""

    # Only the columns the file has: an update leaves what the file does not mention alone.
    has_lines = source["line_items"] is not None or source["item_name"] is not None
    present = ["street"] if source["street_2"] is not None else []
    present += [n for n in ORDER_COLUMNS if n in source and source[n] is not None]
    columns = [n for n in ORDER_COLUMNS if n in present or (n == "lines" and has_lines)]

    orders: dict[str, dict[str, Any]] = {}
    for row in dataset:
        number = get(row, "order_number")
        order = orders.get(number)
        if order is None:
            order = {name: get(row, name) for name in columns if name in source}
            if get(row, "street_2"):
                order["street"] = f"{order['street']}, {get(row, 'street_2')}".strip(", ")
            order["lines"] = [get(row, "line_items")] if get(row, "line_items") else []
            orders[number] = order
        if get(row, "item_name"):
            item = {
                "name": get(row, "item_name"),
                "quantity": get(row, "item_quantity"),
                "total": get(row, "item_total"),
                "price": get(row, "item_price"),
            }
            order["lines"].append({k: v for k, v in item.items() if v})
    result = tablib.Dataset(headers=columns)
    for order in orders.values():
        order["lines"] = json.dumps(order["lines"])
        result.append([order[name] for name in columns])
    return result


def _items(spec: Any) -> Iterable[dict[str, Any]]:
    """The items of one ``lines`` entry: a dict already, a JSON list, or the extension's
    ``key:value|key:value;key:value|...`` text."""
    if isinstance(spec, dict):
        yield spec
        return
    text = str(spec).strip()
    if text.startswith("["):
        parsed = json.loads(text)
        yield from (item for item in parsed if isinstance(item, dict))
        return
    for item in filter(None, (part.strip() for part in text.split(";"))):
        pairs = (pair.split(":", 1) for pair in item.split("|") if ":" in pair)
        yield {key.strip(): value.strip() for key, value in pairs}


def _decimal(value: Any) -> Decimal:
    text = _text(value).replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    return Decimal(text)


def parse_lines(value: Any) -> list[OrderLine]:
    """Unsaved order lines from the ``lines`` column; ValueError if they cannot be read.
    WooCommerce's line total is after discounts and before tax: the unit price is that total
    divided by the quantity, unless the file gives the price itself."""
    try:
        specs = json.loads(value) if value else []
        lines = []
        for spec in specs:
            for item in _items(spec):
                quantity = int(_decimal(item.get("quantity") or 1))
                if item.get("price"):
                    price = _decimal(item["price"])
                else:
                    price = _decimal(item.get("total") or 0) / max(quantity, 1)
                product = _text(item.get("name") or item.get("product"))
                unit_price = price.quantize(CENT, ROUND_HALF_UP)
                lines.append(OrderLine(product=product, quantity=quantity, unit_price=unit_price))
    except (ValueError, TypeError, InvalidOperation, json.JSONDecodeError) as exc:
        raise ValueError(gettext("The order lines could not be read.")) from exc
    return lines


class StatusWidget(CharWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        text = _text(value).lower().replace(" ", "-").removeprefix("wc-")
        if not text:
            return WebshopOrder.Status.PENDING
        if text not in STATUSES:
            raise ValueError(
                gettext("Unknown order status: %(status)s.") % {"status": _text(value)[:30]}
            )
        return STATUSES[text]


class PlacedAtWidget(DateTimeWidget):
    """ISO 8601 with or without an offset, or a few local formats; local time (the shop's,
    Europe/Copenhagen) where no offset is given."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        if isinstance(value, datetime | date) or not _text(value):
            return super().clean(value, row, **kwargs)
        text = _text(value)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            for pattern in DATE_FORMATS:
                try:
                    parsed = datetime.strptime(text, pattern)  # noqa: DTZ007 (made aware below)
                    break
                except ValueError:
                    continue
            else:
                raise ValueError(gettext("Enter a valid date and time.")) from None
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


class WooCommerceOrderResource(PersonalDataResource):
    """One WooCommerce order per row (after ``orders_from_dataset``), created or updated by
    order number; its lines are replaced by those in the file."""

    status = Field(attribute="status", column_name="status", widget=StatusWidget())
    placed_at = Field(attribute="placed_at", column_name="placed_at", widget=PlacedAtWidget())
    total = Field(attribute="total", column_name="total", widget=DecimalWidget())
    lines = Field(attribute=None, column_name="lines")

    class Meta:
        model = WebshopOrder
        name = _("WooCommerce order export")
        fields = (*ORDER_COLUMNS,)
        import_id_fields = ["order_number"]

    def before_import(self, dataset: tablib.Dataset, **kwargs: Any) -> None:
        try:
            orders = orders_from_dataset(dataset)
        finally:
            dataset.wipe()  # nothing of the file as it came is processed, kept or shown
        dataset.headers = orders.headers
        for row in orders:
            dataset.append(row)
        super().before_import(dataset, **kwargs)

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        instance.currency = (instance.currency or "DKK").upper()
        instance.country = (instance.country or "DK").upper()
        instance.payment_gateway = instance.payment_gateway or "quickpay"
        instance.serop_lines = None  # without line columns, the stored lines stay
        try:
            if "lines" in row:
                instance.serop_lines = parse_lines(row["lines"])
            for line in instance.serop_lines or []:
                line.full_clean(exclude=["order"])
        except ValueError as e:
            errors["lines"] = ValidationError(str(e))
        except ValidationError as e:
            errors["lines"] = ValidationError(
                [f"{name}: {message}" for name, ms in e.message_dict.items() for message in ms]
            )
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        super().after_save_instance(instance, row, **kwargs)
        if instance.serop_lines is None or (
            kwargs.get("dry_run") and not kwargs.get("using_transactions")
        ):
            return
        instance.lines.all().delete()
        for line in instance.serop_lines:
            line.order = instance
        OrderLine.objects.bulk_create(instance.serop_lines)


def import_orders(dataset: tablib.Dataset, *, dry_run: bool = False, user: Any = None) -> Any:
    """Import a WooCommerce export (all or nothing); the import's ``Result``."""
    resource = WooCommerceOrderResource(user=user)
    return resource.import_data(dataset, dry_run=dry_run, raise_errors=False, user=user)
