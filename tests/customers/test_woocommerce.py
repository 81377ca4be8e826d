"""The webshop's order export into SEROP (customers/woocommerce.py, manage.py
import_woocommerce), and the customers' other import/export resources (customers/resources.py)."""

import csv
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import Group, User
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from customers.models import Company, ContactPerson, NewsletterSubscriber, OrderLine, WebshopOrder
from customers.woocommerce import WooCommerceOrderResource, import_orders, orders_from_dataset
from privacy.import_export import CSV, EncryptedTempStorage
from privacy.models import AuditEntry
from privacy.roles import Role
from tests.factories import CompanyFactory, ContactPersonFactory

pytestmark = pytest.mark.django_db

CARD = "4111111111111111"
# The "Customer / Order CSV Export" extension's default format: one row per order.
DEFAULT_FORMAT = (
    "order_id,order_number,date,status,order_total,order_currency,payment_method,"
    "billing_first_name,billing_last_name,billing_company,billing_email,billing_phone,"
    "billing_address_1,billing_address_2,billing_postcode,billing_city,billing_country,"
    "line_items,transaction_id,card_number,card_expiry,cvv,customer_ip_address\n"
    "501,1001,2026-03-02 14:05:00,completed,1250.00,DKK,quickpay,Mette,Jensen,Jensen ApS,"
    "mette@example.dk,+45 20 30 40 50,Algade 1,2. th.,4200,Slagelse,DK,"
    '"name:HR-abonnement|sku:HR1|quantity:1|total:1000.00|tax:250.00;'
    'name:Konsulenttime|sku:K1|quantity:2|total:0.00",'
    f"qp-778899,{CARD},12/29,123,192.0.2.7\n"
    "502,1002,2026-03-03 09:00:00,processing,500.00,DKK,quickpay,Ole,Hansen,,"
    "ole@example.dk,40506070,Bredgade 2,,2100,København Ø,DK,"
    '"name:Ansættelseskontrakt|quantity:2|total:400.00",qp-1,,,,\n'
)


def dataset_of(text):
    return CSV(encoding="utf-8-sig").create_dataset(text.encode())


def log_in(client, role):
    user = User.objects.create_user(username=f"u-{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def test_a_woocommerce_export_creates_orders_with_their_lines():
    result = import_orders(dataset_of(DEFAULT_FORMAT))
    assert not result.has_errors() and not result.has_validation_errors()
    order = WebshopOrder.objects.get(order_number="1001")
    assert (order.first_name, order.last_name, order.company_name) == (
        "Mette",
        "Jensen",
        "Jensen ApS",
    )
    assert (order.street, order.postcode, order.city) == ("Algade 1, 2. th.", "4200", "Slagelse")
    assert (order.phone, order.email, order.country) == ("20304050", "mette@example.dk", "DK")
    assert (order.status, order.total, order.currency) == ("completed", Decimal("1250.00"), "DKK")
    assert (order.payment_gateway, order.gateway_transaction_ref) == ("quickpay", "qp-778899")
    assert order.placed_at == datetime(2026, 3, 2, 14, 5, tzinfo=ZoneInfo("Europe/Copenhagen"))
    lines = [(li.product, li.quantity, li.unit_price) for li in order.lines.order_by("id")]
    assert lines == [("HR-abonnement", 1, Decimal("1000.00")), ("Konsulenttime", 2, Decimal("0"))]
    second = WebshopOrder.objects.get(order_number="1002")
    assert second.status == WebshopOrder.Status.PAID  # WooCommerce's "processing": paid
    assert [(li.quantity, li.unit_price) for li in second.lines.all()] == [(2, Decimal("200.00"))]
    (entry,) = AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT)
    assert entry.object_type == "customers.webshoporder" and entry.count == 2


def test_importing_the_same_export_again_updates_the_orders_and_replaces_their_lines():
    import_orders(dataset_of(DEFAULT_FORMAT))
    result = import_orders(dataset_of(DEFAULT_FORMAT.replace("completed", "refunded")))
    assert result.totals["update"] == 2
    assert WebshopOrder.objects.count() == 2
    assert WebshopOrder.objects.get(order_number="1001").status == "refunded"
    assert OrderLine.objects.count() == 3


def test_the_one_row_per_item_format_groups_the_items_of_an_order():
    text = (
        "order_number,date,status,order_total,billing_first_name,billing_last_name,"
        "billing_email,billing_phone,billing_address_1,billing_postcode,billing_city,"
        "billing_country,item_name,item_quantity,item_total\n"
        "7,2026-01-05T10:00:00+01:00,completed,300.00,Ida,Lund,ida@example.dk,20304050,"
        "Vej 1,8000,Aarhus C,DK,Kursus,1,100.00\n"
        "7,2026-01-05T10:00:00+01:00,completed,300.00,Ida,Lund,ida@example.dk,20304050,"
        "Vej 1,8000,Aarhus C,DK,Bog,2,200.00\n"
    )
    assert len(orders_from_dataset(dataset_of(text))) == 1
    import_orders(dataset_of(text))
    order = WebshopOrder.objects.get()
    assert sorted((li.product, li.quantity, li.unit_price) for li in order.lines.all()) == [
        ("Bog", 2, Decimal("100.00")),
        ("Kursus", 1, Decimal("100.00")),
    ]


def test_title_case_headers_of_other_exports_are_accepted():
    text = (
        "Order ID,Order Date,Order Status,Billing First Name,Billing Last Name,"
        "Billing Email Address,Billing Phone,Billing Address 1,Billing Postcode,Billing City,"
        "Billing Country,Order Total,Payment Method,Transaction ID\n"
        "88,02-03-2026 10:30,wc-on-hold,Kim,Holm,kim@example.dk,70233838,Torvet 3,5000,"
        "Odense C,DK,99.95,quickpay,tx-9\n"
    )
    result = import_orders(dataset_of(text))
    assert not result.has_errors() and not result.has_validation_errors()
    order = WebshopOrder.objects.get(order_number="88")
    assert (order.email, order.status, order.total) == (
        "kim@example.dk",
        "pending",
        Decimal("99.95"),
    )
    assert order.placed_at == datetime(2026, 3, 2, 10, 30, tzinfo=ZoneInfo("Europe/Copenhagen"))
    assert not order.lines.exists()  # the file has no line columns


def test_an_invalid_row_is_reported_and_nothing_is_imported():
    bad = DEFAULT_FORMAT.replace("processing", "teleported").replace("40506070", "12")
    result = import_orders(dataset_of(bad))
    (invalid,) = result.invalid_rows
    assert invalid.number == 2 and set(invalid.error_dict) == {"status", "phone"}
    assert not WebshopOrder.objects.exists() and not OrderLine.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT).exists()


def test_a_file_without_an_order_number_is_refused():
    result = import_orders(dataset_of("billing_email,order_total\nx@example.dk,1.00\n"))
    assert result.has_errors() and len(result.base_errors) == 1
    assert not WebshopOrder.objects.exists()


def test_card_columns_in_the_csv_are_stored_nowhere(client):
    log_in(client, Role.ACCOUNT_MANAGER)
    upload = SimpleUploadedFile("woo.csv", DEFAULT_FORMAT.encode())
    page = client.post(
        reverse("admin:customers_webshoporder_import"),
        {"resource": "0", "format": "0", "import_file": upload},
    )
    assert CARD not in page.content.decode() and "card_number" not in page.content.decode()
    form = page.context["confirm_form"]
    stored = f"{EncryptedTempStorage.folder}/{form.initial['import_file_name']}"
    with default_storage.open(stored, "rb") as waiting:
        assert CARD.encode() not in waiting.read()  # encrypted while it waits
    response = client.post(
        reverse("admin:customers_webshoporder_process_import"),
        {name: form.initial.get(name, "") for name in form.fields},
    )
    assert response.status_code == 302
    assert WebshopOrder.objects.count() == 2
    assert not default_storage.exists(stored)
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT count(*) FROM {quoted} t WHERE t::text LIKE %s", [f"%{CARD}%"])  # noqa: S608
            assert cursor.fetchone()[0] == 0, table
            cursor.execute(f"SELECT count(*) FROM {quoted} t WHERE t::text LIKE %s", ["%12/29%"])  # noqa: S608
            assert cursor.fetchone()[0] == 0, table


def test_the_command_imports_a_file_and_a_dry_run_saves_nothing(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(DEFAULT_FORMAT, encoding="utf-8")
    out = io.StringIO()
    call_command("import_woocommerce", str(path), "--dry-run", stdout=out)
    assert "2" in out.getvalue() and not WebshopOrder.objects.exists()
    call_command("import_woocommerce", str(path), stdout=io.StringIO())
    assert WebshopOrder.objects.count() == 2 and OrderLine.objects.count() == 3
    assert AuditEntry.objects.get(action=AuditEntry.Action.IMPORT).actor_id is None


def test_the_command_lists_the_errors_without_values_and_saves_nothing(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(DEFAULT_FORMAT.replace("40506070", "999"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_woocommerce", str(path), stderr=err)
    assert "phone" in err.getvalue() and "999" not in err.getvalue()
    assert not WebshopOrder.objects.exists()


# --- the customers' other resources (customers/resources.py) ---------------------------------
def export(client, model, file_format):
    url = reverse(f"admin:customers_{model}_export")
    fields = client.get(url).context["form"].fields
    data = {name: "on" for name, f in fields.items() if getattr(f, "is_selectable_field", False)}
    response = client.post(url, {"format": file_format, "resource": "0", **data})
    assert response.status_code == 200
    if file_format == "1":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("file_format", ["0", "1"])
@pytest.mark.parametrize(
    ("model", "first_column"),
    [
        ("company", "customer_number"),
        ("contactperson", "id"),
        ("newslettersubscriber", "email"),
        ("webshoporder", "order_number"),
    ],
)
def test_every_customer_list_exports_as_csv_and_xlsx(client, model, first_column, file_format):
    contact = ContactPersonFactory(company__customer_number="K777")
    NewsletterSubscriber.objects.create(
        email="n@example.dk", subscribed_at=contact.company.created_at
    )
    import_orders(dataset_of(DEFAULT_FORMAT))
    log_in(client, Role.ACCOUNT_MANAGER)
    rows = export(client, model, file_format)
    assert rows[0][0] == first_column and len(rows) > 1
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.object_type == f"customers.{model}" and entry.count == len(rows) - 1
    if model == "contactperson":
        assert rows[1][rows[0].index("company")] == "K777"  # the customer by its number


def test_companies_and_contacts_import_with_cvr_and_phone_validated(client):
    CompanyFactory(customer_number="K1", name="Gammel")
    companies = tablib.Dataset(headers=["customer_number", "name", "cvr", "phone", "postcode"])
    companies.append(["K1", "Ny ApS", "", "70233838", "4200"])
    companies.append(["K2", "Anden ApS", "12345678", "70233838", "4200"])
    from customers.resources import CompanyResource, ContactPersonResource

    result = CompanyResource().import_data(companies)
    assert [r.number for r in result.invalid_rows] == [2]
    assert "cvr" in result.invalid_rows[0].error_dict  # CVR check digit
    assert Company.objects.get().name == "Gammel"

    contacts = tablib.Dataset(headers=["id", "company", "first_name", "last_name", "email"])
    contacts.append(["", "K1", "Kaj", "Ring", "kaj@example.dk"])
    contacts.append(["999999", "K1", "Ukendt", "Id", "u@example.dk"])
    result = ContactPersonResource().import_data(contacts)
    assert [r.number for r in result.invalid_rows] == [2]
    assert not ContactPerson.objects.exists()


def test_the_order_import_page_offers_the_woocommerce_format_first(client):
    log_in(client, Role.ACCOUNT_MANAGER)
    page = client.get(reverse("admin:customers_webshoporder_import"))
    assert page.status_code == 200
    choices = page.context["form"].fields["resource"].choices
    assert str(choices[0][1]) == str(WooCommerceOrderResource.get_display_name())
    assert [label for _, label in page.context["form"].fields["format"].choices][1:] == [
        "csv",
        "xlsx",
    ]
